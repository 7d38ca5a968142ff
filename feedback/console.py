"""What the console's report page and queue show beyond the model's fields: the deadline in words,
the steps the report's state allows, the map around it (feedback/admin.py uses these)."""

import json
from datetime import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

from civicworks.maps import map_settings

from . import services
from .models import Report, ReportStep

# The handling steps the console offers, each through its own form and service.
CONSOLE_STEPS = (ReportStep.ACCEPT, ReportStep.RESOLVE, ReportStep.TRANSFER, ReportStep.CLOSE, ReportStep.HIDE)
NEARBY_METRES = 500
NEARBY_LIMIT = 20


def deadline_label(report: Report, now: datetime | None = None, depth: int = 2) -> str:
    """ "5 hours left" or "Overdue by 1 day, 3 hours" for an open report with a deadline; else ""."""
    if report.due_at is None or not report.is_open:
        return ""
    now = now or timezone.now()
    if report.due_at < now:
        return _("Overdue by %(time)s") % {"time": timesince(report.due_at, now, depth=depth)}
    return _("%(time)s left") % {"time": timeuntil(report.due_at, now, depth=depth)}


def allowed_steps(user, report: Report) -> set[str]:
    """The steps this user may take now: the handlers' (`services.may_handle`), as the state allows
    (`Report.can`, the same declaration the services enforce)."""
    if not services.may_handle(user, report):
        return set()
    return {step for step in CONSOLE_STEPS if report.can(step)}


def photos_visible(user, report: Report) -> bool:
    """The rule of the file view (feedback/files.py): a public report's photos, or its handlers'."""
    return not report.is_hidden or services.may_handle(user, report)


def nearby_open(scoped: QuerySet[Report], report: Report) -> list[dict]:
    """Open reports the user may see within ~500 m of the report, for its map (one query)."""
    if report.latitude is None:
        return []
    dlat, dlng = NEARBY_METRES / 111_000, NEARBY_METRES / 96_000  # ~cos(30°) at the city's latitude
    rows = (
        scoped.open()
        .exclude(pk=report.pk)
        .filter(
            latitude__range=(report.latitude - dlat, report.latitude + dlat),
            longitude__range=(report.longitude - dlng, report.longitude + dlng),
        )
        .order_by("-submitted_at")
        .values("pk", "latitude", "longitude", "category__name")[:NEARBY_LIMIT]
    )
    return [
        {
            "lat": row["latitude"],
            "lng": row["longitude"],
            "label": f"#{row['pk']} {row['category__name']}",
            "url": reverse("admin:feedback_report_change", args=[row["pk"]]),
        }
        for row in rows
    ]


def map_context(report: Report, nearby: list[dict]) -> dict | None:
    """The data- attributes of the report's map: its point, its grid area's outline, reports nearby."""
    if report.latitude is None or report.longitude is None:
        return None
    boundary = report.grid_area.boundary if report.grid_area_id and report.grid_area.boundary else None
    return {
        "settings": map_settings(latitude=report.latitude, longitude=report.longitude, zoom=16),
        "boundary": json.dumps(boundary) if boundary else "",
        "nearby": json.dumps(nearby, ensure_ascii=False),
    }
