"""A resident's own data (PIPL / GDPR): everything tied to the account, and erasing it.

Each app registers its own part (`register(MyDataPart(...))` in its `AppConfig.ready`): what
it holds about the account for the download, and what it removes or unlinks on erasure. The
account module knows no app.

Erasure keeps the public record and removes the person:

- the account row stays as an inactive tombstone (random username, no name, display name,
  e-mail, phone or password; its e-mail addresses, confirmations and texted codes are deleted), because needs, supports, votes and the points ledger refer to it and their
  counts are part of the public record (support counts, vote results, a balanced ledger);
- reports stay, anonymised: no account link, no name, phone or e-mail (the description is kept
  while the department may still be handling it; the retention purge later redacts contact
  details typed into it);
- survey answers stay in the figures, unlinked (`user` cleared, contacts in the comment redacted);
- observer applications (a motivation letter) and idempotency records are deleted;
- every session of the account ends: the view logs out, and the changed (unusable) password
  invalidates the account's other sessions (Django checks the password hash on each request).
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from civicworks.accounts.models import STAFF_ROLES, IdempotentRequest, PhoneCode, Role, User

ACCOUNT_FIELDS = [
    "username", "display_name", "first_name", "last_name", "email", "phone", "phone_verified_at", "language", "role",
    "date_joined", "last_login",
]  # fmt: skip


@dataclass(frozen=True)
class MyDataPart:
    key: str  # its key in the JSON download
    export: Callable[[User], Any]
    erase: Callable[[User], None]  # called inside the erasure's transaction, the account row locked


PARTS: dict[str, MyDataPart] = {}


def register(part: MyDataPart) -> None:
    PARTS[part.key] = part


def may_erase(user: User) -> bool:
    """Staff accounts are managed by a city administrator (audit rows point at them)."""
    return user.is_authenticated and not user.is_superuser and user.role not in STAFF_ROLES


def account_export(user: User) -> dict:
    """Everything tied to the account, as plain data for a JSON download."""
    account = {field: getattr(user, field) for field in ACCOUNT_FIELDS}
    account["email_addresses"] = list(
        EmailAddress.objects.filter(user=user).order_by("-primary", "email").values("email", "verified", "primary")
    )
    data = {"generated_at": timezone.now(), "account": account}
    return data | {key: part.export(user) for key, part in PARTS.items()}


def _tombstone(user: User) -> None:
    # A new password hash invalidates every other session of the account.
    user.username = f"deleted-{secrets.token_hex(8)}"
    user.first_name = user.last_name = user.email = user.phone = user.organisation = user.display_name = ""
    user.phone_verified_at = None
    user.role, user.department, user.is_active = Role.RESIDENT, None, False
    user.set_unusable_password()
    user.save()


@transaction.atomic
def account_erase(*, user: User) -> None:
    """Remove the person's data; see the module docstring for what stays and why."""
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    for part in PARTS.values():
        part.erase(user)
    IdempotentRequest.objects.filter(scope=f"user:{user.pk}").delete()
    # The sign-in records: addresses (and their pending confirmations), texted codes.
    EmailAddress.objects.filter(user=user).delete()
    PhoneCode.objects.filter(user=user).delete()
    _tombstone(user)
