"""Periodic tasks of the feedback app, merged into the Celery beat schedule."""

BEAT_SCHEDULE: dict = {}
