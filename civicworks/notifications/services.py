"""Tell people what happened: `notify` writes the notifications, `deliver` sends one delivery.

At most once per event and recipient: `Notification` is unique per (key, recipient) and
`Delivery` per (notification, channel), so a repeated event or a retried task adds nothing.
A delivery is claimed, marked sent and sent in one transaction holding its row lock: a
worker killed mid-send rolls the claim back and the row is sent again by the next task or the
sweep. Over SMTP the message goes up to the final "." of DATA inside the transaction, and the
"." after the commit: the server takes a message only on reading that ".", so a worker killed
before the commit leaves the server nothing (no repeat), and only a kill in the microseconds
between the commit and writing "." could lose one (a rejection read after the "." puts the
row back to pending). tests/integration/test_notification_worker.py
kills a worker in the middle of a burst and counts what the mail server received.
"""

import logging
import re
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civicworks.accounts.models import User
from civicworks.accounts.selectors import verified_emails
from civicworks.publish import publish
from civicworks.sms import SmsError, send_sms

from . import kinds
from .kinds import Channel, Kind
from .models import Delivery, DeliveryStatus, EmailOptOut, Notification, Preference

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
UNSUBSCRIBE_SALT = "civicworks.notifications.unsubscribe"
ALL_KINDS = "*"


class DeliveryFailed(Exception):
    """The mail server or the SMS gateway did not take it; the task retries."""


# --- Writing notifications ---------------------------------------------------------------------


def _render(kind: Kind, context: dict, language: str) -> tuple[str, str]:
    with translation.override(language):
        subject = " ".join(render_to_string(f"notifications/{kind.key}.subject.txt", context).split())
        body = render_to_string(f"notifications/{kind.key}.body.txt", context).strip()
    return subject[:255], body


def _choices(users: list[User], kind: Kind) -> dict[tuple[int, str], bool]:
    rows = Preference.objects.filter(user__in=users, kind=kind.key).values_list("user_id", "channel", "enabled")
    return {(user_id, channel): enabled for user_id, channel, enabled in rows}


def wants(choices: dict, user: User, kind: Kind, channel: str) -> bool:
    return choices.get((user.pk, channel), getattr(kind, channel))


def email_of(user: User) -> str:
    """Where a user's e-mail goes: a verified address only (staff: the account's address)."""
    return verified_emails([user]).get(user.pk, "")


def phone_of(user: User) -> str:
    """Text messages go only to a number its holder confirmed with a one-time code."""
    return user.phone if user.phone and user.phone_verified_at else ""


def _created(notification: Notification) -> bool:
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        return False  # this event was already told to this recipient
    return True


def notify(*, kind: str, key: str, to: Iterable[User | str], context: dict, link: str = "") -> int:
    """Tell each recipient (an account, or an e-mail address without one) about one event, once.

    `key` names the event ("report.answered:812:3"); `context` feeds the kind's templates and
    is the same for every recipient, so nothing about one recipient reaches another. `link` is
    a site path (or, for an address without an account, a path that carries its own access,
    such as a tracking link). Returns how many recipients were told now.
    """
    spec = kinds.get(kind)
    users = list({user.pk: user for user in to if isinstance(user, User) and user.is_active}.values())
    emails = verified_emails(users)  # one query for every recipient
    told = {email.lower() for email in emails.values()}
    addresses = sorted({a.strip().lower() for a in to if isinstance(a, str) and a.strip()} - told - {""})
    opted_out = set(
        EmailOptOut.objects.filter(email__in=addresses, kind__in=[kind, ALL_KINDS]).values_list("email", flat=True)
    )
    choices = _choices(users, spec)
    rendered: dict[str, tuple[str, str]] = {}

    def text(language: str) -> tuple[str, str]:
        if language not in rendered:
            rendered[language] = _render(spec, context, language)
        return rendered[language]

    new_deliveries: list[Delivery] = []
    with transaction.atomic():
        # A fixed number of queries however many recipients (a project's followers): who already
        # has this event, then the new rows in bulk.
        had = set(Notification.objects.filter(key=key[:200], user__in=users).values_list("user_id", flat=True))
        fresh = []
        for user in users:
            if user.pk in had:
                continue
            subject, body = text(user.language or settings.LANGUAGE_CODE)
            fresh.append(Notification(user=user, kind=kind, key=key[:200], subject=subject, body=body, link=link))
        had = set(
            Notification.objects.filter(key=key[:200], email__in=addresses, user=None).values_list("email", flat=True)
        )
        for address in addresses:
            if address in opted_out or address in had:
                continue
            subject, body = text(settings.LANGUAGE_CODE)
            fresh.append(Notification(email=address, kind=kind, key=key[:200], subject=subject, body=body, link=link))
        fresh = _create_all(fresh)
        for notification in fresh:
            if notification.user_id is None:
                new_deliveries.append(
                    Delivery(notification=notification, channel=Channel.EMAIL, address=notification.email)
                )
                continue
            user = notification.user
            for channel, address in ((Channel.EMAIL, emails.get(user.pk, "")), (Channel.SMS, phone_of(user))):
                if address and wants(choices, user, spec, channel):
                    new_deliveries.append(Delivery(notification=notification, channel=channel, address=address))
        Delivery.objects.bulk_create(new_deliveries)
    for delivery in new_deliveries:
        transaction.on_commit(lambda delivery_id=delivery.pk: _queue(delivery_id))
    return len(fresh)


