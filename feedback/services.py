"""Every state change of a report: intake, routing, dispatch, handling, the resident's answer.

Each step writes a `ReportEvent`; each function that changes a report locks it first
(`select_for_update`) and checks the transition, so two clicks or two workers cannot
both apply it.
"""

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicworks import events
from civicworks.accounts.models import STAFF_ROLES, Role, User
from civicworks.errors import DomainError
from civicworks.inputs import clean_email, plain_text
from civicworks.notify import notify_once, site_link
from civicworks.permissions import is_city_admin
from civicworks.photos import PreparedPhoto, prepare_photo, prepare_photos
from civicworks.publish import publish
from projects.models import Department, Project

from . import notifications, rollups
from .geo import Location, locate
from .models import (
    OPEN_STATUSES,
    REPORT_STEPS,
    Channel,
    DispatchOutbox,
    EventKind,
    FixedAnswer,
    OutboxChannel,
    Report,
    ReportEvent,
    ReportKind,
    ReportPhoto,
    ReportStatus,
    ReportStep,
    RoutingRule,
    ServiceCategory,
    normalise_tracking_code,
)
from .routing import route_choice

logger = logging.getLogger(__name__)

# The task gets the first chance; the sweep steps in only after this grace period.
# (Production defaults in settings.py; the fault tests shorten them through the environment.)
SWEEP_GRACE = timedelta(seconds=settings.FEEDBACK_SWEEP_GRACE_SECONDS)
# FixMyStreet's send loop: retry after 5 minutes, then every 30.
RETRY_FIRST = timedelta(seconds=settings.FEEDBACK_RETRY_FIRST_SECONDS)
RETRY_LATER = timedelta(seconds=settings.FEEDBACK_RETRY_LATER_SECONDS)
WEBHOOK_TIMEOUT = 5
REMINDER_AT = 0.75


class DispatchFailed(Exception):
    """A transient failure (mail server, webhook): the outbox row stays unsent and is retried."""


# --- Access -----------------------------------------------------------------------------------


def may_handle(user, report: Report) -> bool:
    """Staff of the handling department, or a city administrator."""
    if not (user.is_authenticated and user.is_active):
        return False
    if is_city_admin(user):
        return True
    return user.is_department_staff and report.department_id is not None and user.department_id == report.department_id


def acts_for_the_city(user, report: Report) -> bool:
    """Staff on the handling side of this report: its department (or the city), its grid worker, its clerk."""
    if not (user and user.is_authenticated):
        return False
    return may_handle(user, report) or user.pk in (report.grid_worker_id, report.taken_by_id)


def may_act_as_reporter(user, report: Report, tracking_code: str) -> bool:
    """The tracking code is the resident's key; a report filed from an account also needs that account.

    Whoever handles the report never answers for its resident (confirm, rate, reopen), code or
    not, even for a report filed from their own account: the answers score the department.
    """
    if not hmac.compare_digest(report.tracking_code, normalise_tracking_code(tracking_code)):
        return False
    if acts_for_the_city(user, report):
        return False
    if report.reporter_id is None:
        return True
    return bool(user and user.is_authenticated and user.pk == report.reporter_id)


def report_for_handler(user, pk: int) -> Report:
    """The one access helper for a department's writes: the report, 404 (unknown, or hidden from
    this user), or PermissionDenied (a public report another department handles)."""
    report = Report.objects.select_related("category").filter(pk=pk).first()
    if report is None or (report.is_hidden and not may_handle(user, report)):
        raise Http404
    _require(may_handle(user, report))
    return report


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied(_("You may not do this with this report."))


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update().get(pk=report.pk)


def _require_step(report: Report, step: str) -> None:
    if report.status not in REPORT_STEPS[step]:
        raise ValidationError(
            _("This cannot be done while the report is “%(status)s”.") % {"status": report.get_status_display()},
            code="status",
        )


def _handled(report: Report, by: User, step: str) -> Report:
    """The report, locked, once its department (or the city) may take `step` in its status."""
    report = _locked(report)
    _require(may_handle(by, report))
    _require_step(report, step)
    return report


