""" "Is it fixed?": asked once, N days after the answer; "not fixed" reopens; the figures count it."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from civicworks.notifications.models import Notification
from feedback import fixed, selectors, services
from feedback.models import Report, ReportStatus
from tests.feedback.conftest import INSIDE_WANGJIANG

pytestmark = pytest.mark.django_db

DAYS = settings.CIVICWORKS_FIXED_QUESTION_DAYS


def answered(road, official, *, days_ago: int, close: bool = False, **reporter) -> Report:
    report = services.report_submit(
        category=road, text="井盖松动", latitude=INSIDE_WANGJIANG[0], longitude=INSIDE_WANGJIANG[1], **reporter
    )
    services.report_resolve(report=report, by=official, answer="已更换井盖")
    if close:
        services.report_close(report=report, by=official)
    back = timezone.now() - timedelta(days=days_ago)
    Report.objects.filter(pk=report.pk).update(resolved_at=back, closed_at=back if close else None)
    return Report.objects.get(pk=report.pk)


def links(message) -> dict[str, str]:
    found = re.findall(r"http\S+/reports/fixed/\S+\?answer=(\w+)", message.body)
    urls = re.findall(r"(http\S+/reports/fixed/\S+\?answer=\w+)", message.body)
    return {answer: url.removeprefix(settings.CIVICWORKS_SITE_URL) for answer, url in zip(found, urls, strict=True)}


def test_asked_once_after_the_days_and_not_before(road, official, resident, django_capture_on_commit_callbacks):
    early = answered(road, official, days_ago=DAYS - 1, reporter=resident)
    due = answered(road, official, days_ago=DAYS, reporter=resident)
    nobody = answered(road, official, days_ago=DAYS + 5)  # no account, no address: cannot be asked
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert fixed.fixed_questions_ask() == 1
        assert fixed.fixed_questions_ask() == 0  # not twice
    asked = {r.pk: r.fixed_asked_at for r in Report.objects.all()}
    assert asked[due.pk] is not None and asked[early.pk] is None and asked[nobody.pk] is None
    (question,) = Notification.objects.filter(kind="report.fixed_question")
    assert question.user == resident and due.reference in question.subject
    (message,) = mail.outbox
    assert set(links(message)) == {"fixed", "not_fixed"} and due.tracking_code not in message.body
    with django_capture_on_commit_callbacks(execute=True):
        assert fixed.fixed_questions_ask(now=timezone.now() + timedelta(days=1)) == 1  # the early one, in turn
    assert len(mail.outbox) == 2


def test_not_fixed_reopens_a_closed_report_into_the_departments_queue(
    client, road, official, django_capture_on_commit_callbacks
):
    report = answered(road, official, days_ago=DAYS + 1, close=True, reporter_email="li@example.cn")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        fixed.fixed_questions_ask()
    url = links(mail.outbox[0])["not_fixed"]
    page = client.get(url)  # a link scanner's GET changes nothing
    assert page.status_code == 200 and re.search(r'value="not_fixed"[^>]*checked', page.content.decode())
    assert Report.objects.get(pk=report.pk).status == ReportStatus.CLOSED

    assert client.post(url, {"answer": "not_fixed", "reason": " "}).status_code == 400  # words are needed
    assert Report.objects.get(pk=report.pk).fixed_answer == ""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"answer": "not_fixed", "reason": "井盖又松了"})
    assert response.status_code == 200
    report.refresh_from_db()
    assert (report.status, report.fixed_answer, report.closed_at) == (ReportStatus.REOPENED, "not_fixed", None)
    assert report.fixed_answered_at is not None and report.events.filter(kind="reopened", note="井盖又松了").exists()
    assert report in Report.objects.for_department(official.department_id).open()
    client.force_login(official)
    queue = client.get(reverse("admin:feedback_report_changelist")).content.decode()
    assert reverse("admin:feedback_report_change", args=[report.pk]) in queue
    # Answered once: the link now says so and changes nothing.
    client.logout()
    assert client.post(url, {"answer": "fixed"}).status_code == 400
    assert Report.objects.get(pk=report.pk).fixed_answer == "not_fixed"


def test_fixed_is_recorded_and_confirms_the_answer(
    client, road, official, resident, django_capture_on_commit_callbacks
):
    report = answered(road, official, days_ago=DAYS, reporter=resident)
    with django_capture_on_commit_callbacks(execute=True):
        fixed.fixed_questions_ask()
    url = fixed.answer_link(report, "fixed")
    assert "/login/" in client.get(url)["Location"]  # an account's report: its account answers
    client.force_login(resident)
    assert client.post(url, {"answer": "fixed"}).status_code == 200
    report.refresh_from_db()
    assert (report.status, report.fixed_answer) == (ReportStatus.CONFIRMED, "fixed")


def test_a_forged_or_anothers_token_is_refused(client, road, official, resident, observer):
    report = answered(road, official, days_ago=DAYS, reporter=resident)
    fixed.fixed_questions_ask()
    url = fixed.answer_link(report)
    for forged in ("not-a-token", signing.dumps(report.pk, salt="another-purpose"), fixed.token_for(report)[:-2]):
        assert client.post(reverse("feedback:fixed", args=[forged]), {"answer": "fixed"}).status_code == 404
    for intruder in (observer, official):  # another resident; the department answering for the resident
        client.force_login(intruder)
        assert client.post(url, {"answer": "fixed"}).status_code == 403
    report.refresh_from_db()
    assert (report.status, report.fixed_answer) == (ReportStatus.RESOLVED, "")


def test_the_figures_count_the_question_and_the_answers(road, official, resident, django_capture_on_commit_callbacks):
    reports = [answered(road, official, days_ago=DAYS, reporter_email=f"r{n}@example.cn") for n in range(3)]
    answered(road, official, days_ago=1, reporter_email="later@example.cn")  # not asked yet
    with django_capture_on_commit_callbacks(execute=True):
        assert fixed.fixed_questions_ask() == 3
        services.report_fixed_answer(report=reports[0], user=None, fixed=True)
        services.report_fixed_answer(report=reports[1], user=None, fixed=False, reason="还是坏的")
    period = selectors.period_from(timezone.localdate().strftime("%Y-%m"))
    (row,) = selectors.figures(period=period)["by_department"]
    assert (row["reports"], row["asked_fixed"], row["said_fixed"], row["said_not_fixed"]) == (4, 3, 1, 1)
