"""Periodic tasks of the projects app, merged into the Celery beat schedule."""

from datetime import timedelta

BEAT_SCHEDULE: dict = {
    # Each sends a given reminder once (notify_once keys): running more often only makes them prompter.
    "projects-remind-stale": {"task": "projects.tasks.remind_stale_projects", "schedule": timedelta(hours=6)},
    "projects-remind-milestones": {"task": "projects.tasks.remind_milestones", "schedule": timedelta(hours=6)},
    "projects-alert-over-budget": {"task": "projects.tasks.alert_over_budget", "schedule": timedelta(hours=1)},
}
