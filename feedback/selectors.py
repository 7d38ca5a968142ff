"""Reads shared by the pages, the API, Open311 and the console."""

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import ExtractQuarter, ExtractYear, RowNumber
from django.utils import timezone

from civicworks.accounts.models import DEPARTMENT_ROLES, Role
from civicworks.inputs import in_calendar
from civicworks.rounding import round_half_up
from projects.models import Project

from .models import (
    DONE_STATUSES,
    EventKind,
    FixedAnswer,
    Report,
    ReportEvent,
    ReportKind,
    ReportStatus,
    ServiceCategory,
    SiteCheck,
    normalise_tracking_code,
)

# Fields a public page, the API or Open311 may show. Contact details are never among them.
PUBLIC_RELATED = ["category", "district", "community", "department", "project", "grid_worker"]


def public_reports() -> QuerySet[Report]:
    return (
        Report.objects.public()
        .select_related(*PUBLIC_RELATED)
        .defer("reporter_name", "reporter_phone", "reporter_email")
    )


def public_project(code: str) -> Project | None:
    return Project.objects.public().filter(code=code).first()


def report_by_code(code: str) -> Report | None:
    code = normalise_tracking_code(code)
    return Report.objects.select_related(*PUBLIC_RELATED).filter(tracking_code=code).first()


def photos_of(report: Report):
    """The report's photos, fetched once for the list and the before/after pair (`Report.before_after`)."""
    prefetch_related_objects([report], "photos")
    return report.photos.all()


def public_timeline(report: Report) -> QuerySet[ReportEvent]:
    return (
        report.events.filter(is_public=True)
        .select_related("department", "from_department")
        .order_by("created_at", "id")
    )


def console_timeline(report: Report) -> list[ReportEvent]:
    """Every event, internal ones too (hidden, reminded, escalated), with who and which department."""
    return list(report.events.select_related("actor", "department", "from_department").order_by("created_at", "id"))


def reports_of(user) -> QuerySet[Report]:
    return Report.objects.filter(reporter=user).select_related(*PUBLIC_RELATED).order_by("-submitted_at")


def map_points(*, bbox: tuple[float, float, float, float] | None = None, limit: int = 2000) -> list[dict]:
    """Plain dicts for the map (fast): id, position, category, status — nothing personal."""
    rows = Report.objects.public().filter(latitude__isnull=False)
    if bbox:
        west, south, east, north = bbox
        rows = rows.filter(latitude__range=(south, north), longitude__range=(west, east))
    return list(
        rows.order_by("-submitted_at").values(
            "id", "latitude", "longitude", "status", "kind", "category__name", "submitted_at"
        )[:limit]
    )


def nearby(*, latitude: float, longitude: float, category_id: int | None = None, metres: int = 300) -> list[Report]:
    """Open public reports close to a point, to spot a duplicate before submitting."""
    dlat = metres / 111_000
    dlng = metres / 96_000  # ~cos(30°) × 111 km: good enough at the city's latitude
    rows = (
        public_reports()
        .exclude(status=ReportStatus.CLOSED)
        .filter(
            latitude__range=(latitude - dlat, latitude + dlat), longitude__range=(longitude - dlng, longitude + dlng)
        )
    )
    if category_id:
        rows = rows.filter(category_id=category_id)
    return list(rows.order_by("-submitted_at")[:5])


# --- Figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive
    label: str

    def previous(self) -> "Period":
        length = self.end - self.start
        last = self.start - timedelta(days=1)
        if self.label[5:6] == "Q":
            quarter = (last.month - 1) // 3 + 1
            return quarter_period(last.year, quarter)
        if length.days <= 31:
            return month_period(last.year, last.month)
        return Period(self.start - length, self.start, "")

    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        start = datetime(self.start.year, self.start.month, self.start.day, tzinfo=tz)
        end = datetime(self.end.year, self.end.month, self.end.day, tzinfo=tz)
        return start, end


def month_period(year: int, month: int) -> Period:
    end = date(year, month, calendar.monthrange(year, month)[1]) + timedelta(days=1)
    return Period(date(year, month, 1), end, f"{year}-{month:02d}")


def quarter_period(year: int, quarter: int) -> Period:
    first = 3 * (quarter - 1) + 1
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, first + 3, 1)
    return Period(date(year, first, 1), end, f"{year}-Q{quarter}")


def period_from(text: str) -> Period:
    """`2026-11` (a month) or `2026-Q4` (a quarter) of the years 2000–2100; anything else is the last
    complete month (the current one, two days old, would read 0 % for most rates).

    (`9999-Q4` ends in the year 10000 and `0001-01` has no month before it: both were a 500.)
    """
    text = (text or "").strip().upper()
    if (match := re.fullmatch(r"(\d{4})-Q([1-4])", text, re.ASCII)) and in_calendar(int(match[1])):
        return quarter_period(int(match[1]), int(match[2]))
    match = re.fullmatch(r"(\d{4})-(\d{2})", text, re.ASCII)
    if match and 1 <= int(match[2]) <= 12 and in_calendar(int(match[1])):
        return month_period(int(match[1]), int(match[2]))
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    return month_period(last_month.year, last_month.month)


