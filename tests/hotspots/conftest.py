"""The hotspot world: the demo categories and a helper that files reports at a given place and age."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from feedback.models import Report, ReportStatus


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def file_report(category, latitude, longitude, *, days_ago: float = 1, **extra) -> Report:
    """A report as if submitted `days_ago` days ago (bypassing intake: these tests are about reading)."""
    return Report.objects.create(
        category=category,
        text="路面坑洼，雨天积水。",
        latitude=latitude,
        longitude=longitude,
        submitted_at=timezone.now() - timedelta(days=days_ago),
        **extra,
    )


def dispatched_report(category, department, **extra) -> Report:
    now = timezone.now()
    return Report.objects.create(
        category=category,
        text="小区门口路灯不亮。",
        latitude=30.69,
        longitude=103.99,
        status=ReportStatus.DISPATCHED,
        department=department,
        dispatched_at=now,
        due_at=now + timedelta(hours=48),
        **extra,
    )
