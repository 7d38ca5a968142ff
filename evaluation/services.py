"""Every change to evaluation data goes through these functions (console, pages, API, tasks)."""

from collections import defaultdict
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicworks import bulkload, events
from civicworks.accounts.models import Role, SentNotice, User
from civicworks.inputs import plain_text
from civicworks.permissions import has_role
from civicworks.photos import check_photo
from projects.models import ChainRole, ResponsiblePerson

from . import findings, indicators, integrity, notifications, scoring, selectors
from .errors import EvaluationError
from .models import (
    MAX_CODES,
    AccountabilityRecord,
    CycleStep,
    DepartmentReport,
    IndicatorValue,
    Inspection,
    InvitationCode,
    ManualIndicator,
    OrderStatus,
    PhotoKind,
    RectificationOrder,
    RectificationPhoto,
    ResponseKind,
    ResponseReview,
    ReviewCycle,
    Scorecard,
    Survey,
    SurveyResponse,
    WeightingScheme,
    as_score,
    normalise_code,
)

RECTIFICATION_DAYS = 30


class AlreadyAnswered(EvaluationError):
    pass


class InvalidCode(EvaluationError):
    pass


# --- Guards ------------------------------------------------------------------------------------------


def ensure_evaluator(user: User) -> None:
    """Only evaluators and city administrators change evaluation data."""
    if not has_role(user, Role.EVALUATOR):
        raise PermissionDenied(_("Only evaluators and city administrators may change evaluation data."))


def ensure_unlocked(cycle: ReviewCycle) -> None:
    if not cycle.can(CycleStep.EDIT):
        raise EvaluationError(_("Review cycle %(cycle)s is closed and read-only.") % {"cycle": cycle})


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
    changed = cycle.transition(CycleStep.OPEN, by=by)  # refuses a quarter that has not begun
    if not cycle.projects.exists():
        cycle.projects.set(selectors.active_projects(cycle))
    surveys_ensure(cycle=cycle)
    cycle.survey_closes_on = cycle.survey_closes_on or cycle.ends_on
    cycle.save(update_fields=[*changed, "survey_closes_on"])
    surveys = list(Survey.objects.filter(cycle=cycle).select_related("project"))
    notifications.tell_followers(surveys, kind="evaluation.survey_open", link=lambda s: s.get_absolute_url())
    return cycle


@transaction.atomic
def cycle_compute(*, cycle: ReviewCycle, by: User) -> int:
    """Measure the indicators and (re)write every scorecard. Idempotent: same data, same rows."""
    ensure_evaluator(by)
    lock(cycle)
    cycle.ensure(CycleStep.COMPUTE)
    responses_flag_bursts(cycle=cycle)  # bursts that raced past the check on each answer
    indicators_store(cycle=cycle)
    count = scorecards_store(cycle=cycle)
    cycle.save(update_fields=cycle.transition(CycleStep.COMPUTE, by=by))
    return count


def indicators_store(*, cycle: ReviewCycle) -> None:
    projects = list(cycle.projects.all())
    measured = indicators.measure_cycle(cycle, projects)
    rows = ((cycle.pk, pk, m.kind, m.raw, m.score, m.basis) for pk, values in measured.items() for m in values)
    bulkload.upsert(IndicatorValue, ["cycle", "project", "kind"], ["raw_value", "score", "basis"], rows)
    IndicatorValue.objects.filter(cycle=cycle).exclude(project__in=cycle.projects.all()).delete()


def scorecards_store(*, cycle: ReviewCycle) -> int:
    fields = [*scoring.SCORECARD_FIELDS, "change"]
    values = [scorecard_values(row) for row in scoring.scorecard_rows(cycle)]
    bulkload.upsert(
        Scorecard, ["cycle", "project"], fields, ((cycle.pk, v["pk"], *(v[f] for f in fields)) for v in values)
    )
    Scorecard.objects.filter(cycle=cycle).exclude(project__in=cycle.projects.all()).delete()
    return len(values)


def scorecard_values(row: dict) -> dict:
    """A scorecard's stored values from its row of the scorecard query."""
    card = {"pk": row["pk"], "grade": row["grade"]}
    for name in ("response_count", "anonymous_count", "excluded_count"):
        card[name] = int(row[name])
    for name in ("satisfaction_score", "acceptance_score", "indicators_score", "satisfied_share", "happiness_index"):
        card[name] = as_score(row[name])
    card["total"], card["previous_total"] = as_score(row["total"]), as_score(row["previous_total"])
    ranked = card["total"] is not None
    card["rank_in_category"] = row["rank_in_category"] if ranked else None
    card["rank_in_district"] = row["rank_in_district"] if ranked else None
    both = ranked and card["previous_total"] is not None
    card["change"] = card["total"] - card["previous_total"] if both else None
    return card


