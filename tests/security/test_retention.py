"""Retention: reporters' personal data of reports done long ago is purged; the reports stay."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicworks.celery import app as celery_app
from civicworks.redaction import redact_contacts
from feedback.models import Report, ReportEvent, ReportStatus, SiteCheck
from feedback.privacy import retention_purge
from feedback.tasks import purge_personal_data
from tests import factories
from tests.integration.test_celery_worker import celery_worker_process, wait_for  # noqa: F401 — fixture

PHONE, EMAIL = "13812345678", "old-reporter@example.cn"


def submit(road, resident, **extra) -> Report:
    return factories.report(
        category=road, text=f"路灯不亮，请回电 {PHONE} 或 {EMAIL}", reporter=resident,
        reporter_name="王五", reporter_phone=PHONE, reporter_email=EMAIL, **extra,
    )  # fmt: skip


def age(report: Report, *, status: str, days: int) -> None:
    when = timezone.now() - timedelta(days=days)
    Report.objects.filter(pk=report.pk).update(status=status, closed_at=when, resolved_at=when)


@pytest.fixture
def reports(road, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = {name: submit(road, resident) for name in ("old_closed", "old_confirmed", "recent_closed", "old_open")}
    age(made["old_closed"], status=ReportStatus.CLOSED, days=400)
    age(made["old_confirmed"], status=ReportStatus.CONFIRMED, days=400)
    age(made["recent_closed"], status=ReportStatus.CLOSED, days=10)
    Report.objects.filter(pk=made["old_open"].pk).update(submitted_at=timezone.now() - timedelta(days=400))
    ReportEvent.objects.create(report=made["old_closed"], kind="reopened", note=f"还是没修好，电话 {PHONE}")
    for report in made.values():
        SiteCheck.objects.create(report=report, author=factories.user(), note=f"现场已核实，王先生 {PHONE} 反映属实")
    return made


def assert_anonymised(report: Report) -> None:
    report.refresh_from_db()
    assert report.anonymised_at is not None and report.reporter_id is None
    assert report.reporter_name == report.reporter_phone == report.reporter_email == ""
    assert PHONE not in report.text and EMAIL not in report.text and report.text.startswith("路灯不亮")
    assert all(PHONE not in e.note for e in report.events.all())
    assert all(check.note == "现场已核实，王先生 *** 反映属实" for check in report.site_checks.all())


def assert_intact(report: Report) -> None:
    report.refresh_from_db()
    assert report.anonymised_at is None and report.reporter_id is not None
    assert report.reporter_phone == PHONE and PHONE in report.text
    assert all(PHONE in check.note for check in report.site_checks.all())


def test_reports_done_before_the_retention_period_are_anonymised_and_kept(reports, client):
    assert retention_purge() == 2
    assert_anonymised(reports["old_closed"])
    assert_anonymised(reports["old_confirmed"])
    assert_intact(reports["recent_closed"])
    assert_intact(reports["old_open"])
    assert Report.objects.count() == 4
    assert client.get(f"/track/{reports['old_closed'].tracking_code}/").status_code == 200


def test_the_purge_is_idempotent(reports):
    assert retention_purge() == 2
    before = list(Report.objects.order_by("pk").values())
    assert retention_purge() == 0
    assert list(Report.objects.order_by("pk").values()) == before


def test_the_retention_period_is_a_setting(reports, settings):
    settings.CIVICWORKS_RETENTION_DAYS = 5
    assert retention_purge() == 3
    assert_anonymised(reports["recent_closed"])


def test_the_purge_works_in_batches(road, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = [submit(road, resident) for _ in range(5)]
    for report in made:
        SiteCheck.objects.create(report=report, author=factories.user(), note=f"现场已核实，王先生 {PHONE} 反映属实")
        age(report, status=ReportStatus.CLOSED, days=400)
    assert retention_purge(batch_size=2) == 5
    for report in made:
        assert_anonymised(report)


@pytest.mark.parametrize(
    ("text", "redacted"),
    [("请回电13812345678", "请回电***"), ("电话 +86 138-1234-5678。", "电话 ***。"), ("座机028-87654321", "座机***"),
     ("邮箱 a.b@example.cn", "邮箱 ***"), ("2026-06-01 修好了 1200000 元", "2026-06-01 修好了 1200000 元")],
)  # fmt: skip
def test_contact_details_in_free_text_are_redacted_and_nothing_else(text, redacted):
    assert redact_contacts(text) == redacted


def test_the_purge_runs_daily_from_celery_beat():
    entry = celery_app.conf.beat_schedule["feedback-purge-personal-data"]
    assert entry["task"] == purge_personal_data.name


@pytest.mark.integration
def test_a_real_worker_purges_and_a_second_delivery_changes_nothing(celery_worker_process, road, resident):  # noqa: F811
    report = submit(road, resident)
    age(report, status=ReportStatus.CLOSED, days=400)
    purge_personal_data.delay()
    assert wait_for(lambda: Report.objects.filter(pk=report.pk, anonymised_at__isnull=False).exists(), timeout=40)
    assert_anonymised(report)
    stamp = report.anonymised_at
    # Delivered again (a retry, a second beat): only the newly due report changes.
    later = submit(road, resident)
    age(later, status=ReportStatus.CLOSED, days=400)
    purge_personal_data.delay()
    assert wait_for(lambda: Report.objects.filter(pk=later.pk, anonymised_at__isnull=False).exists(), timeout=40)
    report.refresh_from_db()
    assert report.anonymised_at == stamp
