"""Every change to evaluation data goes through these functions (console, pages, API, tasks)."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from civicworks.accounts.models import Role, SentNotice, User
from civicworks.permissions import has_role
from participation import hooks as participation_hooks
from projects.models import ChainRole, Project, ResponsiblePerson, Stage

from . import indicators, scoring
from .models import (
    AccountabilityRecord,
    CycleState,
    DepartmentReport,
    Grade,
    IndicatorValue,
    Inspection,
    OrderStatus,
    RectificationOrder,
    ReviewCycle,
    Scorecard,
    Survey,
    SurveyResponse,
    WeightingScheme,
    as_score,
)

RECTIFICATION_DAYS = 30


class EvaluationError(Exception):
    """A refused step, with a message for the person who asked."""


class AlreadyAnswered(EvaluationError):
    pass


# --- Guards ------------------------------------------------------------------------------------------


def ensure_evaluator(user: User) -> None:
    """Only evaluators and city administrators change evaluation data."""
    if not has_role(user, Role.EVALUATOR):
        raise PermissionDenied(_("Only evaluators and city administrators may change evaluation data."))


def ensure_unlocked(cycle: ReviewCycle) -> None:
    if cycle.is_locked:
        raise EvaluationError(_("Review cycle %(cycle)s is closed and read-only.") % {"cycle": cycle})


def ensure_state(cycle: ReviewCycle, *states: str) -> None:
    if cycle.state not in states:
        raise EvaluationError(
            _("Review cycle %(cycle)s is %(state)s: this step is not possible now.")
            % {"cycle": cycle, "state": cycle.get_state_display()}
        )


# --- Cycle steps ---------------------------------------------------------------------------------------


def lock(cycle: ReviewCycle) -> ReviewCycle:
    """Serialise steps on one cycle (two evaluators pressing "close" at once) and see its real state."""
    ReviewCycle.objects.select_for_update().filter(pk=cycle.pk).values_list("pk").first()
    cycle.refresh_from_db()
    return cycle


@transaction.atomic
def cycle_create(*, year: int, quarter: int, by: User, scheme: WeightingScheme | None = None) -> ReviewCycle:
    ensure_evaluator(by)
    cycle, _created = ReviewCycle.objects.get_or_create(
        year=year, quarter=quarter, defaults={"scheme": scheme or WeightingScheme.default()}
    )
    return cycle


def active_projects(cycle: ReviewCycle):
    """Default scope: projects under way in the quarter, or completed this year (回头看)."""
    return (
        Project.objects.exclude(stage__in=[Stage.PLANNED, Stage.CANCELLED])
        .filter(Q(planned_start__isnull=True) | Q(planned_start__lte=cycle.ends_on))
        .filter(Q(actual_completion__isnull=True) | Q(actual_completion__gte=date(cycle.year, 1, 1)))
    )


@transaction.atomic
def cycle_scope_set(*, cycle: ReviewCycle, projects, by: User) -> None:
    ensure_evaluator(by)
    ensure_unlocked(cycle)
    cycle.projects.set(projects)
    surveys_ensure(cycle=cycle)


def surveys_ensure(*, cycle: ReviewCycle) -> None:
    """One survey per project in scope (idempotent: the unique constraint absorbs repeats)."""
    Survey.objects.bulk_create(
        [Survey(cycle=cycle, project_id=pk) for pk in cycle.projects.values_list("pk", flat=True)],
        ignore_conflicts=True,
    )


@transaction.atomic
def cycle_open(*, cycle: ReviewCycle, by: User) -> ReviewCycle:
    ensure_evaluator(by)
    lock(cycle)
    ensure_state(cycle, CycleState.DRAFT)
    if not cycle.projects.exists():
        cycle.projects.set(active_projects(cycle))
    surveys_ensure(cycle=cycle)
    cycle.state, cycle.opened_at = CycleState.OPEN, timezone.now()
    cycle.survey_closes_on = cycle.survey_closes_on or cycle.ends_on
    cycle.save(update_fields=["state", "opened_at", "survey_closes_on"])
    return cycle


@transaction.atomic
def cycle_compute(*, cycle: ReviewCycle, by: User) -> int:
    """Measure the indicators and (re)write every scorecard. Idempotent: same data, same rows."""
    ensure_evaluator(by)
    lock(cycle)
    ensure_state(cycle, CycleState.OPEN)
    indicators_store(cycle=cycle)
    count = scorecards_store(cycle=cycle)
    cycle.computed_at = timezone.now()
    cycle.save(update_fields=["computed_at"])
    return count


def indicators_store(*, cycle: ReviewCycle) -> None:
    projects = list(cycle.projects.all())
    measured = indicators.measure_cycle(cycle, projects)
    rows = [
        IndicatorValue(cycle=cycle, project_id=pk, kind=m.kind, raw_value=m.raw, score=m.score, basis=m.basis)
        for pk, values in measured.items()
        for m in values
    ]
    IndicatorValue.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["cycle", "project", "kind"],
        update_fields=["raw_value", "score", "basis"],
    )
    IndicatorValue.objects.filter(cycle=cycle).exclude(project__in=cycle.projects.all()).delete()


def scorecards_store(*, cycle: ReviewCycle) -> int:
    rows = scoring.scorecard_rows(cycle)
    cards = [scorecard_from_row(cycle, row) for row in rows]
    Scorecard.objects.bulk_create(
        cards,
        update_conflicts=True,
        unique_fields=["cycle", "project"],
        update_fields=[*scoring.SCORECARD_FIELDS, "change"],
    )
    Scorecard.objects.filter(cycle=cycle).exclude(project__in=cycle.projects.all()).delete()
    return len(cards)


def scorecard_from_row(cycle: ReviewCycle, row: dict) -> Scorecard:
    card = Scorecard(cycle=cycle, project_id=row["pk"], grade=row["grade"], response_count=int(row["response_count"]))
    for name in ("satisfaction_score", "acceptance_score", "indicators_score", "satisfied_share", "happiness_index"):
        setattr(card, name, as_score(row[name]))
    card.total, card.previous_total = as_score(row["total"]), as_score(row["previous_total"])
    if card.total is None:
        card.rank_in_category = card.rank_in_district = None
    else:
        card.rank_in_category, card.rank_in_district = row["rank_in_category"], row["rank_in_district"]
    if card.total is not None and card.previous_total is not None:
        card.change = card.total - card.previous_total
    return card


@transaction.atomic
def orders_issue(*, cycle: ReviewCycle, by: User, deadline: date | None = None) -> list[RectificationOrder]:
    """An order for every project below the pass mark or failing an acceptance item. Idempotent."""
    ensure_evaluator(by)
    lock(cycle)
    ensure_state(cycle, CycleState.OPEN)
    if cycle.computed_at is None:
        raise EvaluationError(_("Compute the scores before issuing rectification orders."))
    deadline = deadline or timezone.localdate() + timedelta(days=RECTIFICATION_DAYS)
    failing = Scorecard.objects.filter(cycle=cycle).filter(
        Q(grade=Grade.FAIL) | Q(project__in=failed_acceptance_projects(cycle))
    )
    leads = lead_people(cycle)
    issued = []
    for card in failing.select_related("project", "project__lead_unit"):
        order, created = RectificationOrder.objects.get_or_create(
            cycle=cycle,
            project=card.project,
            defaults={
                "department": card.project.lead_unit,
                "responsible_person": leads.get(card.project_id, card.project.lead_unit.name),
                "findings": findings_for(card),
                "deadline": deadline,
                "issued_by": by,
            },
        )
        if created:
            issued.append(order)
    return issued


def failed_acceptance_projects(cycle: ReviewCycle):
    return Inspection.objects.filter(cycle=cycle, items__passed=False).values("project_id")


def lead_people(cycle: ReviewCycle) -> dict[int, str]:
    people = ResponsiblePerson.objects.filter(project__review_cycles=cycle, role=ChainRole.LEAD).order_by("-id")
    return {person.project_id: person.name for person in people}


def findings_for(card: Scorecard) -> str:
    lines = [_("Score %(total)s, grade %(grade)s.") % {"total": card.total, "grade": card.get_grade_display()}]
    for label, value in (
        (pgettext("evaluation", "Satisfaction"), card.satisfaction_score),
        (_("On-site acceptance"), card.acceptance_score),
        (_("Objective indicators"), card.indicators_score),
    ):
        if value is not None and value < card.cycle.scheme.pass_mark:
            lines.append(_("%(part)s below the pass mark: %(value)s.") % {"part": label, "value": value})
    return "\n".join(lines)


@transaction.atomic
def cycle_close(*, cycle: ReviewCycle, by: User, send_reports: bool = True) -> ReviewCycle:
    """Close the cycle (read-only from now on); after commit Celery builds and mails the reports.

    `send_reports=False` is for the demo seed, which builds them itself without real mail.
    """
    ensure_evaluator(by)
    lock(cycle)
    ensure_state(cycle, CycleState.OPEN)
    if cycle.computed_at is None:
        raise EvaluationError(_("Compute the scores before closing the cycle."))
    cycle.state, cycle.closed_at = CycleState.CLOSED, timezone.now()
    cycle.save(update_fields=["state", "closed_at"])
    if send_reports:
        from .tasks import cycle_reports_send

        transaction.on_commit(lambda: cycle_reports_send.delay(cycle.pk))
    return cycle


@transaction.atomic
def cycle_publish(*, cycle: ReviewCycle, by: User) -> ReviewCycle:
    ensure_evaluator(by)
    lock(cycle)
    if cycle.state != CycleState.CLOSED:
        raise EvaluationError(_("Only a closed cycle can be published."))
    cycle.state, cycle.published_at = CycleState.PUBLISHED, timezone.now()
    cycle.save(update_fields=["state", "published_at"])
    return cycle


# --- Surveys, inspections, orders ------------------------------------------------------------------------


@transaction.atomic
def survey_respond(
    *, survey: Survey, user: User | None, device_token: str, satisfaction: int, happiness: int, comment: str = ""
) -> SurveyResponse:
    cycle = survey.cycle
    if cycle.state != CycleState.OPEN or (cycle.survey_closes_on and timezone.localdate() > cycle.survey_closes_on):
        raise EvaluationError(_("This survey is not open."))
    signed_in = user is not None and user.is_authenticated
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                survey=survey,
                user=user if signed_in else None,
                device_token="" if signed_in else device_token,
                satisfaction=satisfaction,
                happiness=happiness,
                comment=comment,
            )
    except IntegrityError as exc:
        raise AlreadyAnswered(_("You have already answered this survey. Thank you!")) from exc
    if signed_in:
        participation_hooks.on_survey_answered(user=user, response_id=response.pk)
    return response


@transaction.atomic
def inspection_sign_off(*, inspection: Inspection, by: User) -> Inspection:
    ensure_evaluator(by)
    ensure_unlocked(inspection.cycle)
    if inspection.score is None:
        raise EvaluationError(_("Give the acceptance a score before signing it off."))
    inspection.signed_off_by, inspection.signed_off_at = by, timezone.now()
    inspection.save(update_fields=["signed_off_by", "signed_off_at"])
    return inspection


def may_answer(user: User, order: RectificationOrder) -> bool:
    return has_role(user, Role.EVALUATOR) or (
        has_role(user, Role.OFFICIAL, Role.MANAGER) and user.department_id == order.department_id
    )


@transaction.atomic
def order_answer(*, order: RectificationOrder, by: User, response: str) -> RectificationOrder:
    """The department's rectification report (整改报告)."""
    if not may_answer(by, order):
        raise PermissionDenied(_("Only the responsible department may answer this order."))
    if not order.is_open:
        raise EvaluationError(_("This order is already verified."))
    if not response.strip():
        raise EvaluationError(_("Describe what was rectified."))
    order.response, order.status = response.strip(), OrderStatus.ANSWERED
    order.answered_by, order.answered_at = by, timezone.now()
    order.save(update_fields=["response", "status", "answered_by", "answered_at"])
    return order