def _answered(report: Report, user, tracking_code: str, step: str) -> Report:
    """The report, locked, once its resident (by the tracking code) may take `step` in its status."""
    report = _locked(report)
    _require(may_act_as_reporter(user, report, tracking_code))
    _require_step(report, step)
    return report


def _event(
    report: Report, kind: str, *, actor=None, department=None, note: str = "", is_public: bool = True, **more
) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report,
        kind=kind,
        actor=actor if actor and actor.is_authenticated else None,
        department=department,
        note=note,
        is_public=is_public,
        **more,
    )


# --- Intake ------------------------------------------------------------------------------------


def _words(text: str | None) -> str:
    """Any text a person wrote, as stored: control characters dropped (civicworks.inputs), trimmed."""
    return plain_text(text).strip()


def _clean_text(text: str) -> str:
    text = _words(text)
    if not text:
        raise ValidationError({"text": _("Please describe the problem.")})
    if len(text) > 4000:
        raise ValidationError({"text": _("Please keep the description under 4000 characters.")})
    return text


def _clean_email(email: str) -> str:
    try:
        return clean_email(email)
    except ValidationError as exc:
        raise ValidationError({"reporter_email": exc.messages}) from None


def _check_location(kind: str, latitude: float | None, longitude: float | None, address: str) -> None:
    if (latitude is None) != (longitude is None):
        raise ValidationError({"latitude": _("Give both latitude and longitude, or neither.")})
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationError({"latitude": _("This location is not on Earth.")})
    if kind == ReportKind.PROBLEM and latitude is None and not address.strip():
        raise ValidationError({"address": _("Please place the pin on the map or type the address.")})


def _check_in_city(where: Location, project: Project | None) -> None:
    """FixMyStreet's rule: a place outside every area of the city is not the city's to fix.

    A report about a project is the exception: it is routed by the project, and the pin may sit
    just beyond the boundary (a site on the city's edge). Its coordinates were range-checked.
    """
    if not where.in_city and project is None:
        raise ValidationError(
            {"latitude": _("This place is outside the city. Please put the pin where the problem is, inside the city.")}
        )


def _check_channel(channel: str, taken_by) -> None:
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    if channel == Channel.WINDOW and not (taken_by and taken_by.is_authenticated and taken_by.role in STAFF_ROLES):
        raise ValidationError({"channel": _("A report taken at a service window needs the staff member.")})


def _queue_dispatch(outbox_id: int) -> None:
    """Publish after commit; a broker outage must not fail the resident's request (the sweep re-sends)."""
    from .tasks import dispatch_report

    publish(dispatch_report, outbox_id)


def _outbox(report: Report, department: Department | None, channel: str) -> DispatchOutbox:
    row = DispatchOutbox.objects.create(
        report=report, department=department, channel=channel, next_attempt_at=timezone.now() + SWEEP_GRACE
    )
    transaction.on_commit(lambda: _queue_dispatch(row.pk))
    return row


def _save_photos(report: Report, photos: list[PreparedPhoto], *, is_answer: bool = False) -> None:
    # Stored under random tokens (the fields' TokenPath): a name reveals no tracking code or account.
    for photo in photos:
        ReportPhoto.objects.create(
            report=report,
            image=ContentFile(photo.image, name="photo.jpg"),
            thumbnail=ContentFile(photo.thumbnail, name="thumbnail.jpg"),
            width=photo.width,
            height=photo.height,
            is_answer=is_answer,
        )


