"""Reads shared by the public pages, the API, the console and the department reports."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from civicworks.accounts.models import Role
from civicworks.permissions import has_role
from projects.models import Department, Project, Stage

from .models import (
    CYCLE_STEPS,
    AccountabilityRecord,
    CycleState,
    CycleStep,
    Grade,
    Inspection,
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


# --- Running a cycle: its scope, what calls for an order, and each step's state ---------------------


def active_projects(cycle: ReviewCycle) -> QuerySet[Project]:
    """Default scope: projects under way in the quarter, or completed this year (回头看)."""
    return (
        Project.objects.exclude(stage__in=[Stage.PLANNED, Stage.CANCELLED])
        .filter(Q(planned_start__isnull=True) | Q(planned_start__lte=cycle.ends_on))
        .filter(Q(actual_completion__isnull=True) | Q(actual_completion__gte=date(cycle.year, 1, 1)))
    )


def failed_acceptance_projects(cycle: ReviewCycle) -> QuerySet:
    return Inspection.objects.filter(cycle=cycle, items__passed=False).values("project_id")


def failing_scorecards(cycle: ReviewCycle) -> QuerySet[Scorecard]:
    """The scorecards that call for a rectification order: below the pass mark, or an acceptance item failed."""
    return (
        Scorecard.objects.filter(cycle=cycle)
        .filter(Q(grade=Grade.FAIL) | Q(project__in=failed_acceptance_projects(cycle)))
        .select_related("project", "project__lead_unit", "cycle")
        .order_by("project__code")
    )


@dataclass(frozen=True)
class StepState:
    """One step of a cycle as the console shows it: what it will do, what stands in its way."""

    step: CycleStep
    action: str  # the console action that runs it (ReviewCycleAdmin.actions)
    label: str
    effect: str
    done: str = ""  # when it was done, for the steps that happen once
    blockers: list[str] = field(default_factory=list)  # why it cannot run now: no button
    cautions: list[str] = field(default_factory=list)  # what to know first: it still runs

    @property
    def allowed(self) -> bool:
        return not self.done and not self.blockers


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i") if moment else ""


def _state_blocker(cycle: ReviewCycle, step: CycleStep) -> list[str]:
    if cycle.can(step):
        return []
    return [_("Not possible while the cycle is %(state)s.") % {"state": cycle.get_state_display()}]


def cycle_step_figures(cycle: ReviewCycle) -> dict[str, int]:
    """The counts the steps speak of, in a fixed handful of queries."""
    scope = cycle.projects.all()
    projects = scope.count() or (active_projects(cycle).count() if cycle.can(CycleStep.OPEN) else 0)
    counted = counted_condition(cycle.scheme.count_anonymous, "responses__")
    surveys = Survey.objects.filter(cycle=cycle).annotate(n=Count("responses", filter=counted))
    signed = cycle.inspections.filter(signed_off_at__isnull=False).values("project_id")
    return {
        "projects": projects,
        "below_quota": surveys.filter(n__lt=cycle.scheme.min_responses).count(),
        "unsigned": scope.exclude(pk__in=signed).count(),
        "to_order": failing_scorecards(cycle).exclude(project__in=cycle.orders.values("project_id")).count(),
        "departments": departments_in_cycle(cycle).count(),
    }


def cycle_steps(cycle: ReviewCycle, today: date | None = None) -> list[StepState]:
    """Each step of the cycle (open, compute, issue orders, close, publish) with its state, for the console."""
    today = today or timezone.localdate()
    n = cycle_step_figures(cycle)
    return [
        _open_step(cycle, n, today),
        _compute_step(cycle, n),
        _orders_step(cycle, n),
        _close_step(cycle, n, today),
        _publish_step(cycle, n),
    ]


def _open_step(cycle: ReviewCycle, n: dict, today: date) -> StepState:
    blockers = _state_blocker(cycle, CycleStep.OPEN)
    if not blockers and today < cycle.starts_on:
        blockers.append(_("The quarter has not begun: it starts on %(day)s.") % {"day": cycle.starts_on.isoformat()})
    if not blockers and not n["projects"]:
        blockers.append(_("No project in scope: choose the projects, or wait until projects are under way."))
    effect = _("Opens one satisfaction survey for each of %(n)d projects, with its public link and QR code.") % {
        "n": n["projects"]
    }
    done = _("Opened %(time)s.") % {"time": _when(cycle.opened_at)} if cycle.opened_at else ""
    return StepState(CycleStep.OPEN, "open_cycle", _("Open the cycle"), effect, done, blockers)


def _compute_step(cycle: ReviewCycle, n: dict) -> StepState:
    cautions = []
    if n["below_quota"]:
        cautions.append(
            _("%(n)d surveys have fewer than %(quota)d counted answers: their satisfaction part will be missing.")
            % {"n": n["below_quota"], "quota": cycle.scheme.min_responses}
        )
    if n["unsigned"]:
        cautions.append(
            _("%(n)d projects have no signed-off on-site acceptance: their acceptance part will be missing.")
            % {"n": n["unsigned"]}
        )
    effect = _("Computes the indicators and the scorecards of %(n)d projects (safe to repeat).") % {"n": n["projects"]}
    if cycle.computed_at:
        effect += " " + _("Last computed %(time)s.") % {"time": _when(cycle.computed_at)}
    blockers = _state_blocker(cycle, CycleStep.COMPUTE)
    return StepState(CycleStep.COMPUTE, "compute_scores", _("Compute the scores"), effect, "", blockers, cautions)


def _orders_step(cycle: ReviewCycle, n: dict) -> StepState:
    blockers = _state_blocker(cycle, CycleStep.ISSUE_ORDERS)
    if not blockers and cycle.computed_at is None:
        blockers.append(_("The scores are not computed yet."))
    elif not blockers and not n["to_order"]:
        blockers.append(_("No project below the pass mark or failing an acceptance item is without an order."))
    effect = _(
        "Will issue orders to %(n)d projects below the pass mark or failing an acceptance item, with their findings."
    ) % {"n": n["to_order"]}
    return StepState(CycleStep.ISSUE_ORDERS, "issue_orders", _("Issue rectification orders"), effect, "", blockers)


def _close_step(cycle: ReviewCycle, n: dict, today: date) -> StepState:
    blockers = _state_blocker(cycle, CycleStep.CLOSE)
    cautions = []
    if cycle.closed_at is None and not blockers:
        if cycle.computed_at is None:
            blockers.append(_("The scores are not computed yet."))
        if cycle.closes_early(today):
            cautions.append(
                _("The survey is still open or the quarter has not ended (%(day)s): closing now asks for a reason.")
                % {"day": cycle.ends_on.isoformat()}
            )
        if n["to_order"] and cycle.computed_at:
            cautions.append(_("%(n)d failing projects have no rectification order yet.") % {"n": n["to_order"]})
    effect = _("Makes the cycle read-only and sends each of %(n)d departments its report (PDF and spreadsheet).") % {
        "n": n["departments"]
    }
    done = _("Closed %(time)s.") % {"time": _when(cycle.closed_at)} if cycle.closed_at else ""
    return StepState(CycleStep.CLOSE, "close_cycle", _("Close the cycle"), effect, done, blockers, cautions)


def _publish_step(cycle: ReviewCycle, n: dict) -> StepState:
    effect = _("Publishes the scores of %(n)d projects and their rectification orders on the results page.") % {
        "n": n["projects"]
    }
    done = _("Published %(time)s.") % {"time": _when(cycle.published_at)} if cycle.published_at else ""
    blockers = [] if done else _state_blocker(cycle, CycleStep.PUBLISH)
    return StepState(CycleStep.PUBLISH, "publish_cycle", _("Publish the results"), effect, done, blockers)
