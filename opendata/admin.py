"""Console exports: "Export selected as CSV/XLSX" on the changelists of exported models.

An admin action receives the changelist's queryset — already scoped by `ScopedModelAdmin`
to the official's department and narrowed by the list's filters and search — so the
console download holds exactly what the official sees in the list.
"""

from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin import AdminSite
from django.utils.translation import gettext_lazy as _

from .datasets import DATASETS
from .exports import export_response

LABELS = {"csv": _("Export selected as CSV"), "xlsx": _("Export selected as XLSX")}


def export_action(fmt: str) -> Callable:
    def action(modeladmin, request, queryset):
        dataset = next(d for d in DATASETS.values() if d.model is queryset.model)
        return export_response(dataset, queryset, fmt)

    action.__name__ = f"opendata_export_{fmt}"
    action.short_description = LABELS[fmt]  # type: ignore[attr-defined]
    action.allowed_permissions = ("view",)  # type: ignore[attr-defined]
    return action


EXPORT_ACTIONS = [export_action("csv"), export_action("xlsx")]


def attach_export_actions(site: AdminSite = admin.site) -> list[type]:
    """Add the export actions to whichever exported models the console registers; returns those models."""
    attached = []
    for dataset in DATASETS.values():
        model_admin = site._registry.get(dataset.model)
        if model_admin is None:
            continue
        existing = list(model_admin.actions or [])
        model_admin.actions = existing + [a for a in EXPORT_ACTIONS if a not in existing]
        attached.append(dataset.model)
    return attached