@transaction.atomic
def order_verify(
    *, order: RectificationOrder, cycle: ReviewCycle, by: User, rectified: bool, note: str
) -> RectificationOrder:
    """The next cycle checks the order: closed, or escalated to an accountability record (问责)."""
    ensure_evaluator(by)
    ensure_state(cycle, CycleState.OPEN)
    if (cycle.year, cycle.quarter) <= (order.cycle.year, order.cycle.quarter):
        raise EvaluationError(_("An order is verified in a later cycle than the one that issued it."))
    if order.status not in (OrderStatus.ISSUED, OrderStatus.ANSWERED):
        raise EvaluationError(_("This order is already verified."))
    order.status = OrderStatus.CLOSED if rectified else OrderStatus.ESCALATED
    order.verified_in, order.verification_note = cycle, note
    order.save(update_fields=["status", "verified_in", "verification_note"])
    if not rectified:
        AccountabilityRecord.objects.create(
            order=order, person=order.responsible_person, department=order.department, reason=note, recorded_by=by
        )
    return order


# --- Department reports ------------------------------------------------------------------------------------


def cycle_reports_send(*, cycle: ReviewCycle) -> int:
    """Build and e-mail every department's report; returns how many were e-mailed now."""
    from .selectors import departments_in_cycle

    return sum(department_report_send(cycle=cycle, department=d) for d in departments_in_cycle(cycle))


