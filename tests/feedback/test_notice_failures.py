"""A refused mail or webhook never holds up routing (issue 14, finding 7).

Routing commits with the report; each notice (the e-mail to the department, the webhook) is
its own outbox delivery with its own attempts. The mail server is real: Django's SMTP backend
pointed at a closed loopback port (refused), then at an aiosmtpd server (back).
"""

import email
import email.policy
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from civicworks.accounts.models import SentNotice
from feedback import services
from feedback.models import DispatchOutbox, EventKind, Report, ReportEvent, ReportStatus
from tests import factories

from .test_dispatch import webhook_server  # noqa: F401 — fixture


def closed_port() -> int:
    """A loopback port nobody listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's name
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(settings):
    """Django's real SMTP backend; the server refuses until `smtp.back()` starts one."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 5
    controllers = []

    class Smtp:
        inbox = Inbox()

        def back(self) -> None:
            port = closed_port()
            controller = Controller(self.inbox, hostname="127.0.0.1", port=port)
            controller.start()
            controllers.append(controller)
            settings.EMAIL_PORT = port

    yield Smtp()
    for controller in controllers:
        controller.stop()


def submit(road, capture) -> Report:
    with capture(execute=True):  # the notice tasks run now, eagerly: the request must not wait on them
        report = factories.report(category=road, text="望江路井盖缺失")
    report.refresh_from_db()
    return report


def in_the_queue(client, user, report: Report) -> bool:
    client.force_login(user)
    listing = client.get(reverse("admin:feedback_report_changelist"))
    live = client.get(reverse("feedback:queue-live")).content.decode()
    return report.pk in [r.pk for r in listing.context["cl"].result_list] and report.reference in live


def test_every_notice_refused_the_report_is_still_routed(
    client, road, official, lead_department, smtp, django_capture_on_commit_callbacks
):
    lead_department.dispatch_webhook = f"http://127.0.0.1:{closed_port()}/dispatch"
    lead_department.save()

    report = submit(road, django_capture_on_commit_callbacks)

    # Routed with the report: department, deadline, timeline — in the department's queue at once.
    assert report.status == ReportStatus.DISPATCHED and report.department == lead_department
    assert report.due_at == report.dispatched_at + timedelta(hours=road.sla_hours)
    assert report.events.filter(kind=EventKind.DISPATCHED).count() == 1
    assert in_the_queue(client, official, report)
    # Each notice waits for its own retry.
    rows = DispatchOutbox.objects.filter(report=report).order_by("channel")
    assert [r.channel for r in rows] == ["email", "webhook"]
    for row in rows:
        assert row.sent_at is None and row.attempts == 1 and row.last_error, row.channel
        assert row.next_attempt_at > timezone.now() + timedelta(minutes=4)
    # A sweep while the mail server still refuses: still waiting, one more attempt each, routing untouched.
    assert services.outbox_sweep(now=timezone.now() + timedelta(minutes=6)) == 0
    assert [r.attempts for r in rows.all()] == [2, 2] and not rows.filter(sent_at__isnull=False).exists()
    report.refresh_from_db()
    assert report.status == ReportStatus.DISPATCHED and report.events.filter(kind=EventKind.DISPATCHED).count() == 1


def test_when_the_mail_server_is_back_the_retry_delivers_once(
    road, official, lead_department, smtp, django_capture_on_commit_callbacks
):
    report = submit(road, django_capture_on_commit_callbacks)
    row = DispatchOutbox.objects.get(report=report)
    assert row.channel == "email" and row.sent_at is None and row.attempts == 1

    smtp.back()
    later = timezone.now() + timedelta(minutes=6)
    assert services.outbox_sweep(now=later) == 1
    assert services.outbox_sweep(now=later + timedelta(hours=1)) == 0  # nothing sent twice
    (envelope,) = smtp.inbox.messages
    assert envelope.rcpt_tos == [lead_department.dispatch_email]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert report.reference in message["Subject"] and report.tracking_code not in envelope.content.decode()
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 2
    report.refresh_from_db()
    assert report.events.filter(kind=EventKind.DISPATCHED).count() == 1  # routed once, at submission


def test_each_notice_is_its_own_delivery(
    road,
    lead_department,
    webhook_server,  # noqa: F811 — the fixture imported above
    django_capture_on_commit_callbacks,
):
    """The webhook refused does not hold back the e-mail, and is retried on its own."""
    url, received = webhook_server
    lead_department.dispatch_webhook = f"http://127.0.0.1:{closed_port()}/dispatch"
    lead_department.save()

    report = submit(road, django_capture_on_commit_callbacks)

    email = DispatchOutbox.objects.get(report=report, channel="email")
    webhook = DispatchOutbox.objects.get(report=report, channel="webhook")
    assert len(mail.outbox) == 1 and email.sent_at is not None
    assert webhook.sent_at is None and webhook.attempts == 1
    # The department's receiver is back.
    lead_department.dispatch_webhook = url
    lead_department.save()
    later = timezone.now() + timedelta(minutes=6)
    assert services.outbox_sweep(now=later) == 1
    assert services.outbox_sweep(now=later + timedelta(hours=1)) == 0
    assert len(received) == 1 and len(mail.outbox) == 1
    webhook.refresh_from_db()
    assert webhook.sent_at is not None


def test_transfer_and_reopen_notices_fail_alone(
    client, road, official, other_official, other_department, smtp, django_capture_on_commit_callbacks
):
    report = submit(road, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_transfer(report=report, by=official, department=other_department, reason="属于市政照明")
    report.refresh_from_db()
    assert report.department == other_department and report.status == ReportStatus.TRANSFERRED
    assert in_the_queue(client, other_official, report)
    pending = DispatchOutbox.objects.filter(report=report, sent_at__isnull=True)
    assert sorted(pending.values_list("department_id", flat=True)) == sorted(
        [official.department_id, other_department.pk]
    )
    # Answered, then reopened by the resident: back in the queue with a fresh deadline, notice pending.
    services.report_resolve(report=report, by=other_official, answer="已处理")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_reopen(report=report, user=None, tracking_code=report.tracking_code, reason="还是坏的")
    report.refresh_from_db()
    assert report.status == ReportStatus.REOPENED and report.due_at > timezone.now() + timedelta(hours=47)
    assert in_the_queue(client, other_official, report)
    assert pending.filter(department=other_department).count() == 2


def test_a_refused_reminder_stops_no_other_and_is_sent_once_later(
    road, official, smtp, django_capture_on_commit_callbacks
):
    first = submit(road, django_capture_on_commit_callbacks)
    second = submit(road, django_capture_on_commit_callbacks)
    at = max(first.dispatched_at, second.dispatched_at) + timedelta(hours=37)
    assert services.deadlines_check(now=at) == (0, 0)  # refused: nothing claimed, no exception
    assert not SentNotice.objects.exists() and not ReportEvent.objects.filter(kind=EventKind.REMINDED).exists()
    smtp.back()
    assert services.deadlines_check(now=at) == (2, 0)
    assert services.deadlines_check(now=at) == (0, 0)
    assert len(smtp.inbox.messages) == 2
