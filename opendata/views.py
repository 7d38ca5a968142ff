"""The open-data page and the public downloads behind it."""

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .datasets import DATASETS, InvalidFilters
from .exports import FORMATS, export_response

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
