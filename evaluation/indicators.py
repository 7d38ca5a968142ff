"""Objective indicators computed from the data, normalised to 0–100 (docs/evaluation.md).

Every function here reads a whole cycle's scope in a fixed number of grouped queries, so the
cost of computing a quarter does not grow in queries with the number of projects.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from feedback.models import DONE_STATUSES, Report, ReportKind
from projects.models import Expenditure, Milestone, MoneySum, Project

from .models import IndicatorKind, ReviewCycle, as_score

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Measured:
    kind: str
    raw: Decimal | None
    score: Decimal | None
    basis: str


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def clamp(value: Decimal) -> Decimal:
    return max(Decimal(0), min(HUNDRED, value))


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal:
    return Decimal(part) * HUNDRED / Decimal(whole)


# --- Normalisation rules, one per indicator -------------------------------------------------------


def budget_execution(spent: Decimal, budget: Decimal) -> Measured:
    """Rate = spent / budget. Up to 100 % the score is the rate; overspending costs 2 points per %."""
    if budget <= 0:
        return Measured(IndicatorKind.BUDGET_EXECUTION, None, None, "no budget")
    rate = percent(spent, budget)
    score = rate if rate <= HUNDRED else HUNDRED - 2 * (rate - HUNDRED)
    return Measured(IndicatorKind.BUDGET_EXECUTION, as_score(rate), as_score(clamp(score)), f"{spent}/{budget}")


def share(kind: str, part: int, whole: int, nothing: str) -> Measured:
    """An indicator that is a plain share: part / whole in %, scored as it is; missing (re-weighted
    away) when there is nothing to count, `nothing` saying why."""
    if whole == 0:
        return Measured(kind, None, None, nothing)
    rate = percent(part, whole)
    return Measured(kind, as_score(rate), as_score(rate), f"{part}/{whole}")


def milestone_punctuality(on_time: int, due: int) -> Measured:
    """Share of milestones due by the quarter's end that were reached on or before their date."""
    return share(IndicatorKind.MILESTONE_PUNCTUALITY, on_time, due, "no milestone due")


def complaint_change(current: int, previous: int) -> Measured:
    """Change % = (current − previous) / previous; score = 50 − change/2, within 0–100.

    Halving the complaints scores 75, no change 50, doubling or worse 0. No complaints in
    either quarter scores 100 (nothing to reduce). Complaints now but none the quarter
    before: there is no baseline for a change, so the indicator is missing (re-weighted away);
    the closure and on-time rates still judge how those complaints were handled.
    """
    if current == 0 and previous == 0:
        return Measured(IndicatorKind.COMPLAINT_CHANGE, Decimal(0), HUNDRED, "0→0")
    if previous == 0:
        return Measured(IndicatorKind.COMPLAINT_CHANGE, None, None, f"0→{current}: no baseline")
    change = percent(current - previous, previous)
    return Measured(
        IndicatorKind.COMPLAINT_CHANGE, as_score(change), as_score(clamp(50 - change / 2)), f"{previous}→{current}"
    )


def closure_rate(closed: int, received: int) -> Measured:
    return share(IndicatorKind.CLOSURE_RATE, closed, received, "no report")


def on_time_rate(on_time: int, handled: int) -> Measured:
    return share(IndicatorKind.ON_TIME_RATE, on_time, handled, "no report handled")


# --- Grouped reads -----------------------------------------------------------------------------------


def spending_by_project(project_ids: list[int], until: date) -> dict[int, Decimal]:
    rows = (
        Expenditure.objects.filter(project_id__in=project_ids, date__lte=until)
        .values("project_id")
        .annotate(spent=Sum("amount", output_field=MoneySum()))  # to the cent on SQLite too: the basis text
    )
    return {row["project_id"]: row["spent"] for row in rows}


