"""The field pages: the list and map of what is due, and one report or project with its checks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from civicworks.maps import map_settings

from .. import selectors as feedback_selectors
from . import selectors, services
from .forms import SiteCheckForm


@login_required
def home(request):
    items = selectors.due_items(request.user)
    return render(request, "feedback/field/home.html", {"items": items, "map": map_settings(zoom=13)})


def _record(request, form: SiteCheckForm, **target) -> bool:
    """Record the posted check; a refusal goes beside its field."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        services.site_check_record(by=request.user, note=data["note"], photo=data["photo"],
                                   latitude=data["latitude"], longitude=data["longitude"], **target)  # fmt: skip
    except ValidationError as exc:
        by_field = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
        for field, errors in by_field.items():
            form.add_error(field if field in form.fields else None, errors)
        return False
    messages.success(request, _("Your on-site check is recorded."))
    return True


def _target_page(request, template: str, target: dict, checks, place, due) -> object:
    form = SiteCheckForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and _record(request, form, **target):
        return redirect(request.path)
    context = {**target, "due": due, "form": form, "checks": checks, "map": map_settings(**place, zoom=17)}
    return render(request, template, context, status=400 if form.errors else 200)


@login_required
def report(request, pk: int):
    item = selectors.report_in_field(request.user, pk)
    place = {"latitude": item.latitude, "longitude": item.longitude}
    checks = feedback_selectors.report_site_checks(item)
    due = selectors.report_item(item)
    return _target_page(request, "feedback/field/report.html", {"report": item}, checks, place, due)


@login_required
def project(request, pk: int):
    item = selectors.project_in_field(request.user, pk)
    place = {"latitude": item.latitude, "longitude": item.longitude}
    checks = feedback_selectors.project_site_checks(item)
    due = selectors.project_item(item)
    return _target_page(request, "feedback/field/project.html", {"project": item}, checks, place, due)