def _create_all(fresh: list[Notification]) -> list[Notification]:
    """Insert the new notifications in one statement; if a concurrent `notify` of the same event
    got there first (a unique constraint), one by one, keeping those that are still new."""
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(fresh)
    except IntegrityError:
        for notification in fresh:
            notification.pk = None
        return [notification for notification in fresh if _created(notification)]


def _queue(delivery_id: int) -> None:
    from .tasks import deliver_notification

    publish(deliver_notification, delivery_id)


# --- Sending ------------------------------------------------------------------------------------


def site_link(path: str) -> str:
    return settings.CIVICWORKS_SITE_URL + path if path.startswith("/") else path


def unsubscribe_token(notification: Notification) -> str:
    who = {"u": notification.user_id} if notification.user_id else {"e": notification.email}
    return signing.dumps({**who, "k": notification.kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_link(notification: Notification) -> str:
    return site_link(reverse("notifications:unsubscribe", args=[unsubscribe_token(notification)]))


def _email(delivery: Delivery) -> EmailMessage:
    notification = delivery.notification
    unsubscribe = unsubscribe_link(notification)
    language = notification.user.language if notification.user_id else settings.LANGUAGE_CODE
    with translation.override(language):
        body = render_to_string(
            "notifications/email.txt",
            {
                "body": notification.body,
                "link": site_link(notification.link) if notification.link else "",
                "unsubscribe": unsubscribe,
                "site_name": settings.CIVICWORKS_SITE_NAME,
            },
        )
    return EmailMessage(
        subject=notification.subject,
        body=body,
        to=[delivery.address],
        headers={
            # RFC 2369 and RFC 8058: mail programs show an "unsubscribe" button that POSTs here.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def _smtp_up_to_the_end(message: EmailMessage, backend: SmtpBackend):
    """Send an e-mail over SMTP up to, not including, the final "." of DATA; return what sends it.

    The mail server takes a message when it reads that "."; until then a dropped connection
    (a killed worker) leaves it nothing. So the caller commits "sent" first and then finishes:
    a worker killed before the commit sends nothing the retry would repeat.
    """
    backend.open()
    smtp = backend.connection
    encoding = message.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(message.from_email, encoding)
    data = message.message().as_bytes(linesep="\r\n")
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    for address in message.recipients():
        code, reply = smtp.rcpt(sanitize_address(address, encoding))
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({address: (code, reply)})
    code, reply = smtp.docmd("data")
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    body = re.sub(rb"(?m)^\.", b"..", data)
    smtp.send(body if body.endswith(b"\r\n") else body + b"\r\n")

    def finish() -> None:
        smtp.send(b".\r\n")
        code, reply = smtp.getreply()
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)

    return finish


def _send(delivery: Delivery, mail_connection):
    """Send the delivery, or (SMTP) all of it but the end; returns what finishes it, or None."""
    try:
        if delivery.channel == Channel.EMAIL:
            message = _email(delivery)
            if isinstance(mail_connection, SmtpBackend):
                return _smtp_up_to_the_end(message, mail_connection)
            message.connection = mail_connection
            message.send()
        else:
            notification = delivery.notification
            link = site_link(notification.link) if notification.link else ""
            send_sms(to=delivery.address, text=f"{notification.subject} {link}".strip())
    except (SmsError, smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
    return None


def _finish(finish) -> None:
    try:
        finish()
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(5 * 2 ** (attempts - 1), 240))


def deliver(*, delivery_id: int, now: datetime | None = None) -> bool:
    """Send one pending delivery. True when it was sent now; False when there is nothing to do.

    Raises `DeliveryFailed` after recording the attempt, so that the task retries.
    """
    now = now or timezone.now()
    failure = None
    mail_connection = get_connection()
    try:
        with transaction.atomic():
            row = (
                Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("notification__user")
                .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
                .first()
            )
            if row is None:
                return False  # sent already, given up, or another worker holds it right now
            row.attempts += 1
            # Written "sent" before sending: once the mail server has it, nothing of ours remains
            # to be done that a killed worker could leave undone. A failure rewrites the row.
            row.status, row.sent_at, row.last_error = DeliveryStatus.SENT, now, ""
            row.save(update_fields=["attempts", "status", "sent_at", "last_error"])
            try:
                finish = _send(row, mail_connection)
            except DeliveryFailed as exc:
                _failed(row, exc, now)
                failure = exc
            else:
                if finish is None:
                    return True
        if failure is None:
            # Committed "sent"; now the final "." hands the message over (see _smtp_up_to_the_end).
            try:
                _finish(finish)
                return True
            except DeliveryFailed as exc:
                with transaction.atomic():
                    row = Delivery.objects.select_for_update().select_related("notification__user").get(pk=delivery_id)
                    _failed(row, exc, now)
                failure = exc
    finally:
        mail_connection.close()
    logger.warning("delivery %s failed (attempt %s): %s", delivery_id, row.attempts, failure)
    raise failure


def _failed(row: Delivery, exc: DeliveryFailed, now: datetime) -> None:
    row.last_error = str(exc)[:500]
    row.status = DeliveryStatus.FAILED if row.attempts >= MAX_ATTEMPTS else DeliveryStatus.PENDING
    row.next_attempt_at, row.sent_at = now + _backoff(row.attempts), None
    row.save(update_fields=["last_error", "status", "next_attempt_at", "sent_at"])


def sweep(*, now: datetime | None = None, grace: timedelta = timedelta(minutes=2), limit: int = 500) -> int:
    """Send pending deliveries whose task was lost or whose retry is due; returns how many were sent."""
    now = now or timezone.now()
    due = (
        Delivery.objects.filter(status=DeliveryStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True, created_at__lte=now - grace) | Q(next_attempt_at__lte=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for delivery_id in list(due):
        try:
            sent += deliver(delivery_id=delivery_id, now=now)
        except DeliveryFailed:
            continue
    return sent


# --- Reading and choosing -----------------------------------------------------------------------


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them without `ids`); returns how many changed."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def channels_of(user: User) -> list[str]:
    """The channels a user can be reached on: e-mail with an address, SMS with a verified number."""
    return [channel for channel, address in ((Channel.EMAIL, email_of(user)), (Channel.SMS, phone_of(user))) if address]


def preferences_of(user: User) -> list[tuple[str, list[tuple[Kind, dict[str, bool]]]]]:
    """The residents' kinds by group, each with what `user` takes on each reachable channel (one query)."""
    resident_kinds = [kind for kind in kinds.all_kinds() if kind.audience == "resident"]
    rows = Preference.objects.filter(user=user).values_list("kind", "channel", "enabled")
    choices = {(kind, channel): enabled for kind, channel, enabled in rows}
    groups: dict[str, list] = {}
    for kind in resident_kinds:
        taken = {channel: choices.get((kind.key, channel), getattr(kind, channel)) for channel in channels_of(user)}
        groups.setdefault(str(kind.group), []).append((kind, taken))
    return sorted(groups.items())


@transaction.atomic
def preferences_save(*, user: User, enabled: set[tuple[str, str]]) -> int:
    """Store the user's choices: `enabled` holds the (kind, channel) pairs ticked among those offered.

    Every offered pair is stored, ticked or not: a choice made stays when a kind's default
    changes. Only the channels the user can be reached on are offered (an unverified phone
    leaves the SMS choices as they were). Returns how many choices changed.
    """
    changed = 0
    for _group, rows in preferences_of(user):
        for kind, taken in rows:
            for channel, was in taken.items():
                now = (kind.key, channel) in enabled
                preference_set(user=user, kind=kind.key, channel=channel, enabled=now)
                changed += now != was
    return changed


def preference_set(*, user: User, kind: str, channel: str, enabled: bool) -> None:
    kinds.get(kind)  # an unknown kind is a programming error, not a silent row
    Preference.objects.update_or_create(user=user, kind=kind, channel=channel, defaults={"enabled": enabled})


class BadToken(Exception):
    pass


def unsubscribe_kind(token: str) -> tuple[Kind, dict]:
    """The kind (and holder) an unsubscribe token names, without acting on it."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return kinds.get(data["k"]), data
    except (signing.BadSignature, KeyError, LookupError, TypeError) as exc:
        raise BadToken(_("This unsubscribe link is not valid.")) from exc


def unsubscribe(*, token: str) -> Kind:
    """Stop the e-mails of one kind for the holder of `token` (from an e-mail's link); idempotent."""
    spec, data = unsubscribe_kind(token)
    if "u" in data:
        user = User.objects.filter(pk=data["u"]).first()
        if user is None:
            raise BadToken(_("This unsubscribe link is not valid."))
        preference_set(user=user, kind=spec.key, channel=Channel.EMAIL, enabled=False)
    else:
        EmailOptOut.objects.get_or_create(email=data["e"], kind=spec.key)
    return spec
