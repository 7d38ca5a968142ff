"""Periodic tasks of the evaluation app, merged into the Celery beat schedule."""

from datetime import timedelta

BEAT_SCHEDULE: dict = {
    # Survey period ending, inspections not done, rectification due and overdue: each sent once
    # (notify_once keys), so running hourly only decides how soon a notice goes out.
    "evaluation-reminders": {"task": "evaluation.tasks.reminders_send", "schedule": timedelta(hours=1)},
}