def report_submit(
    *,
    category: ServiceCategory,
    text: str,
    kind: str = ReportKind.PROBLEM,
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
    text_is_public: bool = True,
    project: Project | None = None,
    reporter: User | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    channel: str = Channel.WEB,
    taken_by: User | None = None,
    photos: list | None = None,
) -> Report:
    """Record a report, its first event, its routing and its notices' outbox rows in one transaction."""
    text = _clean_text(text)
    address = _words(address)
    reporter_email = _clean_email(reporter_email)
    if kind not in ReportKind.values:
        raise ValidationError({"kind": _("Unknown kind of report.")})
    if not category.is_active:
        raise ValidationError({"category": _("This category is no longer in use.")})
    _check_location(kind, latitude, longitude, address)
    _check_channel(channel, taken_by)
    if project is not None and not project.is_public:
        raise ValidationError({"project": _("Unknown project.")})
    where = locate(latitude, longitude)
    _check_in_city(where, project)
    prepared = prepare_photos(list(photos or []))
    # Created, then routed: counted into the figures once, last in the transaction (rollups.together).
    with transaction.atomic(), rollups.together():
        report = Report.objects.create(
            kind=kind,
            category=category,
            text=text,
            text_is_public=text_is_public,
            latitude=latitude,
            longitude=longitude,
            address=address[:200],
            district=where.district or (project.district if project else None),
            community=where.community or (project.community if project else None),
            grid_area=where.grid_area,
            grid_worker=where.grid_area.grid_worker if where.grid_area else None,
            project=project,
            reporter=reporter if reporter and reporter.is_authenticated else None,
            reporter_name=_words(reporter_name)[:60],
            reporter_phone=_words(reporter_phone)[:32],
            reporter_email=reporter_email,
            channel=channel,
            taken_by=taken_by if channel == Channel.WINDOW else None,
        )
        _save_photos(report, prepared)
        _event(report, EventKind.SUBMITTED, actor=taken_by if channel == Channel.WINDOW else None)
        # Routed here, in the resident's transaction: the department has it in its queue (with its
        # deadline) at once, whatever later happens to the notices, the broker or the mail server.
        _route_at_submission(report)
        events.report_submitted.send(sender=Report, report=report)
    return report


# --- Routing and dispatch --------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    department: Department
    reason: str


def report_route(*, report: Report) -> Route:
    """Which department handles the report, in the city's order of precedence (`routing.route_choice`)."""
    rules = RoutingRule.objects.select_related("department").filter(
        category_id=report.category_id, district_id=report.district_id
    )
    department, reason = route_choice(
        category=report.category_id,
        district=report.district_id,
        project_lead=report.project.lead_unit if report.project_id else None,
        rules={(r.category_id, r.district_id): r.department for r in rules} if report.district_id else {},
        category_department=report.category.department,
        default_desk=None,
    )
    # The desk is looked up only when nothing before it applies (a city may not have one: Unroutable).
    return Route(department or Department.objects.get(is_default_desk=True), reason)


def _assign(report: Report, route: Route, now: datetime) -> None:
    report.department = route.department
    report.status = ReportStatus.DISPATCHED
    report.dispatched_at = now
    report.due_at = now + timedelta(hours=report.category.sla_hours)
    report.save(update_fields=["department", "status", "dispatched_at", "due_at", "updated_at"])
    # No prose stored: the deadline and the grid worker are the report's own fields, written at
    # display time in the reader's language (feedback/_report_body.html).
    _event(report, EventKind.DISPATCHED, department=route.department)


def _notify(report: Report, department: Department) -> list[DispatchOutbox]:
    """One outbox row per way the department is told (its e-mail, its webhook), each retried on its own."""
    channels = [OutboxChannel.EMAIL] if department.mail_recipients() else []
    if department.dispatch_webhook:
        channels.append(OutboxChannel.WEBHOOK)
    return [_outbox(report, department, channel) for channel in channels]


class Unroutable(Exception):
    """No department for the report: no rule or category department, and no default desk."""


def _route(report: Report) -> Route:
    try:
        return report_route(report=report)
    except Department.DoesNotExist as exc:
        raise Unroutable("no department for the report and no default desk") from exc


def _route_at_submission(report: Report) -> None:
    """Route and queue the notices; if the city has no department for it, a routing row retries later."""
    try:
        route = _route(report)
    except Unroutable:
        logger.error("report %s: no department to route to; the outbox sweep retries", report.pk)
        _outbox(report, None, OutboxChannel.ROUTE)
        return
    _assign(report, route, timezone.now())
    _notify(report, route.department)


