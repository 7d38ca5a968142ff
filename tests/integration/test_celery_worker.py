"""A real Celery worker process, a real Redis broker, and the effect seen in the database."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from civicworks.accounts.models import WorkerHeartbeat
from civicworks.accounts.tasks import heartbeat

ROOT = Path(__file__).resolve().parents[2]


def database_url_of_test_db() -> str:
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db, settings, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_db(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "civicworks",
            "worker",
            "--concurrency=1",
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        # A file, not a pipe nobody reads: a worker writing more than a pipe holds (the console mail
        # backend printing a report's PDF) would block, holding its transaction open.
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield worker
    worker.terminate()
    worker.wait(timeout=20)
    log.close()


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.integration
def test_a_task_sent_through_redis_is_run_by_a_worker(celery_worker_process):
    assert not WorkerHeartbeat.objects.exists()
    heartbeat.delay()
    assert wait_for(WorkerHeartbeat.objects.exists), "the worker never wrote its heartbeat"
