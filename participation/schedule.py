"""Periodic tasks of the participation app, merged into the Celery beat schedule."""

BEAT_SCHEDULE: dict = {}
