"""Fragment endpoints polled by static/js/live.js (see civicworks/live.py).

Each has a version function (one indexed query, run on every poll) and a view that renders
only when the version changed. The fragments repeat markup the pages render on load, so the
pages stay plain and current on reload without JavaScript.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404, render

from civicworks.accounts.models import DEPARTMENT_ROLES
from civicworks.live import live_fragment
from civicworks.permissions import has_role, is_city_admin
from feedback import selectors as feedback_selectors
from feedback import services as feedback_services
from feedback.models import Report, ReportStatus
from projects.models import Project

LATEST_UPDATES = 5
QUEUE_SIZE = 20
# Reports that reached a department and wait for someone to accept them.
NEW_IN_QUEUE = (ReportStatus.DISPATCHED, ReportStatus.TRANSFERRED, ReportStatus.REOPENED)


# --- Project page: stage, percent, latest progress updates -------------------------------------


def _project_version(request, code: str):
    return (
        Project.objects.public()
        .filter(code=code)
        .annotate(last_update=Max("updates__id"), update_count=Count("updates"))
        .values_list("updated_at", "stage", "percent_complete", "last_update", "update_count")
        .first()
    )


@live_fragment(_project_version)
def project_live(request, code: str):
    project = get_object_or_404(Project.objects.public(), code=code)
    updates = project.updates.order_by("-created_at", "-id")[:LATEST_UPDATES]
    return render(request, "live/project.html", {"project": project, "updates": updates})


# --- Report tracking page: status, answer, timeline ---------------------------------------------


def _report_version(request, code: str):
    row = (
        Report.objects.filter(tracking_code=(code or "").strip().upper())
        .annotate(
            last_event=Max("events__id", filter=Q(events__is_public=True)),
            last_photo=Max("photos__id"),
        )
        .only("tracking_code", "reporter_id", "updated_at")
        .first()
    )
    if row is None:
        return None
    # Only reports filed from an account look at the session: anonymous trackers cost no extra query.
    is_reporter = feedback_services.may_act_as_reporter(request.user, row, code)
    return (row.updated_at, row.last_event, row.last_photo, is_reporter)


@live_fragment(_report_version)
def report_live(request, code: str):
    report = feedback_selectors.report_by_code(code)
    if report is None:
        raise PermissionDenied  # deleted between the version and here; the next poll gets a 404
    context = {
        "report": report,
        "is_reporter": feedback_services.may_act_as_reporter(request.user, report, code),
        "timeline": feedback_selectors.public_timeline(report),
        "photos": report.photos.all(),
    }
    return render(request, "live/report.html", context)


# --- Console queue: newly dispatched reports of the official's department -----------------------


def _queue_rows(user) -> QuerySet[Report]:
    rows = Report.objects.filter(status__in=NEW_IN_QUEUE)
    return rows if is_city_admin(user) else rows.for_department(user.department_id)


def _queue_version(request):
    if not has_role(request.user, *DEPARTMENT_ROLES):
        raise PermissionDenied
    figures = _queue_rows(request.user).aggregate(waiting=Count("id"), last=Max("updated_at"))
    return (request.user.department_id, figures["waiting"], figures["last"])


@live_fragment(_queue_version, private=True)
def queue_live(request):
    rows = _queue_rows(request.user).select_related("category", "district", "department")
    context = {
        "reports": rows.order_by("-dispatched_at", "-id")[:QUEUE_SIZE],
        "waiting": rows.count(),
    }
    return render(request, "live/queue.html", context)
