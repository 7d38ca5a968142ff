"""This app's panel on the project page (`projects.panels`): the reports about the project.

Public fields only, as on the public report list: never the contact details or the tracking
code (which would let anyone act as the reporter)."""

from django.urls import reverse

from projects.panels import Panel

from . import selectors
from .models import Report

LATEST = 5


def reports_context(project) -> dict:
    counts = selectors.project_status_counts(project.pk)
    return {
        "counts": counts,
        "total": sum(n for _status, _label, n in counts),
        "latest": selectors.project_latest_reports(project.pk, LATEST),
        "all_url": f"{reverse('feedback:list')}?project={project.code}",
    }


def _report(report: Report) -> dict:
    return {
        "id": report.pk,
        "url": reverse("feedback:detail", args=[report.pk]),
        "category": report.category.name,
        "kind": report.kind,
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "text": report.text if report.text_is_public else None,
        "submitted_at": report.submitted_at.isoformat(),
    }


def reports_api(context: dict) -> dict:
    return {
        "total": context["total"],
        "by_status": {status: n for status, _label, n in context["counts"]},
        "latest": [_report(r) for r in context["latest"]],
        "all_url": context["all_url"],
    }


PANELS = (Panel("reports", "feedback/_project_reports.html", reports_context, reports_api, order=30),)
