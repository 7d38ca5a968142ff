"""Send a notice at most once per key: `notify_once(key="project-stale:42:2026-11", ...)`."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from .accounts.models import SentNotice


def notify_once(*, key: str, subject: str, body: str, recipients: list[str]) -> bool:
    """E-mail `recipients` unless a notice with `key` was already sent. True when sent now.

    The claim row and the sending share one transaction: if the mail server refuses, the
    claim rolls back and the next run tries again. Only a crash between a successful send
    and the commit can repeat a notice, never lose one.
    """
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return False
    try:
        with transaction.atomic():
            SentNotice.objects.create(key=key[:200], subject=subject[:255], recipients=recipients)
            send_mail(subject, body, None, recipients)
    except IntegrityError:
        return False
    return True


def site_link(path: str) -> str:
    """An absolute link for an e-mail: `site_link(project.get_absolute_url())`."""
    return settings.CIVICWORKS_SITE_URL + path
