"""Reads shared by the public pages, the API, the console and the department reports."""

from django.db.models import Avg, Count, Q, QuerySet, Sum

from civicworks.accounts.models import Role
from civicworks.permissions import has_role
from projects.models import Department

from .models import (
    CYCLE_STEPS,
    AccountabilityRecord,
    CycleState,
    CycleStep,
    OrderStatus,
    RectificationOrder,
    ReviewCycle,
    Scorecard,
    Survey,
    SurveyResponse,
    counted_condition,
    held_apart_condition,
)


def published_cycles() -> QuerySet[ReviewCycle]:
    return ReviewCycle.objects.published().order_by("year", "quarter")


def published_cycle(year: int, quarter: int) -> ReviewCycle | None:
    return ReviewCycle.objects.published().select_related("scheme").filter(year=year, quarter=quarter).first()


def cycle_scorecards(cycle: ReviewCycle) -> QuerySet[Scorecard]:
    return (
        Scorecard.objects.filter(cycle=cycle)
        .select_related("project", "project__category", "project__district", "project__lead_unit")
        .order_by("-total", "project__code")
    )


def cycle_orders(cycle: ReviewCycle) -> QuerySet[RectificationOrder]:
    """The published quarter's rectification orders: who must fix what, by when, and where it stands."""
    return (
        RectificationOrder.objects.filter(cycle=cycle)
        .select_related("project", "department")
        .order_by("deadline", "project__code")
    )


def orders_for_user(user) -> QuerySet[RectificationOrder]:
    """The orders the console shows this user: evaluators and the city all, a department its own."""
    rows = RectificationOrder.objects.select_related("cycle", "project", "department")
    if has_role(user, Role.EVALUATOR):
        return rows
    if has_role(user, Role.OFFICIAL, Role.MANAGER, Role.SUPERVISOR):
        return rows.for_department(user.department_id)
    return rows.none()


def verifying_cycle() -> ReviewCycle | None:
    """The cycle in which earlier orders are verified now: the latest that allows it."""
    return ReviewCycle.objects.allowing(CycleStep.VERIFY_ORDERS).order_by("-year", "-quarter").first()


def department_scorecards(cycle: ReviewCycle, department: Department) -> QuerySet[Scorecard]:
    """The projects a department leads: what its report covers."""
    return cycle_scorecards(cycle).filter(project__lead_unit=department)


def department_orders(cycle: ReviewCycle, department: Department) -> QuerySet[RectificationOrder]:
    return RectificationOrder.objects.filter(cycle=cycle, department=department).select_related("project")


def departments_in_cycle(cycle: ReviewCycle) -> QuerySet[Department]:
    return Department.objects.filter(led_projects__review_cycles=cycle).distinct().order_by("name")


def cycle_trend() -> list[dict]:
    """City-wide figures per published quarter, oldest first: the trend on the results page."""
    rows = (
        Scorecard.objects.filter(cycle__state=CycleState.PUBLISHED)
        .values("cycle__year", "cycle__quarter")
        .annotate(
            average=Avg("total"),
            satisfied=Avg("satisfied_share"),
            projects=Count("id"),
            failed=Count("id", filter=Q(grade="fail")),
        )
        .order_by("cycle__year", "cycle__quarter")
    )
    return [
        {
            "label": f"{r['cycle__year']}Q{r['cycle__quarter']}",
            "year": r["cycle__year"],
            "quarter": r["cycle__quarter"],
            "average": r["average"],
            "satisfied": r["satisfied"],
            "projects": r["projects"],
            "failed": r["failed"],
        }
        for r in rows
    ]


def project_trends(project_ids: list[int]) -> dict[int, list[tuple[str, object]]]:
    """Each project's published totals, oldest first, in one query."""
    trends: dict[int, list[tuple[str, object]]] = {pk: [] for pk in project_ids}
    rows = (
        Scorecard.objects.filter(project_id__in=project_ids, cycle__state=CycleState.PUBLISHED)
        .order_by("cycle__year", "cycle__quarter")
        .values_list("project_id", "cycle__year", "cycle__quarter", "total")
    )
    for pk, year, quarter, total in rows:
        trends[pk].append((f"{year}Q{quarter}", total))
    return trends


