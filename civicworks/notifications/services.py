"""Tell people what happened: `notify` writes the notifications, `deliver` sends one delivery.

At most once per event and recipient: `Notification` is unique per (key, recipient) and
`Delivery` per (notification, channel), so a repeated event or a retried task adds nothing.
A delivery is claimed, sent and marked sent in one transaction holding its row lock: a
worker killed mid-send rolls the claim back and the row is sent again by the next task or the
sweep, so nothing accepted is lost; only a crash between the mail server's "accepted" and the
commit (milliseconds) could repeat one.
"""

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
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

    new_deliveries: list[int] = []
    told_now = 0
    with transaction.atomic():
        for user in users:
            subject, body = text(user.language or settings.LANGUAGE_CODE)
            notification = Notification(user=user, kind=kind, key=key[:200], subject=subject, body=body, link=link)
            if not _created(notification):
                continue
            told_now += 1
            for channel, address in ((Channel.EMAIL, emails.get(user.pk, "")), (Channel.SMS, phone_of(user))):
                if address and wants(choices, user, spec, channel):
                    new_deliveries.append(_delivery(notification, channel, address))
        for address in addresses:
            if address in opted_out:
                continue
            subject, body = text(settings.LANGUAGE_CODE)
            notification = Notification(email=address, kind=kind, key=key[:200], subject=subject, body=body, link=link)
            if _created(notification):
                told_now += 1
                new_deliveries.append(_delivery(notification, Channel.EMAIL, address))
    for delivery_id in new_deliveries:
        transaction.on_commit(lambda delivery_id=delivery_id: _queue(delivery_id))
    return told_now


def _delivery(notification: Notification, channel: str, address: str) -> int:
    return Delivery.objects.create(notification=notification, channel=channel, address=address).pk


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


def _send(delivery: Delivery) -> None:
    try:
        if delivery.channel == Channel.EMAIL:
            _email(delivery).send()
        else:
            notification = delivery.notification
            link = site_link(notification.link) if notification.link else ""
            send_sms(to=delivery.address, text=f"{notification.subject} {link}".strip())
    except (SmsError, smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(5 * 2 ** (attempts - 1), 240))


def deliver(*, delivery_id: int, now: datetime | None = None) -> bool:
    """Send one pending delivery. True when it was sent now; False when there is nothing to do.

    Raises `DeliveryFailed` after recording the attempt, so that the task retries.
    """
    now = now or timezone.now()
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
        try:
            _send(row)
        except DeliveryFailed as exc:
            row.last_error = str(exc)[:500]
            row.status = DeliveryStatus.FAILED if row.attempts >= MAX_ATTEMPTS else DeliveryStatus.PENDING
            row.next_attempt_at = now + _backoff(row.attempts)
            row.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            failure = exc
        else:
            row.status, row.sent_at, row.last_error = DeliveryStatus.SENT, now, ""
            row.save(update_fields=["attempts", "status", "sent_at", "last_error"])
            return True
    logger.warning("delivery %s failed (attempt %s): %s", delivery_id, row.attempts, failure)
    raise failure


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


def preference_set(*, user: User, kind: str, channel: str, enabled: bool) -> None:
    kinds.get(kind)  # an unknown kind is a programming error, not a silent row
    Preference.objects.update_or_create(user=user, kind=kind, channel=channel, defaults={"enabled": enabled})


class BadToken(Exception):
    pass


def unsubscribe(*, token: str) -> Kind:
    """Stop the e-mails of one kind for the holder of `token` (from an e-mail's link); idempotent."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        spec = kinds.get(data["k"])
    except (signing.BadSignature, KeyError, LookupError, TypeError) as exc:
        raise BadToken(_("This unsubscribe link is not valid.")) from exc
    if "u" in data:
        user = User.objects.filter(pk=data["u"]).first()
        if user is None:
            raise BadToken(_("This unsubscribe link is not valid."))
        preference_set(user=user, kind=spec.key, channel=Channel.EMAIL, enabled=False)
    else:
        EmailOptOut.objects.get_or_create(email=data["e"], kind=spec.key)
    return spec