def milestones_by_project(project_ids: list[int], until: date) -> dict[int, tuple[int, int]]:
    rows = (
        Milestone.objects.filter(project_id__in=project_ids, planned_date__lte=until)
        .values("project_id")
        .annotate(
            due=Count("id"),
            on_time=Count("id", filter=Q(actual_date__isnull=False, actual_date__lte=F("planned_date"))),
        )
    )
    return {row["project_id"]: (row["on_time"], row["due"]) for row in rows}


def report_counts(cycle: ReviewCycle) -> dict:
    """The counts each report indicator needs, for any grouping of reports."""
    starts, ends = start_of(cycle.starts_on), start_of(cycle.ends_on + timedelta(days=1))
    previous = ReviewCycle(year=cycle.previous_key[0], quarter=cycle.previous_key[1])
    prev_starts = start_of(previous.starts_on)
    in_quarter = Q(submitted_at__gte=starts, submitted_at__lt=ends)
    # Answered by the quarter's end and not reopened since (a reopened report is not closed).
    handled = in_quarter & Q(resolved_at__isnull=False, resolved_at__lt=ends, status__in=DONE_STATUSES)
    return {
        "complaints": Count("id", filter=in_quarter & Q(kind=ReportKind.PROBLEM)),
        "complaints_before": Count(
            "id", filter=Q(submitted_at__gte=prev_starts, submitted_at__lt=starts, kind=ReportKind.PROBLEM)
        ),
        "received": Count("id", filter=in_quarter),
        "handled": Count("id", filter=handled),
        "on_time": Count("id", filter=handled & Q(due_at__isnull=False, resolved_at__lte=F("due_at"))),
        "_window": Q(submitted_at__gte=prev_starts, submitted_at__lt=ends),
    }


COUNT_NAMES = ("complaints", "complaints_before", "received", "handled", "on_time")


def reports_by_project_and_area(cycle: ReviewCycle, projects: list[Project]) -> dict[int, dict[str, int]]:
    """Reports about each project: linked to it, or unlinked and in its community (else district)."""
    counts = report_counts(cycle)
    window = counts.pop("_window")
    ids = [p.pk for p in projects]
    linked = Report.objects.filter(window, project_id__in=ids).values("project_id").annotate(**counts)
    districts = {p.district_id for p in projects}
    unlinked = (
        Report.objects.filter(window, project__isnull=True, district_id__in=districts)
        .values("district_id", "community_id")
        .annotate(**counts)
    )
    totals: dict[int, dict[str, int]] = {p.pk: dict.fromkeys(COUNT_NAMES, 0) for p in projects}
    for row in linked:
        add_counts(totals[row["project_id"]], row)
    by_area: dict[tuple, list[dict]] = defaultdict(list)
    for row in unlinked:
        by_area[(row["district_id"], row["community_id"])].append(row)
        by_area[(row["district_id"], "*")].append(row)
    for project in projects:
        area = (project.district_id, project.community_id if project.community_id else "*")
        for row in by_area.get(area, []):
            add_counts(totals[project.pk], row)
    return totals


def add_counts(total: dict[str, int], row: dict) -> None:
    for name in COUNT_NAMES:
        total[name] += row[name]


# --- The whole quarter --------------------------------------------------------------------------------


def measure_cycle(cycle: ReviewCycle, projects: list[Project]) -> dict[int, list[Measured]]:
    """Every objective indicator of every project in scope, in five queries."""
    ids = [p.pk for p in projects]
    spent = spending_by_project(ids, cycle.ends_on)
    milestones = milestones_by_project(ids, cycle.ends_on)
    reports = reports_by_project_and_area(cycle, projects)
    measured: dict[int, list[Measured]] = {}
    for project in projects:
        counts = reports[project.pk]
        measured[project.pk] = [
            complaint_change(counts["complaints"], counts["complaints_before"]),
            closure_rate(counts["handled"], counts["received"]),
            on_time_rate(counts["on_time"], counts["handled"]),
            budget_execution(spent.get(project.pk, Decimal(0)), project.budget),
            milestone_punctuality(*milestones.get(project.pk, (0, 0))),
        ]
    return measured