def _dispatch_payload(report: Report, department: Department) -> dict:
    # The report's number, never its tracking code: the code is the resident's key, not the department's.
    return {
        "event": "report.dispatched",
        "report_id": report.pk,
        "reference": report.reference,
        "department": department.name,
        "category": report.category.code,
        "kind": report.kind,
        "text": report.text,
        "latitude": report.latitude,
        "longitude": report.longitude,
        "address": report.address,
        "due_at": report.due_at.isoformat() if report.due_at else None,
        "grid_worker": report.grid_worker.get_full_name() or report.grid_worker.username if report.grid_worker else "",
        "contact": {"name": report.reporter_name, "phone": report.reporter_phone, "email": report.reporter_email},
    }


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _email_department(report: Report, department: Department) -> bool:
    recipients = department.mail_recipients()
    if not recipients:
        return False  # nobody to write to any more: the department sees the report in its queue
    subject = _("[%(number)s] New report: %(category)s") % {"number": report.reference, "category": report.category}
    body = "\n".join(
        [
            report.text,
            "",
            _("Address: %(address)s") % {"address": report.address or "-"},
            _("Due: %(due)s") % {"due": timezone.localtime(report.due_at).strftime("%Y-%m-%d %H:%M")}
            if report.due_at
            else "",
            site_link(reverse("admin:feedback_report_change", args=[report.pk])),
        ]
    )
    send_mail(subject, body, None, recipients)
    return True


def _post_webhook(report: Report, department: Department, delivery_id: int) -> bool:
    if not department.dispatch_webhook:
        return False
    data = json.dumps(_dispatch_payload(report, department), ensure_ascii=False).encode()
    # The outbox row id: a receiver drops a repeated delivery (a worker killed after POSTing).
    headers = {"Content-Type": "application/json", "X-CivicWorks-Delivery": str(delivery_id)}
    if department.webhook_secret:
        headers["X-CivicWorks-Signature"] = webhook_signature(department.webhook_secret, data)
    requests.post(department.dispatch_webhook, data=data, headers=headers, timeout=WEBHOOK_TIMEOUT).raise_for_status()
    return True


def _deliver(row: DispatchOutbox) -> bool:
    """Send one notice. Raises DispatchFailed on any transient failure (refused, timed out, 5xx)."""
    try:
        if row.channel == OutboxChannel.EMAIL:
            return _email_department(row.report, row.department)
        return _post_webhook(row.report, row.department, row.pk)
    except (OSError, requests.RequestException) as exc:  # smtplib's errors are OSErrors
        raise DispatchFailed(f"{type(exc).__name__}: {exc}") from exc


def _route_late(row: DispatchOutbox, now: datetime) -> None:
    """A routing row: route the report if it still waits, then queue its notices. Sends nothing."""
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("category__department", "project__lead_unit", "grid_worker", "department")
        .get(pk=row.report_id)
    )
    department = row.department
    if report.status == ReportStatus.SUBMITTED:
        try:
            route = _route(report)
        except Unroutable as exc:
            raise DispatchFailed(str(exc)) from exc
        _assign(report, route, now)
        department = route.department
    _notify(report, department or report.department)


def _claim(outbox_id: int, now: datetime) -> DispatchOutbox | None:
    """Lock the unsent row (skip it if another worker holds it) and mark it sent.

    The conditional update is what guarantees one notice per row: a second worker that
    waited on the lock sees `sent_at` set and updates nothing.
    """
    row = (
        DispatchOutbox.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=outbox_id, sent_at__isnull=True)
        .select_related("report__category", "report__grid_worker", "department")
        .first()
    )
    if row is None or DispatchOutbox.objects.filter(pk=row.pk, sent_at__isnull=True).update(sent_at=now) != 1:
        return None
    return row