class Median(Aggregate):
    """PostgreSQL's percentile_cont; SQLite takes the middle rows by a window (`handling_medians`)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


HANDLING_TIME = ExpressionWrapper(F("resolved_at") - F("submitted_at"), output_field=DurationField())
FAST_HANDLING = timedelta(hours=48)  # the city's benchmark: handled within 48 hours

# A rating from an account on the handling side of its report (the rule of
# services.may_act_as_reporter, which refuses it; older rows may hold one) does not count.
RATED_BY_HANDLER = (
    Q(reporter__role=Role.CITY_ADMIN)
    | Q(reporter__is_superuser=True)
    | Q(reporter__role__in=sorted(DEPARTMENT_ROLES), reporter__department_id=F("department_id"))
    | Q(reporter_id=F("grid_worker_id"))
)
# Case/When, not ~Q: a NULL (no account, no grid worker) falls through to the rating itself.
COUNTED_RATING = Case(When(RATED_BY_HANDLER, then=Value(None)), default=F("rating"), output_field=IntegerField())
# Satisfied: a counted rating of 4 or 5 stars.
SATISFIED_RATING = Case(
    When(RATED_BY_HANDLER, then=Value(None)), When(rating__gte=4, then=Value(1)), output_field=IntegerField()
)


def report_counts() -> dict:
    """The aggregates behind every figure about reports, for any grouping (`values(...).annotate(**…)`).

    Closure: answered, confirmed or closed among the reports received. On time: answered by the
    deadline among the answered. See `report_rates`.
    """
    return {
        "reports": Count("id"),
        "done": Count("id", filter=Q(status__in=DONE_STATUSES)),
        "resolved": Count("id", filter=Q(resolved_at__isnull=False)),
        "on_time": Count("id", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("due_at"))),
        "fast": Count("id", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("submitted_at") + FAST_HANDLING)),
        "satisfaction": Avg(COUNTED_RATING),
        "rated": Count(COUNTED_RATING),
        "satisfied": Count(SATISFIED_RATING),
        "complaints": Count("id", filter=Q(kind=ReportKind.PROBLEM)),
        "reopened": Count(
            "id", filter=Q(Exists(ReportEvent.objects.filter(report=OuterRef("pk"), kind=EventKind.REOPENED)))
        ),
        "asked_fixed": Count("id", filter=Q(fixed_asked_at__isnull=False)),
        "said_fixed": Count("id", filter=Q(fixed_answer=FixedAnswer.FIXED)),
        "said_not_fixed": Count("id", filter=Q(fixed_answer=FixedAnswer.NOT_FIXED)),
    }


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def report_rates(row: dict) -> dict:
    """The rates of a row of `report_counts` (None where nothing was there to count)."""
    return {
        "closure_rate": share(row["done"], row["reports"]),
        "on_time_rate": share(row["on_time"], row["resolved"]),
        "fast_rate": share(row["fast"], row["resolved"]),
        "reopen_rate": share(row["reopened"], row["reports"]),
        "satisfied_rate": share(row["satisfied"], row["rated"]),
        # Half up from 15 digits, as the scorecards: round() of the float 3.17499… (3.175) gave 3.17.
        "satisfaction": round_half_up(row["satisfaction"], 2),
    }


def handling_medians(rows: QuerySet, *group: str) -> dict:
    """Median handling time (answered − submitted) per group, keyed by the group's values, in SQL.

    PostgreSQL: percentile_cont. SQLite has no percentile: a window numbers each group's answered
    reports by handling time and keeps the middle one (odd count) or two (even), whose mean is
    what percentile_cont(0.5) interpolates — one query on both, the same figures.
    """
    answered = rows.filter(resolved_at__isnull=False).order_by()
    if connection.vendor == "postgresql":
        medians = answered.values(*group).annotate(median=Median(HANDLING_TIME))
        return {tuple(row[g] for g in group): row["median"] for row in medians}
    partition = [F(g) for g in group]
    middle = (
        answered.annotate(
            handling=HANDLING_TIME,
            position=Window(RowNumber(), partition_by=partition, order_by=[HANDLING_TIME.asc(), F("pk").asc()]),
            size=Window(Count("pk"), partition_by=partition),
        )
        .filter(position__gte=(F("size") + 1) / 2, position__lte=(F("size") + 2) / 2)
        .values_list(*group, "handling")
    )
    found: dict = {}
    for *key, handling in middle:
        found.setdefault(tuple(key), []).append(handling)
    return {key: sum(values, timedelta()) / len(values) for key, values in found.items()}


def hours(duration: timedelta | None) -> float | None:
    return round(duration.total_seconds() / 3600, 1) if duration else None


def _grouped(rows: QuerySet, group: str, name: str, previous: QuerySet) -> list[dict]:
    figures = rows.values(group, name).annotate(**report_counts()).order_by("-reports", name)
    before = dict(
        previous.filter(kind=ReportKind.PROBLEM).values(group).annotate(n=Count("id")).values_list(group, "n")
    )
    medians = handling_medians(rows, group)
    result = []
    for row in figures:
        key = row[group]
        rates = report_rates(row)
        result.append(
            {
                "name": row[name] or "—",
                "reports": row["reports"],
                "closure_rate": rates["closure_rate"],
                "on_time_rate": rates["on_time_rate"],
                "median_hours": hours(medians.get((key,))),
                "satisfaction": rates["satisfaction"],
                "complaints": row["complaints"],
                "complaints_before": before.get(key, 0),
                # "Is it fixed?" (feedback/fixed.py): asked, and what the reporters said.
                "asked_fixed": row["asked_fixed"],
                "said_fixed": row["said_fixed"],
                "said_not_fixed": row["said_not_fixed"],
            }
        )
    return result


def quarterly_figures(periods: list[Period], *group: str, department_id: int | None = None) -> dict[tuple, dict]:
    """The figures of the reports submitted in `periods` (quarters) per (*group, year, quarter), read from
    the rollups (feedback.rollups): a fixed number of queries whatever the number of reports."""
    from . import rollups

    return rollups.quarterly_figures(periods, *group, department_id=department_id)


def figures(*, period: Period, department_id: int | None = None) -> dict:
    """Per department and per district for one period, with complaints of the period before, read from
    the rollups (feedback.rollups)."""
    from . import rollups

    return rollups.figures(period=period, department_id=department_id)


# The direct computations over the reports: the rollups' oracle (tests/feedback/test_rollups.py).


def quarterly_figures_direct(periods: list[Period], *group: str, department_id: int | None = None) -> dict[tuple, dict]:
    """The figures of the reports submitted in `periods` (quarters) per (*group, year, quarter), in two queries.

    Each row holds the counts of `report_counts`, their rates (`report_rates`) and the median
    handling time in hours; the quarter is the one of the submission, in the city's time zone.
    """
    within = Q(pk__in=[])  # no period, no row
    for period in periods:
        start, end = period.bounds()
        within |= Q(submitted_at__gte=start, submitted_at__lt=end)
    zone = timezone.get_current_timezone()
    scope = Report.objects.all() if department_id is None else Report.objects.for_department(department_id)
    rows = scope.filter(within).annotate(
        year=ExtractYear("submitted_at", tzinfo=zone), quarter=ExtractQuarter("submitted_at", tzinfo=zone)
    )
    keys = (*group, "year", "quarter")
    medians = handling_medians(rows, *keys)
    result = {}
    for row in rows.order_by().values(*keys).annotate(**report_counts()):
        key = tuple(row[k] for k in keys)
        result[key] = {**row, **report_rates(row), "median_hours": hours(medians.get(key))}
    return result


def figures_direct(*, period: Period, department_id: int | None = None) -> dict:
    """Per department and per district for one period, with complaints of the period before."""
    start, end = period.bounds()
    before_start, before_end = period.previous().bounds()
    scope = Report.objects.all()
    if department_id is not None:
        scope = scope.filter(department_id=department_id)
    rows = scope.filter(submitted_at__gte=start, submitted_at__lt=end)
    previous = scope.filter(submitted_at__gte=before_start, submitted_at__lt=before_end)
    return {
        "period": period,
        "previous": period.previous(),
        "by_department": _grouped(rows, "department_id", "department__name", previous),
        "by_district": _grouped(rows, "district_id", "district__name", previous),
    }


def active_categories() -> QuerySet[ServiceCategory]:
    return ServiceCategory.objects.filter(is_active=True).order_by("order", "name")


# --- The project page (feedback/panels.py) ----------------------------------------------------------


def project_status_counts(project_id: int) -> list[tuple[str, str, int]]:
    """Public reports about a project by status, in the statuses' declared order: (status, label, count)."""
    rows = Report.objects.public().filter(project_id=project_id).values("status").annotate(n=Count("id")).order_by()
    counts = {row["status"]: row["n"] for row in rows}
    return [(value, str(label), counts[value]) for value, label in ReportStatus.choices if value in counts]


def project_latest_reports(project_id: int, limit: int) -> list[Report]:
    return list(public_reports().filter(project_id=project_id).order_by("-submitted_at", "-pk")[:limit])


# --- On-site checks (现场核查): staff-only, for the console's report page and the field pages ----------


def report_site_checks(report: Report) -> QuerySet[SiteCheck]:
    """A report's on-site checks, newest first, with their authors (one query)."""
    return SiteCheck.objects.filter(report=report).select_related("author").order_by("-created_at", "-id")


def project_site_checks(project: Project) -> QuerySet[SiteCheck]:
    """A project's on-site checks, newest first, with their authors (one query)."""
    return SiteCheck.objects.filter(project=project).select_related("author").order_by("-created_at", "-id")
