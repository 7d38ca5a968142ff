"""Periodic tasks of the projects app, merged into the Celery beat schedule."""

BEAT_SCHEDULE: dict = {}
