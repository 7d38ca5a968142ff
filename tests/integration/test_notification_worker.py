"""A burst of e-mail notifications, a Celery worker killed with SIGKILL in the middle of it, and a
real SMTP server counting what arrived: every delivery exactly once, none lost, none twice.

The worker (prefork, its own session so SIGKILL takes its pool too) uses the shared Redis and
the test database; its mail goes to an aiosmtpd server on a loopback port chosen here. The
server answers each RCPT a little slowly, so the kill lands inside SMTP conversations.
"""

import asyncio
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from civicworks.accounts.models import Role
from civicworks.notifications import services as notifications
from civicworks.notifications.models import Delivery, DeliveryStatus
from projects import services
from tests import factories
from tests.needs import missing

from . import procs
from .test_celery_worker import ROOT, database_url_of_test_db

pytestmark = pytest.mark.integration

FOLLOWERS = 80
RCPT_DELAY = 0.03  # seconds per RCPT: long enough to kill a worker mid-conversation


class Inbox:
    """The SMTP server's side: every message it accepted, by recipient."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 — aiosmtpd's name
        await asyncio.sleep(RCPT_DELAY)  # slow, as a busy mail server is, without holding up the others
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.received.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def count(self) -> Counter:
        with self.lock:
            return Counter(self.received)


@pytest.fixture
def smtp():
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=procs.free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def start_worker(smtp_port: int, settings, log: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_db(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DJANGO_EMAIL_HOST": "127.0.0.1",
        "DJANGO_EMAIL_PORT": str(smtp_port),
    }
    args = [
        sys.executable, "-m", "celery", "-A", "civicworks", "worker", "--concurrency=2",
        "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING",
    ]  # fmt: skip
    return subprocess.Popen(
        args,
        cwd=ROOT,
        env=env,
        stdout=open(log, "wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # noqa: SIM115
    )


def stop(worker: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
        worker.wait(timeout=30)


def test_a_worker_killed_mid_burst_loses_and_repeats_no_email(
    transactional_db, settings, smtp, lead_department, tmp_path
):
    if connection.vendor != "postgresql":
        missing("PostgreSQL (the worker shares the test database)", "set DATABASE_URL=postgres://…")
    inbox, port = smtp
    from projects.models import Community, Project, ProjectCategory

    community = Community.objects.get(name="望江社区")
    project = Project.objects.create(
        code="KILL-001", title="望江社区加装电梯", category=ProjectCategory.objects.get(code="elevator"),
        district=community.district, community=community, latitude=30.69, longitude=103.99, year=2026,
        lead_unit=lead_department,
    )  # fmt: skip
    people = [factories.user(username=f"follower{i:03d}", role=Role.RESIDENT) for i in range(FOLLOWERS)]
    for person in people:
        services.follow(user=person, project=project)
    official = factories.user(username="kill_official", role=Role.OFFICIAL, department=lead_department)

    first = start_worker(port, settings, tmp_path / "worker.1.log")
    try:
        # One progress update: 80 followers, 80 e-mail deliveries queued after the commit.
        services.progress_record(project=project, by=official, stage="construction", percent=30, text="开工")
        assert Delivery.objects.count() == FOLLOWERS
        assert procs.wait_until(lambda: sum(inbox.count().values()) >= 15, 60, step=0.01), "the worker never sent"
        stop(first, signal.SIGKILL)  # in the middle of the burst, inside an SMTP conversation
    finally:
        stop(first, signal.SIGKILL)
    killed_at = sum(inbox.count().values())
    assert killed_at < FOLLOWERS, "the burst ended before the kill: nothing was tested"

    second = start_worker(port, settings, tmp_path / "worker.2.log")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    try:
        # The killed worker's unacknowledged tasks come back only after Redis's visibility
        # timeout; the sweep (a short grace here) sends what they held.
        def all_sent() -> bool:
            notifications.sweep(grace=timedelta(seconds=2))
            return not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()

        assert procs.wait_until(all_sent, 90, step=1.0), "deliveries left unsent"
        time.sleep(2)  # anything the second worker might still repeat would arrive now
    finally:
        stop(second)

    arrived = inbox.count()
    expected = {person.email for person in people}
    assert set(arrived) == expected, f"lost: {sorted(expected - set(arrived))[:5]}"
    assert [address for address, n in arrived.items() if n > 1] == [], "delivered twice"
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == FOLLOWERS
