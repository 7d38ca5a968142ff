"""Live fragments of feedback, polled by static/js/live.js: the tracking page and the console queue.

Each has a version function (one indexed query, run on every poll) and a view that renders only
when the version changed (civicworks.live). The fragments repeat markup the pages render on
load, so the pages stay plain and current on reload without JavaScript.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, QuerySet
from django.shortcuts import render

from civicworks.accounts.models import DEPARTMENT_ROLES
from civicworks.live import live_fragment, one_row
from civicworks.permissions import has_role, is_city_admin

from . import selectors, services
from .models import Report, ReportEvent, ReportPhoto, ReportStatus, normalise_tracking_code

QUEUE_SIZE = 20
# Reports that reached a department and wait for someone to accept them.
NEW_IN_QUEUE = (ReportStatus.DISPATCHED, ReportStatus.TRANSFERRED, ReportStatus.REOPENED)


# --- Report tracking page: status, answer, timeline ---------------------------------------------


# What `may_act_as_reporter` reads of a report, then its version.
OWNER_FIELDS = ("tracking_code", "reporter_id", "department_id", "grid_worker_id", "taken_by_id")
REPORT_VERSION_SQL = f"""
    SELECT {", ".join("r." + name for name in OWNER_FIELDS)}, r.updated_at,
           (SELECT MAX(e.id) FROM {ReportEvent._meta.db_table} e WHERE e.report_id = r.id AND e.is_public),
           (SELECT MAX(f.id) FROM {ReportPhoto._meta.db_table} f WHERE f.report_id = r.id)
    FROM {Report._meta.db_table} r WHERE r.tracking_code = %s
"""  # noqa: S608 — table and column names from the models, values as parameters


def _report_version(request, code: str):
    row = one_row(REPORT_VERSION_SQL, [normalise_tracking_code(code)])
    if row is None:
        return None
    owned, version = row[: len(OWNER_FIELDS)], row[len(OWNER_FIELDS) :]
    # Only reports filed from an account look at the session: anonymous trackers cost no extra query.
    owner = Report(**dict(zip(OWNER_FIELDS, owned, strict=True)))
    return (*version, services.may_act_as_reporter(request.user, owner, code))


@live_fragment(_report_version)
def report_live(request, code: str):
    report = selectors.report_by_code(code)
    if report is None:
        raise PermissionDenied  # deleted between the version and here; the next poll gets a 404
    context = {
        "report": report,
        "is_reporter": services.may_act_as_reporter(request.user, report, code),
        "timeline": selectors.public_timeline(report),
        "photos": selectors.photos_of(report),
    }
    return render(request, "feedback/live/report.html", context)


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
    return render(request, "feedback/live/queue.html", context)
