"""The open-data page and the public downloads behind it."""

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from .datasets import DATASETS, InvalidFilters
from .departments import (
    COLUMNS,
    Quarter,
    cells,
    department_by_code,
    department_projects,
    department_trend,
    league,
    row_values,
)
from .exports import CSV_TYPE, FORMATS, csv_lines, export_response
from .forms import QuarterForm

LICENCE_NAMES = {"https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0"}


@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    datasets = [
        {"dataset": dataset, "updated_at": dataset.updated_at(), "formats": FORMATS}
        for dataset in DATASETS.values()
        if dataset.is_public
    ]
    licence = settings.CIVICWORKS_OPEN_DATA_LICENSE
    context = {
        "datasets": datasets,
        "oc4ids_updated_at": DATASETS["projects"].updated_at(),
        "licence_url": licence,
        "licence_name": LICENCE_NAMES.get(licence, licence),
    }
    return render(request, "opendata/open_data.html", context)


@require_GET
def download(request: HttpRequest, dataset: str, fmt: str):
    """Public rows only, whoever asks, so every visitor downloads the same file."""
    chosen = DATASETS.get(dataset)
    if chosen is None or not chosen.is_public or fmt not in FORMATS:
        raise Http404
    try:
        rows = chosen.filtered_rows(None, request.GET)
    except InvalidFilters as exc:
        raise BadRequest(str(exc.errors)) from exc
    return export_response(chosen, rows, fmt)


# --- Departments in public (部门) ---------------------------------------------------------------


@require_GET
def departments(request: HttpRequest) -> HttpResponse:
    form = QuarterForm(request.GET)
    table = league(quarter=form.chosen())
    context = {
        "form": form,
        "league": table,
        "columns": COLUMNS,
        "lines": [{"department": row["department"], "cells": cells(row)} for row in table["rows"]],
        "city_cells": cells(table["city"]),
    }
    return render(request, "opendata/departments.html", context)


@require_GET
def department(request: HttpRequest, code: str) -> HttpResponse:
    found = department_by_code(code)
    if found is None:
        raise Http404
    trend = department_trend(department=found)
    complete = [row for row in trend if not row["running"]]
    latest = complete[-1] if complete else None
    context = {
        "department": found,
        "lines": [{"row": row, "cells": cells(row)} for row in trend],
        "latest": latest,
        "latest_year_before": Quarter(*latest["key"]).year_before().label if latest else "",
        "projects": department_projects(found),
        "columns": COLUMNS,
    }
    return render(request, "opendata/department.html", context)


@require_GET
def departments_csv(request: HttpRequest) -> StreamingHttpResponse:
    form = QuarterForm(request.GET)
    if form.is_bound and not form.is_valid():
        raise BadRequest(str(form.errors))
    table = league(quarter=form.chosen())
    header = [gettext("Department"), gettext("Code"), gettext("Quarter"), *(str(label) for _k, label, _t in COLUMNS)]
    lines = [[row["department"].name, row["department"].code, *row_values(row)] for row in table["rows"]]
    lines.append([gettext("Whole city"), "", *row_values(table["city"])])
    response = StreamingHttpResponse(csv_lines([header, *lines]), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="departments-{table["quarter"].label}.csv"'
    return response
