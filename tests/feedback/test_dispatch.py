"""Dispatch that loses nothing and sends nothing twice."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.utils import timezone

from feedback import services
from feedback.models import DispatchOutbox, ReportStatus, RoutingRule
from feedback.tasks import dispatch_report, sweep_outbox
from projects.models import Department, District
from tests import factories

from .conftest import INSIDE_WANGJIANG


def submit_without_dispatch(category, **extra):
    """As if the broker lost the tasks: the on-commit publish never runs (the routing is done)."""
    return factories.report(category=category, text="路灯不亮", **extra)


def test_task_run_twice_sends_one_notification(road, official):
    report = submit_without_dispatch(road)
    row = DispatchOutbox.objects.get(report=report)
    assert dispatch_report.apply(args=[row.pk]).get() is True
    assert dispatch_report.apply(args=[row.pk]).get() is False
    assert len(mail.outbox) == 1
    report.refresh_from_db()
    assert report.events.filter(kind="dispatched").count() == 1


def test_a_lost_task_is_resent_by_the_sweep(road, official):
    report = submit_without_dispatch(road)
    # Routed with the report; only the notice was lost.
    assert report.status == ReportStatus.DISPATCHED and not mail.outbox
    # Within the grace period the sweep leaves the row to its task.
    assert services.outbox_sweep() == 0
    assert services.outbox_sweep(now=timezone.now() + timedelta(minutes=3)) == 1
    assert services.outbox_sweep(now=timezone.now() + timedelta(minutes=60)) == 0
    report.refresh_from_db()
    assert report.status == ReportStatus.DISPATCHED and len(mail.outbox) == 1


def test_sweep_task_is_wired(road):
    submit_without_dispatch(road)
    DispatchOutbox.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert sweep_outbox.apply().get() == 1


def test_a_failing_webhook_leaves_the_row_for_a_later_retry(road, lead_department, django_capture_on_commit_callbacks):
    lead_department.dispatch_webhook = "http://127.0.0.1:9/refused"
    lead_department.save()
    with django_capture_on_commit_callbacks(execute=True):
        report = submit_without_dispatch(road)  # the request itself succeeds
    row = DispatchOutbox.objects.get(report=report, channel="webhook")
    assert row.sent_at is None and row.attempts == 1 and row.last_error
    assert row.next_attempt_at > timezone.now() + timedelta(minutes=4)
    report.refresh_from_db()
    # The routing stands: committed with the report, whatever the notice does (issue 14, finding 7).
    assert report.status == ReportStatus.DISPATCHED and report.department == lead_department


class _Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append((self.headers.get("X-CivicWorks-Signature"), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_server():
    _Hook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Hook.received
    server.shutdown()


def test_webhook_is_signed_with_hmac_sha256(road, lead_department, webhook_server, django_capture_on_commit_callbacks):
    url, received = webhook_server
    lead_department.dispatch_webhook, lead_department.webhook_secret = url, "s3cret"
    lead_department.save()
    with django_capture_on_commit_callbacks(execute=True):
        report = submit_without_dispatch(road)
    assert len(received) == 1
    signature, body = received[0]
    assert signature == "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    # Named by its number: the tracking code is the resident's key, not the department's.
    payload = json.loads(body)
    assert payload["report_id"] == report.pk and "tracking_code" not in payload


def test_routing_order(categories, project, lead_department, other_department):
    from projects.models import Project

    road = categories["road"]
    linjiang = District.objects.get(code="linjiang")
    lat, lng = INSIDE_WANGJIANG
    # 3. the category's department
    report = services.report_submit(category=road, text="坑", latitude=lat, longitude=lng)
    assert services.report_route(report=report).department == road.department
    # 2. a district rule wins over the category
    district_unit = Department.objects.get(name="临江区住房和建设局")
    RoutingRule.objects.create(category=road, district=linjiang, department=district_unit)
    assert services.report_route(report=report).department == district_unit
    # 1. a linked project wins over everything
    other = Project.objects.get(pk=project.pk)
    other.lead_unit = other_department
    other.save()
    report = services.report_submit(category=road, text="坑", latitude=lat, longitude=lng, project=other)
    assert services.report_route(report=report).department == other_department
    # 4. no rule and no category department: the city's default desk
    road.department = None
    road.save()
    report = services.report_submit(category=road, text="坑", latitude=30.61, longitude=104.10)
    assert services.report_route(report=report).department == Department.objects.get(is_default_desk=True)


def test_one_broken_row_does_not_stop_the_sweep(road, categories):
    fine = submit_without_dispatch(road)
    # No department anywhere for the broken one: no category department and no default desk.
    noise = categories["noise"]
    type(noise).objects.filter(pk=noise.pk).update(department=None)
    Department.objects.update(is_default_desk=False)
    noise.refresh_from_db()
    broken = submit_without_dispatch(noise)  # accepted all the same: a routing row waits for the city
    assert broken.status == ReportStatus.SUBMITTED and broken.department is None
    later = timezone.now() + timedelta(minutes=3)
    assert services.outbox_sweep(now=later) == 1
    fine.refresh_from_db()
    broken_row = DispatchOutbox.objects.get(report=broken)
    assert fine.status == ReportStatus.DISPATCHED and DispatchOutbox.objects.get(report=fine).sent_at is not None
    assert broken_row.channel == "route" and broken_row.sent_at is None and broken_row.attempts == 1
    # The city names its default desk again: the next sweep routes the report and queues its notice.
    desk = Department.objects.exclude(pk=road.department_id).order_by("pk").first()
    Department.objects.filter(pk=desk.pk).update(is_default_desk=True)
    assert services.outbox_sweep(now=later + timedelta(minutes=10)) == 0  # routing sends nothing
    broken.refresh_from_db()
    assert broken.status == ReportStatus.DISPATCHED and broken.department == desk and broken.due_at is not None
    assert services.outbox_sweep(now=later + timedelta(hours=1)) == 1
    assert len(mail.outbox) == 2 and mail.outbox[-1].to == [desk.dispatch_email]
