"""The open-data page and the public downloads behind it."""

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .datasets import DATASETS
from .exports import FORMATS, export_response
from .filters import ProjectExportFilter
from .selectors import oc4ids_projects, projects_visible_to

LICENCE_NAMES = {"https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0"}


@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    public = projects_visible_to(None)
    datasets = [
        {"dataset": dataset, "updated_at": dataset.updated_at(public), "formats": FORMATS}
        for dataset in DATASETS.values()
    ]
    licence = settings.CIVICWORKS_OPEN_DATA_LICENSE
    context = {
        "datasets": datasets,
        "oc4ids_updated_at": DATASETS["projects"].updated_at(oc4ids_projects()),
        "licence_url": licence,
        "licence_name": LICENCE_NAMES.get(licence, licence),
    }
    return render(request, "opendata/open_data.html", context)


@require_GET
def download(request: HttpRequest, dataset: str, fmt: str):
    """Public rows only, whoever asks, so every visitor downloads the same file."""
    chosen = DATASETS.get(dataset)
    if chosen is None or fmt not in FORMATS:
        raise Http404
    filterset = ProjectExportFilter(request.GET, queryset=projects_visible_to(None))
    if not filterset.is_valid():
        raise BadRequest(str(filterset.errors))
    return export_response(chosen, chosen.rows_for_projects(filterset.qs), fmt)
