"""The whole life of a report through the services, with tasks run eagerly."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from civicworks.accounts.models import SentNotice
from feedback import services
from feedback.models import DispatchOutbox, EventKind, Report, ReportEvent, ReportStatus
from tests import factories

from .conftest import CANARY_NAME, CANARY_PHONE


def submit(road, **extra) -> Report:
    return factories.report(category=road, **extra)


def test_whole_lifecycle(road, official, resident, grid, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(road, reporter=resident, reporter_name=CANARY_NAME, reporter_phone=CANARY_PHONE)
    report.refresh_from_db()
    # Located, routed to the category's department, due in 48 hours, grid worker named.
    assert report.district.code == "linjiang" and report.community.name == "望江社区"
    assert report.grid_area == grid and report.grid_worker == grid.grid_worker
    assert report.status == ReportStatus.DISPATCHED
    assert report.department == official.department
    assert report.due_at - report.dispatched_at == timedelta(hours=48)
    assert len(report.tracking_code) == 13
    assert [m.to for m in mail.outbox] == [[official.department.dispatch_email]]
    assert DispatchOutbox.objects.get(report=report).sent_at is not None

    services.report_accept(report=report, by=official)
    services.report_resolve(report=report, by=official, answer="已修复路面")
    services.report_confirm(report=report, user=resident, tracking_code=report.tracking_code.lower())
    services.report_rate(report=report, user=resident, tracking_code=report.tracking_code, rating=5, comment="很快")
    services.report_close(report=report, by=official)
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED and report.rating == 5 and report.answer == "已修复路面"
    kinds = list(report.events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.SUBMITTED, EventKind.DISPATCHED, EventKind.ACCEPTED, EventKind.RESOLVED,
        EventKind.CONFIRMED, EventKind.RATED, EventKind.CLOSED,
    ]  # fmt: skip
    # Nothing stored as prose in the language of the moment: the page writes it for its reader.
    assert report.events.get(kind=EventKind.DISPATCHED).note == ""


def test_transfer_reroutes_with_new_deadline_and_notice(
    road, official, other_department, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(road)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_transfer(report=report, by=official, department=other_department, reason="属于市政照明")
    report.refresh_from_db()
    assert report.department == other_department and report.status == ReportStatus.TRANSFERRED
    assert report.due_at > timezone.now() + timedelta(hours=47)
    assert [m.to for m in mail.outbox] == [[other_department.dispatch_email]]
    event = report.events.get(kind=EventKind.TRANSFERRED)
    # The staff's reason as typed; "from A to B" is written when the timeline is read, in its language.
    assert (event.note, event.from_department_id, event.department_id) == (
        "属于市政照明",
        official.department_id,
        other_department.pk,
    )


def test_the_timeline_says_from_which_department_to_which_in_the_readers_language(
    client, road, official, other_department, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(road)
        services.report_transfer(report=report, by=official, department=other_department, reason="属于市政照明")
    url = f"/track/{report.tracking_code}/"
    old, new = official.department.name, other_department.name
    assert f"由{old}转至{new}" in client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"from {old} to {new}" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_migration_reads_old_transfer_sentences_back(road, official, other_department, language):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("feedback.migrations.0014_transfer_from_department")
    report = submit(road)
    old, new = official.department.name, other_department.name
    note = f"From {old} to {new}: 不属本部门" if language == "en" else f"由{old}转至{new}：不属本部门"
    event = ReportEvent.objects.create(
        report=report, kind=EventKind.TRANSFERRED, department=other_department, note=note
    )
    own_words = ReportEvent.objects.create(
        report=report, kind=EventKind.TRANSFERRED, department=other_department, note="转交处理"
    )
    migration.split_transfer_notes(apps, None)
    event.refresh_from_db()
    own_words.refresh_from_db()
    assert (event.from_department_id, event.note) == (official.department_id, "不属本部门")
    assert (own_words.from_department_id, own_words.note) == (None, "转交处理")


def test_transfer_needs_a_reason(road, official, other_department, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(road)
    with pytest.raises(ValidationError):
        services.report_transfer(report=report, by=official, department=other_department, reason=" ")
    report.refresh_from_db()
    assert report.department_id == official.department_id


def test_reopen_sends_it_back_with_a_fresh_deadline(road, official, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(road)
    services.report_resolve(report=report, by=official, answer="已处理")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_reopen(report=report, user=None, tracking_code=report.tracking_code, reason="坑还在")
    report.refresh_from_db()
    assert report.status == ReportStatus.REOPENED and report.resolved_at is None
    assert len(mail.outbox) == 1


def test_wrong_people_are_refused_and_nothing_changes(
    road, official, other_official, resident, observer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(road, reporter=resident)
    with pytest.raises(PermissionDenied):
        services.report_accept(report=report, by=other_official)
    with pytest.raises(PermissionDenied):
        services.report_close(report=report, by=resident)
    services.report_resolve(report=report, by=official, answer="已处理")
    # The tracking code alone is not enough for a report filed from an account.
    with pytest.raises(PermissionDenied):
        services.report_confirm(report=report, user=observer, tracking_code=report.tracking_code)
    with pytest.raises(PermissionDenied):
        services.report_rate(report=report, user=resident, tracking_code="0000000000000", rating=1)
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED and report.rating is None


def test_rating_is_checked_and_given_once(road, official, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(road)
    with pytest.raises(ValidationError):  # not answered yet
        services.report_rate(report=report, user=None, tracking_code=report.tracking_code, rating=4)
    services.report_resolve(report=report, by=official, answer="已处理")
    with pytest.raises(ValidationError):
        services.report_rate(report=report, user=None, tracking_code=report.tracking_code, rating=6)
    services.report_rate(report=report, user=None, tracking_code=report.tracking_code, rating=4)
    with pytest.raises(ValidationError):
        services.report_rate(report=report, user=None, tracking_code=report.tracking_code, rating=1)
    report.refresh_from_db()
    assert report.rating == 4


def test_window_channel_records_the_staff_member(road, official, resident):
    with pytest.raises(ValidationError):
        submit(road, channel="window", taken_by=resident)
    report = submit(road, channel="window", taken_by=official)
    assert report.taken_by == official
    assert report.events.get(kind=EventKind.SUBMITTED).actor == official


def test_bad_input_is_refused_and_nothing_is_stored(road):
    with pytest.raises(ValidationError):
        services.report_submit(category=road, text="   ", latitude=30.69, longitude=103.99)
    with pytest.raises(ValidationError):
        services.report_submit(category=road, text="坑", latitude=None, longitude=None, address="")
    with pytest.raises(ValidationError):
        services.report_submit(category=road, text="坑", latitude=91, longitude=103.99)
    assert not Report.objects.exists() and not DispatchOutbox.objects.exists()


def test_hide_keeps_the_report(road, official, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(road)
    services.report_hide(report=report, by=official, reason="辱骂内容")
    report.refresh_from_db()
    assert report.is_hidden and Report.objects.public().count() == 0 and Report.objects.count() == 1


def test_reminder_at_75_percent_and_escalation_on_breach_each_once(
    road, official, manager, supervisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(road)
    report.refresh_from_db()
    mail.outbox.clear()
    assert services.deadlines_check(now=report.dispatched_at + timedelta(hours=30)) == (0, 0)
    assert services.deadlines_check(now=report.dispatched_at + timedelta(hours=37)) == (1, 0)
    assert services.deadlines_check(now=report.dispatched_at + timedelta(hours=40)) == (0, 0)
    assert services.deadlines_check(now=report.dispatched_at + timedelta(hours=49)) == (0, 1)
    assert services.deadlines_check(now=report.dispatched_at + timedelta(hours=50)) == (0, 0)
    assert len(mail.outbox) == 2
    assert sorted(mail.outbox[1].to) == sorted([manager.email, supervisor.email])
    assert SentNotice.objects.count() == 2