@transaction.atomic
def orders_issue(*, cycle: ReviewCycle, by: User, deadline: date | None = None) -> list[RectificationOrder]:
    """An order for every project below the pass mark or failing an acceptance item. Idempotent.

    Each order keeps its findings as data with their figures (evaluation/findings.py), read in
    four queries for the whole cycle however many projects fail.
    """
    ensure_evaluator(by)
    lock(cycle)
    cycle.ensure(CycleStep.ISSUE_ORDERS)
    if cycle.computed_at is None:
        raise EvaluationError(_("Compute the scores before issuing rectification orders."))
    deadline = deadline or timezone.localdate() + timedelta(days=RECTIFICATION_DAYS)
    cards = list(selectors.failing_scorecards(cycle).exclude(project__in=cycle.orders.values("project_id")))
    figures = findings_figures(cycle, [card.project_id for card in cards])
    leads = lead_people(cycle)
    issued = []
    for card in cards:
        order, created = RectificationOrder.objects.get_or_create(
            cycle=cycle,
            project=card.project,
            defaults={
                "department": card.project.lead_unit,
                "responsible_person": leads.get(card.project_id, card.project.lead_unit.name),
                "findings_data": findings.collect(card, pass_mark=cycle.scheme.pass_mark, **figures(card.project_id)),
                "deadline": deadline,
                "issued_by": by,
            },
        )
        if created:
            issued.append(order)
    notifications.tell_followers(issued, kind="evaluation.order_issued")
    return issued


def findings_figures(cycle: ReviewCycle, project_ids: list[int]):
    """The acceptances, indicator values and manual indicators of these projects, per project."""
    inspections = Inspection.objects.filter(cycle=cycle, project__in=project_ids).prefetch_related("items")
    by_project = {inspection.project_id: inspection for inspection in inspections}
    values, manuals = defaultdict(list), defaultdict(list)
    for value in IndicatorValue.objects.filter(cycle=cycle, project__in=project_ids).order_by("kind"):
        values[value.project_id].append(value)
    for manual in ManualIndicator.objects.filter(cycle=cycle, project__in=project_ids).order_by("name"):
        manuals[manual.project_id].append(manual)
    return lambda pk: {"inspection": by_project.get(pk), "values": values[pk], "manuals": manuals[pk]}


def lead_people(cycle: ReviewCycle) -> dict[int, str]:
    people = ResponsiblePerson.objects.filter(project__review_cycles=cycle, role=ChainRole.LEAD).order_by("-id")
    return {person.project_id: person.name for person in people}


@transaction.atomic
def cycle_close(*, cycle: ReviewCycle, by: User, reason: str = "", send_reports: bool = True) -> ReviewCycle:
    """Close the cycle (read-only from now on); after commit Celery builds and mails the reports.

    Closing before the survey closes or before the quarter ends needs a `reason` (kept on the
    cycle with who closed it). `send_reports=False` is for the demo seed, which builds them
    itself without real mail.
    """
    ensure_evaluator(by)
    lock(cycle)
    cycle.ensure(CycleStep.CLOSE)
    if cycle.computed_at is None:
        raise EvaluationError(_("Compute the scores before closing the cycle."))
    cycle.save(update_fields=cycle.transition(CycleStep.CLOSE, by=by, reason=reason))
    if send_reports:
        from .tasks import cycle_reports_send

        transaction.on_commit(lambda: cycle_reports_send.delay(cycle.pk))
    return cycle


@transaction.atomic
def cycle_publish(*, cycle: ReviewCycle, by: User) -> ReviewCycle:
    ensure_evaluator(by)
    lock(cycle)
    if not cycle.can(CycleStep.PUBLISH):
        raise EvaluationError(_("Only a closed cycle can be published."))
    cycle.save(update_fields=cycle.transition(CycleStep.PUBLISH, by=by))
    return cycle


# --- Surveys, inspections, orders ------------------------------------------------------------------------


