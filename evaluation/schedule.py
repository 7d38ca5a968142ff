"""Periodic tasks of the evaluation app, merged into the Celery beat schedule."""

BEAT_SCHEDULE: dict = {}
