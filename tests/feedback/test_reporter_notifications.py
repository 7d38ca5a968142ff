"""The reporter hears about each step of their report, once, and nobody hears their contact."""

import pytest
from django.core import mail
from django.urls import reverse

from civicworks.notifications.models import Notification
from feedback import notifications, services
from tests.feedback.conftest import CANARY_EMAIL, CANARY_NAME, CANARY_PHONE, INSIDE_WANGJIANG

pytestmark = pytest.mark.django_db

STEPS = ["report.accepted", "report.transferred", "report.answered", "report.reopened", "report.closed"]


def submit(road, **reporter):
    return services.report_submit(
        category=road, text="路面塌陷", latitude=INSIDE_WANGJIANG[0], longitude=INSIDE_WANGJIANG[1],
        reporter_name=CANARY_NAME, reporter_phone=CANARY_PHONE, **reporter,
    )  # fmt: skip


def walk_every_step(report, official, other_official, other_department, reporter=None):
    """Accept, transfer, answer, reopen (by the reporter), close: one notification each."""
    services.report_accept(report=report, by=official)
    services.report_transfer(report=report, by=official, department=other_department, reason="属于市政设施")
    services.report_resolve(report=report, by=other_official, answer="已修复路面，感谢反映")
    services.report_reopen(report=report, user=reporter, tracking_code=report.tracking_code, reason="还有裂缝")
    services.report_close(report=report, by=other_official, note="已复查")


def test_an_account_reporter_hears_each_step_once(
    road, resident, official, other_official, other_department, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(road, reporter=resident, reporter_email=CANARY_EMAIL)
        walk_every_step(report, official, other_official, other_department, reporter=resident)
        # The same step told again (a repeated call) tells nobody.
        accepted = report.events.get(kind="accepted")
        assert notifications.tell_reporter(report, notifications.ACCEPTED, accepted) == 0

    everything = list(Notification.objects.order_by("id"))
    # Points for the accepted report are told too (participation); the report's own steps here.
    told = [n for n in everything if n.kind.startswith("report.")]
    assert [n.kind for n in told] == STEPS
    assert {n.user_id for n in everything} == {resident.pk}  # nobody else hears about the report
    assert {n.link for n in told} == {reverse("feedback:my-report", args=[report.pk])}
    answered = next(n for n in told if n.kind == "report.answered")
    assert report.reference in answered.subject and "已修复路面，感谢反映" in answered.body
    assert other_department.name in answered.body
    to_reporter = [m for m in mail.outbox if m.to == [resident.email]]
    assert len(to_reporter) == len(STEPS)
    for text in [n.subject + n.body + n.link for n in everything] + [m.subject + m.body for m in mail.outbox]:
        # No contact details anywhere, and the tracking code only ever goes to an address recipient.
        assert CANARY_NAME not in text and CANARY_PHONE not in text and CANARY_EMAIL not in text
        assert report.tracking_code not in text


def test_a_reporter_without_an_account_gets_the_tracking_link_by_email(
    client, road, official, other_official, other_department, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(road, reporter_email="Reporter@Example.cn")
        walk_every_step(report, official, other_official, other_department)

    told = list(Notification.objects.order_by("id"))
    assert [n.kind for n in told] == STEPS
    assert {n.email for n in told} == {"reporter@example.cn"} and {n.user_id for n in told} == {None}
    tracking = reverse("feedback:track", args=[report.tracking_code])
    assert {n.link for n in told} == {tracking}
    mails = [m for m in mail.outbox if m.to == ["reporter@example.cn"]]
    assert len(mails) == len(STEPS) and all(tracking in m.body for m in mails)
    # The department's notices never carry the code or the reporter's contact.
    for message in mail.outbox:
        if message.to != ["reporter@example.cn"]:
            assert report.tracking_code not in message.body
            assert CANARY_PHONE not in message.body and "reporter@example.cn" not in message.body.lower()
    assert client.get(tracking).status_code == 200


def test_a_reporter_who_left_no_way_back_hears_nothing(road, official, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(road)
        services.report_accept(report=report, by=official)
        services.report_resolve(report=report, by=official, answer="已处理")
    assert not Notification.objects.exists()
    assert all(CANARY_PHONE not in m.body for m in mail.outbox)


def test_the_accounts_link_opens_the_tracking_page_for_that_account_only(client, road, resident, observer):
    report = submit(road, reporter=resident)
    link = reverse("feedback:my-report", args=[report.pk])
    assert client.get(link).status_code == 302 and "/login/" in client.get(link)["Location"]
    client.force_login(observer)
    assert client.get(link).status_code == 404
    client.force_login(resident)
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == reverse(
        "feedback:track", args=[report.tracking_code]
    )
