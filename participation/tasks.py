"""Celery tasks: thin, idempotent (notify_once keys, conditional updates)."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from . import notices, selectors, services


def _day(today: str | None) -> date:
    """Beat sends no argument (today); a re-run for a given day passes its ISO date."""
    return date.fromisoformat(today) if today else timezone.localdate()


@shared_task(acks_late=True)
def remind_observers_under_quota(today: str | None = None) -> int:
    return notices.remind_observers_under_quota(today=_day(today))


@shared_task(acks_late=True)
def remind_action_items(today: str | None = None) -> int:
    return notices.remind_action_items(today=_day(today))


@shared_task(acks_late=True)
def record_cocreation_winners() -> int:
    """How many votes this run decided: a run overlapping another (a second beat) counts only its own."""
    now = timezone.now()
    ids = list(selectors.cocreations_to_decide(now=now).values_list("pk", flat=True))
    return sum(services.cocreation_decide(cocreation_id=pk, now=now)[1] for pk in ids)
