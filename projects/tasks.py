"""Periodic reminders (thin: the rules and the once-only keys live in projects/reminders.py)."""

from celery import shared_task
from django.conf import settings
from django.utils import translation

from . import reminders


@shared_task(acks_late=True)
def remind_stale_projects() -> int:
    with translation.override(settings.LANGUAGE_CODE):
        return reminders.send_stale()


@shared_task(acks_late=True)
def remind_milestones() -> int:
    with translation.override(settings.LANGUAGE_CODE):
        return reminders.send_milestones()


@shared_task(acks_late=True)
def alert_over_budget() -> int:
    with translation.override(settings.LANGUAGE_CODE):
        return reminders.send_over_budget()