@transaction.atomic
def survey_respond(
    *,
    survey: Survey,
    user: User | None,
    device_token: str,
    satisfaction: int,
    happiness: int,
    comment: str = "",
    code: str = "",
    fingerprint: str = "",
) -> SurveyResponse:
    """Keep a resident's answer; it counts if signed in or with an invitation code (docs/evaluation.md).

    Without either it is kept as anonymous, held apart, and checked for a burst. A signed-in
    resident answers once (a second answer is refused, the first stays).
    """
    if not survey.cycle.takes_answers():
        raise EvaluationError(_("This survey is not open."))
    signed_in = user is not None and user.is_authenticated
    invitation = invitation_claim(survey=survey, code=code) if normalise_code(code) else None
    if invitation is not None:
        kind = ResponseKind.CODE
    else:
        kind = ResponseKind.ACCOUNT if signed_in else ResponseKind.ANONYMOUS
    anonymous = kind == ResponseKind.ANONYMOUS
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                survey=survey,
                user=user if signed_in else None,
                kind=kind,
                invitation=invitation,
                device_token=device_token if anonymous else "",
                fingerprint=fingerprint if anonymous else "",
                satisfaction=satisfaction,
                happiness=happiness,
                comment=comment,
            )
    except IntegrityError as exc:
        # Also undoes the claim of the code: the outer transaction rolls back with the refusal.
        raise AlreadyAnswered(_("You have already answered this survey. Thank you!")) from exc
    if anonymous:
        flag_recent_bursts(response)
    if signed_in:
        events.survey_answered.send(sender=SurveyResponse, user=user, response_id=response.pk)
    return response