def report_dispatch(*, outbox_id: int) -> bool:
    """Deliver one outbox row (a notice, or a late routing). True when a notice was sent now.

    Claim and send share a transaction: a refused send rolls the claim back and the row waits
    for its next attempt; the report's routing, committed before, is not touched.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            row = _claim(outbox_id, now)
            if row is None:
                return False
            DispatchOutbox.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
            if row.channel == OutboxChannel.ROUTE:
                _route_late(row, now)
                return False
            return _deliver(row)
    except DispatchFailed as exc:
        _record_failure(outbox_id, str(exc), now)
        raise


def _record_failure(outbox_id: int, error: str, now: datetime) -> None:
    row = DispatchOutbox.objects.filter(pk=outbox_id, sent_at__isnull=True).first()
    if row is None:
        return
    attempts = row.attempts + 1
    delay = RETRY_FIRST if attempts == 1 else RETRY_LATER
    DispatchOutbox.objects.filter(pk=outbox_id).update(
        attempts=attempts, next_attempt_at=now + delay, last_error=error[:500]
    )


def outbox_sweep(*, now: datetime | None = None, limit: int = 200) -> int:
    """Deliver unsent outbox rows whose task was lost or failed; returns how many notices were sent."""
    now = now or timezone.now()
    due = DispatchOutbox.objects.filter(sent_at__isnull=True, next_attempt_at__lte=now).order_by("next_attempt_at")
    sent = 0
    for outbox_id in due.values_list("pk", flat=True)[:limit]:
        try:
            sent += report_dispatch(outbox_id=outbox_id)
        except DispatchFailed:
            continue
        except Exception as exc:  # noqa: BLE001 — one broken row must not stop the others
            logger.exception("outbox row %s could not be delivered", outbox_id)
            _record_failure(outbox_id, f"{type(exc).__name__}: {exc}", now)
    return sent


# --- Handling by the department --------------------------------------------------------------


@transaction.atomic
def report_accept(*, report: Report, by: User) -> Report:
    report = _handled(report, by, ReportStep.ACCEPT)
    report.status = ReportStatus.ACCEPTED
    report.accepted_at = timezone.now()
    report.save(update_fields=["status", "accepted_at", "updated_at"])
    event = _event(report, EventKind.ACCEPTED, actor=by, department=report.department)
    notifications.tell_reporter(report, notifications.ACCEPTED, event)
    # Accepted by its department: a valid report, or an adopted suggestion (participation pays points).
    signal = events.suggestion_adopted if report.kind == ReportKind.SUGGESTION else events.report_accepted
    signal.send(sender=Report, report=report)
    return report


@transaction.atomic
def report_transfer(*, report: Report, by: User, department: Department, reason: str) -> Report:
    """Hand the report to another department with a reason; it gets a fresh deadline and a notice."""
    report = _handled(report, by, ReportStep.TRANSFER)
    reason = _words(reason)
    if not reason:
        raise ValidationError({"reason": _("Please give the reason for the transfer.")})
    if department.pk == report.department_id:
        raise ValidationError({"department": _("The report is already with this department.")})
    now = timezone.now()
    previous = report.department
    report.department = department
    report.status = ReportStatus.TRANSFERRED
    report.dispatched_at = now
    report.accepted_at = None
    report.due_at = now + timedelta(hours=report.category.sla_hours)
    report.save(update_fields=["department", "status", "dispatched_at", "accepted_at", "due_at", "updated_at"])
    event = _event(
        report, EventKind.TRANSFERRED, actor=by, department=department, note=reason, from_department=previous
    )
    _notify(report, department)
    notifications.tell_reporter(report, notifications.TRANSFERRED, event)
    return report


@transaction.atomic
def report_resolve(*, report: Report, by: User, answer: str, photo=None) -> Report:
    """Answer the resident (and mark the problem handled) with a photo of the result: optional, unless
    the category requires an "after" photo (`ServiceCategory.requires_after_photo`)."""
    answer = _words(answer)
    if not answer:
        raise ValidationError({"answer": _("Please write the answer to the resident.")})
    prepared = [prepare_photo(photo)] if photo else []
    report = _handled(report, by, ReportStep.RESOLVE)
    if report.category.requires_after_photo and not prepared:
        # Each answer shows the result: after a reopening, the earlier photo proved nothing.
        raise DomainError(
            _("A report in “%(category)s” can be answered only with a photo of the result.")
            % {"category": report.category},
            code="after_photo_required",
        )
    report.status = ReportStatus.RESOLVED
    report.answer = answer
    report.resolved_at = timezone.now()
    report.save(update_fields=["status", "answer", "resolved_at", "updated_at"])
    _save_photos(report, prepared, is_answer=True)
    event = _event(report, EventKind.RESOLVED, actor=by, department=report.department, note=answer)
    notifications.tell_reporter(report, notifications.ANSWERED, event, answer=answer)
    return report


@transaction.atomic
def report_close(*, report: Report, by: User, note: str = "") -> Report:
    report = _handled(report, by, ReportStep.CLOSE)
    report.status = ReportStatus.CLOSED
    report.closed_at = timezone.now()
    report.save(update_fields=["status", "closed_at", "updated_at"])
    event = _event(report, EventKind.CLOSED, actor=by, department=report.department, note=_words(note))
    notifications.tell_reporter(report, notifications.CLOSED, event, answer=report.answer)
    return report


@transaction.atomic
def report_hide(*, report: Report, by: User, reason: str) -> Report:
    """Hide an abusive report from the public (it stays in the queue and the figures)."""
    report = _handled(report, by, ReportStep.HIDE)
    if report.is_hidden:
        raise ValidationError(_("The report is already hidden."), code="hidden")
    report.is_hidden = True
    report.hidden_reason = _words(reason)[:200]
    report.save(update_fields=["is_hidden", "hidden_reason", "updated_at"])
    _event(report, EventKind.HIDDEN, actor=by, department=report.department, note=report.hidden_reason, is_public=False)
    return report


# --- The resident's answer ---------------------------------------------------------------------


@transaction.atomic
def report_confirm(*, report: Report, user, tracking_code: str) -> Report:
    report = _answered(report, user, tracking_code, ReportStep.CONFIRM)
    report.status = ReportStatus.CONFIRMED
    report.save(update_fields=["status", "updated_at"])
    _event(report, EventKind.CONFIRMED)
    return report


def _reason(reason: str) -> str:
    reason = _words(reason)
    if not reason:
        raise ValidationError({"reason": _("Please say what is still wrong.")})
    return reason


def _reopen(report: Report, reason: str) -> Report:
    """Back to the department's queue with a fresh deadline (the report is locked and the step checked)."""
    now = timezone.now()
    report.status = ReportStatus.REOPENED
    # A closed report reopened (through "is it fixed?") is open again: the retention purge
    # and the figures read closed_at.
    report.resolved_at = report.closed_at = None
    report.dispatched_at = now
    report.due_at = now + timedelta(hours=report.category.sla_hours)
    report.save(update_fields=["status", "resolved_at", "closed_at", "dispatched_at", "due_at", "updated_at"])
    event = _event(report, EventKind.REOPENED, department=report.department, note=reason)
    _notify(report, report.department)
    notifications.tell_reporter(report, notifications.REOPENED, event)
    return report