def _delete_stored(names: list[str]) -> None:
    """The files a rebuilt report replaced (after commit: a rollback keeps the old ones in use)."""
    for name in names:
        default_storage.delete(name)


@transaction.atomic
def department_report_send(*, cycle: ReviewCycle, department) -> bool:
    """Build the PDF and XLSX, keep them, and e-mail them once (a SentNotice key per cycle+department).

    As in `notify_once`, the claim and the sending share one transaction: a refused mail rolls
    the claim back and a later run tries again.
    """
    from . import reports

    pdf, xlsx = reports.build_both(cycle, department)
    report, _created = DepartmentReport.objects.get_or_create(cycle=cycle, department=department)
    name = f"evaluation-{cycle.slug}-dept{department.pk}"  # the e-mail's attachment names only
    replaced = [f.name for f in (report.pdf, report.xlsx) if f]
    # Stored under random tokens (TokenPath): the name tells neither the department nor the quarter.
    report.pdf.save("report.pdf", ContentFile(pdf), save=False)
    report.xlsx.save("report.xlsx", ContentFile(xlsx), save=False)
    report.save()
    transaction.on_commit(lambda: _delete_stored(replaced))
    if not department.dispatch_email:
        return False
    key = f"evaluation-report:{cycle.pk}:{department.pk}"
    subject = _("Quarterly evaluation %(cycle)s: report for %(department)s") % {
        "cycle": cycle,
        "department": department.name,
    }
    try:
        with transaction.atomic():
            SentNotice.objects.create(key=key, subject=subject[:255], recipients=[department.dispatch_email])
            message = EmailMessage(subject, report_mail_body(cycle), to=[department.dispatch_email])
            message.attach(f"{name}.pdf", pdf, "application/pdf")
            message.attach(f"{name}.xlsx", xlsx, XLSX_TYPE)
            message.send()
    except IntegrityError:
        return False
    report.emailed_at = timezone.now()
    report.save(update_fields=["emailed_at"])
    return True


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_mail_body(cycle: ReviewCycle) -> str:
    return _(
        "The review cycle %(cycle)s is closed. Attached are your department's scorecards and "
        "rectification orders (PDF and spreadsheet). Please answer each order before its deadline."
    ) % {"cycle": cycle}


def survey_import(*, cycle: ReviewCycle, name: str, data: bytes, by: User) -> int:
    """Import a third party's responses; any bad row rejects the whole file (ImportRejected)."""
    from . import imports

    ensure_evaluator(by)
    ensure_state(cycle, CycleState.OPEN)
    checked = imports.check_rows(cycle, imports.read_table(name, data))
    if checked.errors:
        raise imports.ImportRejected(checked.errors)
    return imports.store(checked)
