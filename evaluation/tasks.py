"""Celery tasks of the evaluation app: thin, idempotent, take ids."""

from smtplib import SMTPException

from celery import shared_task

from .models import ReviewCycle


@shared_task(
    acks_late=True,
    # A mail server that is down is transient: retry; departments already mailed are skipped
    # by their notice key, so a retry only sends what is still missing.
    autoretry_for=(OSError, SMTPException),
    retry_backoff=60,
    max_retries=8,
)
def cycle_reports_send(cycle_id: int) -> int:
    """Build and e-mail the department reports of a closed cycle (each department once)."""
    from . import services

    cycle = ReviewCycle.objects.filter(pk=cycle_id, closed_at__isnull=False).first()
    if cycle is None:
        return 0
    return services.cycle_reports_send(cycle=cycle)


@shared_task(acks_late=True)
def reminders_send() -> int:
    from . import reminders

    return reminders.send_all()
