"""Celery tasks of the evaluation app: thin, idempotent, take ids."""

from celery import shared_task

from .models import ReviewCycle


@shared_task(acks_late=True)
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
