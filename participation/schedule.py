"""Periodic tasks of the participation app, merged into the Celery beat schedule."""

from datetime import timedelta

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Runs daily; acts only in the month's last week, and notify_once keeps it to one notice a month.
    "participation-observer-quota": {
        "task": "participation.tasks.remind_observers_under_quota",
        "schedule": crontab(hour=9, minute=0),
    },
    "participation-action-items": {
        "task": "participation.tasks.remind_action_items",
        "schedule": crontab(hour=8, minute=30),
    },
    "participation-cocreation-winners": {
        "task": "participation.tasks.record_cocreation_winners",
        "schedule": timedelta(minutes=10),
    },
}