def invitation_claim(*, survey: Survey, code: str) -> InvitationCode:
    """Mark the survey's unused code as used, or refuse.

    One conditional UPDATE: of two answers racing with one code, the second waits for the
    first's row lock and then finds `used_at` set (0 rows); the one-to-one field on the answer
    is the database's second guard.
    """
    value = normalise_code(code)
    claimed = InvitationCode.objects.filter(survey=survey, code=value, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if claimed != 1:
        raise InvalidCode(
            _(
                "This invitation code is not valid for this survey, or it has already been used. Check it, or "
                "leave the field empty: your answer is then kept, apart from the counted ones."
            )
        )
    return InvitationCode.objects.get(survey=survey, code=value)


def flag_recent_bursts(response: SurveyResponse) -> None:
    """The burst rules (evaluation/integrity.py) for the windows ending with this anonymous answer."""
    recent = SurveyResponse.objects.filter(survey_id=response.survey_id, kind=ResponseKind.ANONYMOUS)
    now = response.submitted_at
    groups = [recent.filter(submitted_at__gt=now - integrity.BURST_WINDOW)]
    if response.fingerprint:
        groups.append(
            recent.filter(fingerprint=response.fingerprint, submitted_at__gt=now - integrity.FINGERPRINT_WINDOW)
        )
    limits = [integrity.BURST_SIZE, integrity.FINGERPRINT_LIMIT]
    for group, limit in zip(groups, limits, strict=False):
        if group.count() >= limit:
            group.filter(suspicious=False).update(suspicious=True)


def responses_flag_bursts(*, cycle: ReviewCycle) -> int:
    """Sweep every window of the cycle's anonymous answers (idempotent); returns how many were newly flagged."""
    per_survey = defaultdict(list)
    rows = SurveyResponse.objects.filter(survey__cycle=cycle, kind=ResponseKind.ANONYMOUS)
    for survey_id, pk, print_, at in rows.values_list("survey_id", "pk", "fingerprint", "submitted_at"):
        per_survey[survey_id].append((pk, print_, at))
    flagged = sorted(set().union(*(integrity.bursts(answers) for answers in per_survey.values())))
    return sum(
        SurveyResponse.objects.filter(pk__in=flagged[i : i + 500], suspicious=False).update(suspicious=True)
        for i in range(0, len(flagged), 500)
    )


@transaction.atomic
def invitation_codes_create(*, survey: Survey, count: int, by: User) -> list[InvitationCode]:
    """`count` new single-use codes for the survey, for the evaluator to print and hand out."""
    ensure_evaluator(by)
    ensure_unlocked(lock(survey.cycle))
    if not 1 <= count <= MAX_CODES:
        raise EvaluationError(_("Ask for 1 to %(max)d codes per survey.") % {"max": MAX_CODES})
    codes = [InvitationCode(survey=survey, code=InvitationCode.generate(), created_by=by) for _i in range(count)]
    return InvitationCode.objects.bulk_create(codes)


@transaction.atomic
def responses_review(*, responses, by: User, excluded: bool, reason: str) -> int:
    """Exclude answers from the count (or include them again), one audit row each; returns how many changed."""
    ensure_evaluator(by)
    reason = reason.strip()
    if not reason:
        raise EvaluationError(_("Give a reason: it is kept, with your name and the time, in the answer reviews."))
    pks = [response.pk for response in responses]
    rows = list(SurveyResponse.objects.select_for_update(of=("self",)).filter(pk__in=pks).order_by("pk"))
    for cycle in ReviewCycle.objects.filter(surveys__responses__in=pks).distinct():
        ensure_unlocked(lock(cycle))
    changed = [row for row in rows if row.excluded != excluded]
    for row in changed:
        row.excluded = excluded
    SurveyResponse.objects.bulk_update(changed, ["excluded"])
    ResponseReview.objects.bulk_create(
        ResponseReview(response=row, excluded=excluded, reason=reason, by=by) for row in changed
    )
    return len(changed)


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


def may_add_photo(user: User, order: RectificationOrder, kind: str) -> bool:
    """ "Before" photos are the evaluator's finding; "after" photos go with the department's answer."""
    return has_role(user, Role.EVALUATOR) if kind == PhotoKind.BEFORE else may_answer(user, order)


@transaction.atomic
def order_photo_add(*, order: RectificationOrder, by: User, kind: str, image, caption: str = "") -> RectificationPhoto:
    """A photo of the order's site, checked and re-encoded (no EXIF/GPS) by `PhotoField`."""
    if kind not in PhotoKind.values:
        raise EvaluationError(_("Unknown kind of photo."), code="photo_kind")
    if not may_add_photo(by, order, kind):
        raise PermissionDenied(_("You may not add this photo to this order."))
    if not order.is_open:
        raise EvaluationError(_("This order is already verified."))
    check_photo(image)
    return RectificationPhoto.objects.create(
        order=order, kind=kind, image=image, caption=plain_text(caption).strip()[:120], added_by=by
    )


@transaction.atomic
def order_answer(
    *, order: RectificationOrder, by: User, response: str, photo=None, caption: str = ""
) -> RectificationOrder:
    """The department's rectification report (整改报告), with a photo of the result ("after") if given."""
    if not may_answer(by, order):
        raise PermissionDenied(_("Only the responsible department may answer this order."))
    if not order.is_open:
        raise EvaluationError(_("This order is already verified."))
    if not response.strip():
        raise EvaluationError(_("Describe what was rectified."))
    order.response, order.status = response.strip(), OrderStatus.ANSWERED
    order.answered_by, order.answered_at = by, timezone.now()
    order.save(update_fields=["response", "status", "answered_by", "answered_at"])
    if photo:
        order_photo_add(order=order, by=by, kind=PhotoKind.AFTER, image=photo, caption=caption)
    return order


@transaction.atomic
def order_verify(
    *, order: RectificationOrder, cycle: ReviewCycle, by: User, rectified: bool, note: str
) -> RectificationOrder:
    """The next cycle checks the order: closed, or escalated to an accountability record (问责)."""
    ensure_evaluator(by)
    cycle.ensure(CycleStep.VERIFY_ORDERS)
    if (cycle.year, cycle.quarter) <= (order.cycle.year, order.cycle.quarter):
        raise EvaluationError(_("An order is verified in a later cycle than the one that issued it."))
    if order.status not in (OrderStatus.ISSUED, OrderStatus.ANSWERED):
        raise EvaluationError(_("This order is already verified."))
    if rectified and order.requires_after_photo and not order.photos.filter(kind=PhotoKind.AFTER).exists():
        raise EvaluationError(
            _("This order can be verified as rectified only once the department's answer carries an “after” photo."),
            code="after_photo_required",
        )
    order.status = OrderStatus.CLOSED if rectified else OrderStatus.ESCALATED
    order.verified_in, order.verification_note = cycle, note
    order.save(update_fields=["status", "verified_in", "verification_note"])
    if not rectified:
        AccountabilityRecord.objects.create(
            order=order, person=order.responsible_person, department=order.department, reason=note, recorded_by=by
        )
    else:
        notifications.tell_followers([order], kind="evaluation.order_closed")
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
    recipients = department.mail_recipients()
    if not recipients:
        return False
    key = f"evaluation-report:{cycle.pk}:{department.pk}"
    subject = _("Quarterly evaluation %(cycle)s: report for %(department)s") % {
        "cycle": cycle,
        "department": department.name,
    }
    try:
        with transaction.atomic():
            SentNotice.objects.create(key=key, subject=subject[:255], recipients=recipients)
            message = EmailMessage(subject, report_mail_body(cycle), to=recipients)
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
    cycle.ensure(CycleStep.ANSWER)
    checked = imports.check_rows(cycle, imports.read_table(name, data))
    if checked.errors:
        raise imports.ImportRejected(checked.errors)
    return imports.store(checked)
