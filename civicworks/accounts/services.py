"""Residents' accounts: confirming a mobile number with a one-time code, and who may take part."""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicworks.errors import DomainError
from civicworks.sms import SmsError, send_sms

from .models import PhoneCode, User

CODE_LIFETIME = timedelta(minutes=10)
MAX_WRONG_TRIES = 5
CHINESE_MOBILE = re.compile(r"1[3-9]\d{9}")
INTERNATIONAL = re.compile(r"\+[1-9]\d{6,14}")  # E.164


def normalise_phone(text: str) -> str:
    """`138 0013 8000`, `+86 138-0013-8000` → `+8613800138000`; other shapes are refused."""
    compact = re.sub(r"[\s\-().]", "", text or "")
    if compact.startswith("0086"):
        compact = "+" + compact[2:]
    if CHINESE_MOBILE.fullmatch(compact):
        return "+86" + compact
    if compact.startswith("+86") and not CHINESE_MOBILE.fullmatch(compact[3:]):
        raise DomainError(_("This is not a Chinese mobile number (11 digits starting with 1)."), code="phone")
    if INTERNATIONAL.fullmatch(compact):
        return compact
    raise DomainError(
        _("Enter a Chinese mobile number (11 digits) or an international number starting with +."), code="phone"
    )


def require_verified(user: User) -> None:
    """Participation needs a confirmed address or number: one person, one voice."""
    if not user.is_verified:
        raise DomainError(
            _("Please confirm your e-mail address (or a mobile number) first: open the link in the mail we sent you."),
            code="unverified",
        )


def _refuse_if_too_many(*, user: User, phone: str) -> None:
    now = timezone.now()
    recent = PhoneCode.objects.filter(created_at__gte=now - timedelta(minutes=10))
    today = PhoneCode.objects.filter(created_at__gte=now - timedelta(days=1))
    per_10_minutes, per_day = settings.CIVICWORKS_PHONE_CODES_PER_10_MINUTES, settings.CIVICWORKS_PHONE_CODES_PER_DAY
    if (
        recent.filter(phone=phone).count() >= per_10_minutes
        or recent.filter(user=user).count() >= per_10_minutes
        or today.filter(phone=phone).count() >= per_day
        or today.filter(user=user).count() >= per_day
    ):
        raise DomainError(_("Be patient, you are sending too many requests."), code="rate_limited")


def phone_code_send(*, user: User, phone: str) -> PhoneCode:
    """Text a 6-digit code to `phone` (normalised) for `user`. A new number replaces the old
    one at once, unconfirmed: texts go only to a number its holder has confirmed."""
    phone = normalise_phone(phone)
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        # The account row lock serialises one account's requests: two clicks cannot both pass the limit.
        User.objects.select_for_update().filter(pk=user.pk).first()
        _refuse_if_too_many(user=user, phone=phone)
        if user.phone != phone:
            user.phone, user.phone_verified_at = phone, None
            user.save(update_fields=["phone", "phone_verified_at"])
        PhoneCode.objects.filter(user=user, used_at=None).update(used_at=timezone.now())  # only the newest counts
        sent = PhoneCode.objects.create(
            user=user, phone=phone, code_hash=make_password(code), expires_at=timezone.now() + CODE_LIFETIME
        )
    # Sent once the row is stored (it is what limits resends); sent here rather than by a task so
    # that the code never sits in the broker in clear.
    text = _("%(site)s code: %(code)s. It expires in 10 minutes. Do not share it.") % {
        "site": settings.CIVICWORKS_SITE_NAME,
        "code": code,
    }
    try:
        send_sms(to=phone, text=text)
    except SmsError:
        raise DomainError(_("The text message could not be sent. Please try again in a minute."), code="sms") from None
    return sent


def phone_code_confirm(*, user: User, code: str) -> User:
    """Check the code typed; a right one sets and confirms the number. Refusals change only the try count."""
    with transaction.atomic():
        pending = PhoneCode.objects.select_for_update().filter(user=user, used_at=None).order_by("-created_at").first()
        if pending is None or pending.expires_at <= timezone.now():
            raise DomainError(_("This code has expired. Ask for a new one."), code="expired")
        if pending.wrong_tries >= MAX_WRONG_TRIES:
            raise DomainError(_("Too many wrong codes. Ask for a new one."), code="too_many_tries")
        if not check_password(code.strip(), pending.code_hash):
            PhoneCode.objects.filter(pk=pending.pk).update(wrong_tries=pending.wrong_tries + 1)
            wrong = True
        else:
            wrong = False
            pending.used_at = timezone.now()
            pending.save(update_fields=["used_at"])
            user.phone, user.phone_verified_at = pending.phone, pending.used_at
            user.save(update_fields=["phone", "phone_verified_at"])
    # Raised outside the transaction, so the counted wrong try is kept.
    if wrong:
        raise DomainError(_("The code is not correct."), code="wrong_code")
    return user