def published_scores_by_lead(quarters: list[tuple[int, int]]) -> dict[tuple[int, int, int], dict]:
    """Published totals of public projects per (lead unit, year, quarter): how many scored and their sum."""
    rows = (
        Scorecard.objects.filter(
            _in_quarters("cycle", quarters), cycle__in=ReviewCycle.objects.published(), project__is_public=True
        )
        .order_by()
        .values("project__lead_unit_id", "cycle__year", "cycle__quarter")
        .annotate(scored=Count("total"), score_sum=Sum("total"))
    )
    return {(r["project__lead_unit_id"], r["cycle__year"], r["cycle__quarter"]): r for r in rows}


def open_orders_by_department(quarters: list[tuple[int, int]]) -> dict[tuple[int, int, int], int]:
    """Rectification orders a published quarter issued that are still open, per (department, year, quarter)."""
    rows = (
        RectificationOrder.objects.open()
        .filter(_in_quarters("cycle", quarters), cycle__in=ReviewCycle.objects.published())
        .order_by()
        .values_list("department_id", "cycle__year", "cycle__quarter")
        .annotate(n=Count("pk"))
    )
    return {(department, year, quarter): n for department, year, quarter, n in rows}


def accountability_by_department(quarters: list[tuple[int, int]]) -> dict[tuple[int, int, int], int]:
    """Accountability records (问责) per (department, year, quarter) of the published review that verified the order."""
    rows = (
        AccountabilityRecord.objects.filter(
            _in_quarters("order__verified_in", quarters), order__verified_in__in=ReviewCycle.objects.published()
        )
        .order_by()
        .values_list("department_id", "order__verified_in__year", "order__verified_in__quarter")
        .annotate(n=Count("pk"))
    )
    return {(department, year, quarter): n for department, year, quarter, n in rows}


def _in_quarters(cycle: str, quarters: list[tuple[int, int]]) -> Q:
    match = Q(pk__in=[])  # no quarter, no row
    for year, quarter in quarters:
        match |= Q(**{f"{cycle}__year": year, f"{cycle}__quarter": quarter})
    return match


def open_orders_count(cycle: ReviewCycle) -> int:
    return RectificationOrder.objects.filter(cycle=cycle, status__in=[OrderStatus.ISSUED, OrderStatus.ANSWERED]).count()


def open_surveys() -> QuerySet[Survey]:
    return (
        Survey.objects.filter(cycle__state__in=CYCLE_STEPS[CycleStep.ANSWER].sources)
        .select_related("project", "project__district", "cycle")
        .order_by("project__district__code", "project__code")
    )


def cycle_progress(cycle: ReviewCycle) -> dict[str, int]:
    """The evaluator's checklist for one cycle (a fixed handful of counts)."""
    cards = Scorecard.objects.filter(cycle=cycle).aggregate(
        scorecards=Count("id"), failed=Count("id", filter=Q(grade="fail"))
    )
    answers = SurveyResponse.objects.filter(survey__cycle=cycle).aggregate(
        responses=Count("id", filter=counted_condition(cycle.scheme.count_anonymous)),
        held_apart=Count("id", filter=held_apart_condition(cycle.scheme.count_anonymous)),
        suspicious=Count("id", filter=Q(suspicious=True)),
        excluded=Count("id", filter=Q(excluded=True)),
    )
    return {
        "projects": cycle.projects.count(),
        **answers,
        "inspections": cycle.inspections.filter(signed_off_at__isnull=False).count(),
        "orders": open_orders_count(cycle),
        **cards,
    }


# --- The project page (evaluation/panels.py) ------------------------------------------------------


def project_scorecards(project_id: int) -> list[Scorecard]:
    """A project's published scorecards, oldest quarter first (index `scorecard_project_cycle`)."""
    rows = Scorecard.objects.filter(project_id=project_id, cycle__state=CycleState.PUBLISHED)
    return list(rows.select_related("cycle").order_by("cycle__year", "cycle__quarter"))


def project_open_survey(project_id: int) -> Survey | None:
    """The project's survey while it takes answers (the cycle's declared rule, closing day included)."""
    surveys = open_surveys().filter(project_id=project_id).order_by("-cycle__year", "-cycle__quarter")
    return next((s for s in surveys if s.cycle.takes_answers()), None)


def project_orders(project_id: int) -> list[RectificationOrder]:
    """The rectification orders of a project's published quarters, newest first, with their accountability."""
    rows = RectificationOrder.objects.filter(project_id=project_id, cycle__state=CycleState.PUBLISHED)
    rows = rows.select_related("cycle", "department", "verified_in", "accountability__department")
    return list(rows.prefetch_related("photos").order_by("-cycle__year", "-cycle__quarter"))