@transaction.atomic
def report_reopen(*, report: Report, user, tracking_code: str, reason: str) -> Report:
    """The resident says it is not solved: back to the department with a fresh deadline."""
    reason = _reason(reason)
    return _reopen(_answered(report, user, tracking_code, ReportStep.REOPEN), reason)


@transaction.atomic
def report_fixed_answer(*, report: Report, user, fixed: bool, reason: str = "") -> Report:
    """The reporter's answer to "is it fixed?", once. Not fixed: reopened with their words.

    The question's signed link stands for the tracking code (the code itself never travels in
    it); an account's report still needs that account, as for every answer of its reporter.
    Fixed: recorded, and an answer not yet confirmed is confirmed (what "confirm" means).
    """
    reason = "" if fixed else _reason(reason)
    report = _locked(report)
    _require(may_act_as_reporter(user, report, report.tracking_code))
    if not report.can(ReportStep.ANSWER_FIXED):
        raise DomainError(_("This question has already been answered, or the report is open again."), code="status")
    report.fixed_answer = FixedAnswer.FIXED if fixed else FixedAnswer.NOT_FIXED
    report.fixed_answered_at = timezone.now()
    report.save(update_fields=["fixed_answer", "fixed_answered_at", "updated_at"])
    if not fixed:
        return _reopen(report, reason)
    if report.can(ReportStep.CONFIRM):
        report.status = ReportStatus.CONFIRMED
        report.save(update_fields=["status", "updated_at"])
        _event(report, EventKind.CONFIRMED)
    return report


