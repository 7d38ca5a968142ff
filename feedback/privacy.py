"""Reporters' personal data on the staff side: masked by default, every unmasking logged.

Contact details never leave the staff side (tests/security/test_personal_data.py); inside the
console they are shown masked (`138****5678`) and only a handler of the report's department
or a city administrator can show them in full, one logged disclosure per click.
"""

import re

from django.core.exceptions import PermissionDenied
from django.db import transaction

from civicworks.accounts.models import User

from .models import ContactDisclosure, Report
from .services import may_handle

MASK = "****"


def mask_phone(phone: str) -> str:
    """`13812345678` → `138****5678`; `+86 139 0000 4242` → `139****4242`."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if not digits:
        return ""
    if len(digits) < 8:
        return MASK
    return f"{digits[:3]}{MASK}{digits[-4:]}"


def mask_email(email: str) -> str:
    """`zhang.san@example.cn` → `z***@example.cn`."""
    local, at, domain = (email or "").partition("@")
    if not at:
        return MASK if email else ""
    return f"{local[:1]}***@{domain}"


def mask_name(name: str) -> str:
    """`张三丰` → `张**`; `Canary Smith` → `C***`."""
    name = (name or "").strip()
    return f"{name[:1]}{'*' * min(max(len(name) - 1, 1), 3)}" if name else ""


def masked_contact(report: Report) -> str:
    parts = [mask_name(report.reporter_name), mask_phone(report.reporter_phone), mask_email(report.reporter_email)]
    return " · ".join(p for p in parts if p) or "—"


def has_contact(report: Report) -> bool:
    return bool(report.reporter_name or report.reporter_phone or report.reporter_email)


@transaction.atomic
def contact_disclose(*, report: Report, by: User) -> dict[str, str]:
    """The full contact details of `report` for `by`, logged; refused unless `by` handles it."""
    if not may_handle(by, report):
        raise PermissionDenied
    ContactDisclosure.objects.create(report=report, viewer=by)
    return {"name": report.reporter_name, "phone": report.reporter_phone, "email": report.reporter_email}
