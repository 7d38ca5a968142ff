"""Periodic tasks of the feedback app, merged into the Celery beat schedule."""

from datetime import timedelta

from celery.schedules import crontab
from django.conf import settings

BEAT_SCHEDULE: dict = {
    # Outbox rows whose task the broker lost (a Redis restart keeps nothing) or that failed.
    "feedback-sweep-outbox": {
        "task": "feedback.tasks.sweep_outbox",
        "schedule": timedelta(seconds=settings.FEEDBACK_SWEEP_INTERVAL_SECONDS),
    },
    # Reminders at 75% of the deadline and escalation on breach, each sent once.
    "feedback-check-deadlines": {"task": "feedback.tasks.check_deadlines", "schedule": timedelta(minutes=10)},
    # Retention: contact details of reports closed more than CIVICWORKS_RETENTION_DAYS ago.
    "feedback-purge-personal-data": {
        "task": "feedback.tasks.purge_personal_data",
        "schedule": crontab(hour=3, minute=30),
    },
    # "Is it fixed?", asked once CIVICWORKS_FIXED_QUESTION_DAYS after the answer: by day, not at night.
    "feedback-ask-whether-fixed": {"task": "feedback.tasks.ask_whether_fixed", "schedule": crontab(hour=10, minute=0)},
}