@transaction.atomic
def report_rate(*, report: Report, user, tracking_code: str, rating: int, comment: str = "") -> Report:
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")})
    report = _answered(report, user, tracking_code, ReportStep.RATE)
    if report.rating is not None:
        raise ValidationError({"rating": _("This report has already been rated.")})
    report.rating = rating
    report.rating_comment = _words(comment)[:500]
    report.rated_at = timezone.now()
    report.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    _event(report, EventKind.RATED, note=f"{rating}/5")
    return report


# --- Deadlines ---------------------------------------------------------------------------------


def _department_people(department_id: int, roles) -> list[str]:
    users = User.objects.filter(department_id=department_id, role__in=roles, is_active=True)
    return [email for email in users.values_list("email", flat=True) if email]


def _remind(report: Report) -> bool:
    recipients = report.department.mail_recipients() + _department_people(report.department_id, [Role.OFFICIAL])
    sent = notify_once(
        key=f"report-remind:{report.pk}:{report.due_at:%Y%m%d%H%M}",
        subject=_("[%(number)s] Reminder: due %(due)s")
        % {"number": report.reference, "due": timezone.localtime(report.due_at).strftime("%Y-%m-%d %H:%M")},
        body=report.text,
        recipients=recipients,
    )
    if sent:
        _event(report, EventKind.REMINDED, department=report.department, is_public=False)
    return sent


def _escalate(report: Report) -> bool:
    recipients = _department_people(report.department_id, [Role.SUPERVISOR, Role.MANAGER])
    sent = notify_once(
        key=f"report-escalate:{report.pk}:{report.due_at:%Y%m%d%H%M}",
        subject=_("[%(number)s] Overdue: %(category)s") % {"number": report.reference, "category": report.category},
        body=report.text,
        recipients=recipients,
    )
    if sent:
        _event(report, EventKind.ESCALATED, department=report.department, is_public=False)
    return sent


def deadlines_check(*, now: datetime | None = None) -> tuple[int, int]:
    """Remind at 75% of the time allowed, escalate once past the deadline. Returns (reminded, escalated)."""
    now = now or timezone.now()
    reminded = escalated = 0
    candidates = (
        Report.objects.filter(status__in=OPEN_STATUSES, due_at__isnull=False, dispatched_at__isnull=False)
        .exclude(department__isnull=True)
        .select_related("department", "category")
    )
    # Only reports within the last quarter of the longest deadline can need a notice now.
    longest = ServiceCategory.objects.aggregate(longest=Max("sla_hours"))["longest"] or 48
    for report in candidates.filter(due_at__lte=now + timedelta(hours=longest) * (1 - REMINDER_AT)).iterator():
        try:
            if report.due_at <= now:
                escalated += _escalate(report)
            elif now >= report.dispatched_at + (report.due_at - report.dispatched_at) * REMINDER_AT:
                reminded += _remind(report)
        except OSError:  # the mail server refused (smtplib's errors are OSErrors)
            # notify_once rolled its claim back: the next run (every 10 minutes) tries again,
            # and one refused notice does not keep the others from being sent.
            logger.warning("deadline notice for report %s not sent now", report.pk, exc_info=True)
    return reminded, escalated
