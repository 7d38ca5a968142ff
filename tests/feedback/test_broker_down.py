"""Redis down: the resident's submission still succeeds and is routed; the notice waits for the sweep."""

import time

import pytest
from django.test import override_settings

from civicworks import publish
from civicworks.celery import app as celery_app
from feedback import services
from feedback.models import DispatchOutbox, Report, ReportStatus


@pytest.fixture
def dead_broker():
    """Point Celery at a port where nothing listens, with fresh connection pools."""
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = "redis://127.0.0.1:1/0", False
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    yield
    # Later tests publish again at once (a process may pause publishing after a failure).
    publish._broker_paused_until = 0.0
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_submission_succeeds_when_the_broker_is_down(road, dead_broker, django_capture_on_commit_callbacks):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(category=road, text="坑", latitude=30.69, longitude=103.99)
    assert time.monotonic() - started < 10, "publishing must not hang the request"
    report.refresh_from_db()
    # Routed all the same (in the department's queue at once); only the notice waits for the sweep.
    assert report.status == ReportStatus.DISPATCHED and report.department_id is not None
    assert DispatchOutbox.objects.get(report=report).sent_at is None


DEAD_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_anonymous_form_and_hotspots_work_when_the_cache_is_down(client, road):
    """The per-address limit and the hotspot cache fail open: a resident's report is never refused for it."""
    from django.urls import reverse

    from .test_pages import form_data

    with override_settings(CACHES=DEAD_CACHE):
        response = client.post(reverse("feedback:submit"), form_data(road, text="望江路井盖破损"))
        assert response.status_code == 302, response.content.decode()[:500]
        assert client.get(reverse("feedback-api-hotspots")).status_code == 200
    assert Report.objects.filter(text="望江路井盖破损").count() == 1
