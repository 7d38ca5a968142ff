"""End to end with a real Celery worker and Redis: submit → one notice → answer → confirm → rating."""

import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from feedback import services
from feedback.models import DispatchOutbox, Report, ReportStatus
from feedback.tasks import dispatch_report
from tests.integration.test_celery_worker import celery_worker_process, wait_for  # noqa: F401 — fixture

from .conftest import INSIDE_WANGJIANG


class _Department(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        _Department.received.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def department_endpoint():
    _Department.received = []
    server = HTTPServer(("127.0.0.1", 0), _Department)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/dispatch", _Department.received
    server.shutdown()


@pytest.mark.integration
def test_submit_dispatch_answer_confirm_rate_with_a_real_worker(
    celery_worker_process,  # noqa: F811
    department_endpoint,
    road,
    official,
    resident,
    grid,
):
    url, received = department_endpoint
    department = official.department
    department.dispatch_webhook, department.webhook_secret = url, "integration-secret"
    department.save()
    lat, lng = INSIDE_WANGJIANG
    report = services.report_submit(
        category=road, text="望江路路面塌陷", latitude=lat, longitude=lng, reporter=resident
    )

    def dispatched() -> bool:
        return Report.objects.filter(pk=report.pk, status=ReportStatus.DISPATCHED).exists()

    if not wait_for(dispatched, timeout=40):
        celery_worker_process.terminate()
        output = celery_worker_process.communicate(timeout=20)[0].decode(errors="replace")
        pytest.fail(
            f"the worker never dispatched the report; outbox={list(DispatchOutbox.objects.values())}\n{output[-3000:]}"
        )
    assert wait_for(lambda: len(received) == 1, timeout=10)
    # The webhook is its own delivery (the e-mail is another row, retried on its own).
    row = DispatchOutbox.objects.get(report=report, channel="webhook")
    assert wait_for(lambda: DispatchOutbox.objects.filter(pk=row.pk, sent_at__isnull=False).exists(), timeout=10)

    # The same task delivered again: still one notice.
    dispatch_report.delay(row.pk)
    time.sleep(3)
    assert len(received) == 1

    report.refresh_from_db()
    assert report.department == department and report.grid_worker == grid.grid_worker
    services.report_resolve(report=report, by=official, answer="已完成修补")
    services.report_confirm(report=report, user=resident, tracking_code=report.tracking_code)
    services.report_rate(report=report, user=resident, tracking_code=report.tracking_code, rating=5)
    report.refresh_from_db()
    assert report.status == ReportStatus.CONFIRMED and report.rating == 5
    assert len(received) == 1
