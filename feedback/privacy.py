"""Reporters' personal data: masked in the console, every unmasking logged, purged after retention.

Contact details never leave the staff side (tests/security/test_personal_data.py); inside the
console they are shown masked (`138****5678`) and only a handler of the report's department
or a city administrator can show them in full, one logged disclosure per click.
"""

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from civicworks.accounts.models import User
from civicworks.redaction import redact_contacts

from . import rollups
from .models import ContactDisclosure, Report, ReportEvent, ReportStatus, SiteCheck
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


# --- Retention ---------------------------------------------------------------------------------

CONTACT_FIELDS = ["reporter", "reporter_name", "reporter_phone", "reporter_email"]
PURGE_FIELDS = [*CONTACT_FIELDS, "text", "rating_comment", "anonymised_at"]


def unlink_reporter(report: Report) -> None:
    """Clear who reported (the account link and the contact fields) on the instance."""
    report.reporter = None
    report.reporter_name = report.reporter_phone = report.reporter_email = ""


def retention_cutoff(now: datetime) -> datetime:
    return now - timedelta(days=settings.CIVICWORKS_RETENTION_DAYS)


def reports_past_retention(cutoff: datetime) -> QuerySet:
    """Reports done before `cutoff` whose personal data is still there.

    Done: closed by the department, or confirmed by the resident (a confirmed report may never
    be closed by staff, yet its reporter's data must not stay forever).
    """
    done = Q(status=ReportStatus.CLOSED, closed_at__lt=cutoff) | Q(
        status=ReportStatus.CONFIRMED, resolved_at__lt=cutoff
    )
    return Report.objects.filter(done, anonymised_at__isnull=True)


@transaction.atomic
def _purge_batch(cutoff: datetime, now: datetime, batch_size: int) -> int:
    # SKIP LOCKED: two beat runs (or a retried task) never purge the same rows twice at once.
    batch = list(
        reports_past_retention(cutoff)
        .select_for_update(skip_locked=True)
        .only("pk", "text", "rating_comment")
        .order_by("pk")[:batch_size]
    )
    for report in batch:
        unlink_reporter(report)
        report.text = redact_contacts(report.text)
        report.rating_comment = redact_contacts(report.rating_comment)
        report.anonymised_at = now
    Report.objects.bulk_update(batch, PURGE_FIELDS)
    rollups.sync(r.pk for r in batch)  # the reporter unlinked: their rating may count now
    events = list(ReportEvent.objects.filter(report__in=batch).exclude(note="").only("pk", "note"))
    for event in events:
        event.note = redact_contacts(event.note)
    ReportEvent.objects.bulk_update(events, ["note"])
    # A grid worker's note of what they found may name the reporter too ("王先生 13812345678 说…").
    checks = list(SiteCheck.objects.filter(report__in=batch).exclude(note="").only("pk", "note"))
    for check in checks:
        check.note = redact_contacts(check.note)
    SiteCheck.objects.bulk_update(checks, ["note"])
    return len(batch)


def retention_purge(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Remove reporters' personal data from reports done more than the retention period ago.

    The report itself stays (figures, evaluation and the public record need it), anonymised:
    no account link, no name, phone or e-mail, and contact details typed into the
    description, rating comment, timeline notes or on-site check notes replaced by `***`. Returns how many reports.
    """
    now = now or timezone.now()
    cutoff, total = retention_cutoff(now), 0
    while done := _purge_batch(cutoff, now, batch_size):
        total += done
    return total
