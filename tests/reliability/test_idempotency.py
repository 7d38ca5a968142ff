"""Idempotency-Key on the report submissions (REST API and Open311): a retry never stores twice."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from civicworks.accounts.models import IdempotentRequest
from civicworks.idempotency import idempotent_requests_purge
from feedback.models import ApiKey, DispatchOutbox, Report

URL = "/api/v1/reports/"
PAYLOAD = {"category": "road", "text": "井盖缺失", "latitude": 30.69, "longitude": 103.99}


def post(client, key: str | None = None, **data):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(URL, {**PAYLOAD, **data}, content_type="application/json", **headers)


def test_a_retry_with_the_same_key_replays_the_answer_and_stores_nothing(client, road):
    first = post(client, "k-1")
    again = post(client, "k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Report.objects.count() == 1 and DispatchOutbox.objects.count() == 1


def test_other_keys_and_no_key_store_each_time(client, road):
    assert post(client, "k-1").status_code == post(client, "k-2").status_code == post(client).status_code == 201
    assert Report.objects.count() == 3 and IdempotentRequest.objects.count() == 2


def test_a_refused_request_leaves_no_key_so_the_corrected_retry_is_stored(client, road):
    assert post(client, "k-1", category="nope").status_code == 400
    assert not IdempotentRequest.objects.exists() and not Report.objects.exists()
    assert post(client, "k-1").status_code == 201
    assert Report.objects.count() == 1


def test_keys_are_per_client(client, road, resident):
    assert post(client, "shared").status_code == 201
    signed_in = Client()
    signed_in.force_login(resident)
    second = post(signed_in, "shared")
    assert second.status_code == 201 and "Idempotent-Replayed" not in second
    assert Report.objects.count() == 2


def test_a_key_reused_elsewhere_or_too_long_is_refused(client, road, api_key):
    assert post(client, "k-1").status_code == 201
    data = {"api_key": api_key, "service_code": "road", "lat": "30.69", "long": "103.99", "description": "路灯"}
    reused = client.post("/open311/v2/requests.json", data, HTTP_IDEMPOTENCY_KEY="k-1")
    assert reused.status_code == 422
    assert post(client, "x" * 256).status_code == 400
    assert Report.objects.count() == 1


@pytest.fixture
def api_key(db) -> str:
    return ApiKey.objects.create(name="锦川市民通 App").key


def test_open311_post_is_idempotent(client, road, api_key):
    data = {"api_key": api_key, "service_code": "road", "lat": "30.69", "long": "103.99", "description": "路灯"}
    first = client.post("/open311/v2/requests.json", data, HTTP_IDEMPOTENCY_KEY="o-1")
    again = client.post("/open311/v2/requests.json", data, HTTP_IDEMPOTENCY_KEY="o-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert Report.objects.count() == 1


def test_purge_forgets_old_keys(client, road):
    from datetime import timedelta

    from django.utils import timezone

    post(client, "k-1")
    assert idempotent_requests_purge(now=timezone.now()) == 0
    assert idempotent_requests_purge(now=timezone.now() + timedelta(days=2)) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_store_once(road):
    """Two clients race with one key: PostgreSQL makes the second wait, then replay."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    answers: list[int] = []

    def send():
        answers.append(post(Client(), "race").status_code)
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [201] * 6
    assert Report.objects.count() == 1 and IdempotentRequest.objects.count() == 1


@pytest.mark.django_db
def test_the_purge_is_scheduled_daily_and_forgets_old_keys(road):
    from civicworks.accounts.tasks import idempotency_purge
    from civicworks.celery import app

    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == "civicworks.accounts.tasks.idempotency_purge"]
    assert [e["schedule"] for e in entries] == [timedelta(hours=24)]
    IdempotentRequest.objects.create(scope="anon:test", key="old", method="POST", path="/api/v1/reports/", status=201)
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(days=3))
    assert idempotency_purge.delay().get() == 1
    assert not IdempotentRequest.objects.exists()
