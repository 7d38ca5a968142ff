"""Celery tasks: thin, idempotent (notify_once keys, conditional updates)."""

from celery import shared_task
from django.utils import timezone

from . import notices, selectors, services
from .models import CoCreation


@shared_task(acks_late=True)
def remind_observers_under_quota() -> int:
    return notices.remind_observers_under_quota(today=timezone.localdate())


@shared_task(acks_late=True)
def remind_action_items() -> int:
    return notices.remind_action_items(today=timezone.localdate())


@shared_task(acks_late=True)
def record_cocreation_winners() -> int:
    now = timezone.now()
    ids = list(selectors.cocreations_to_decide(now=now).values_list("pk", flat=True))
    for pk in ids:
        services.cocreation_record_winner(cocreation=CoCreation.objects.get(pk=pk), now=now)
    return len(ids)
