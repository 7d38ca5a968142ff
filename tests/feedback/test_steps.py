"""A report's steps are declared once (feedback.models.REPORT_STEPS): the pages offer what `can` allows
and the services refuse the rest, in every status."""

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.models import REPORT_STEPS, Report, ReportStatus, ReportStep

pytestmark = pytest.mark.django_db

RESIDENT_STEPS = {
    ReportStep.CONFIRM: ("feedback:confirm", {}),
    ReportStep.REOPEN: ("feedback:reopen", {"reason": "还没修好"}),
    ReportStep.RATE: ("feedback:rate", {"rating": "4", "comment": ""}),
}


def test_every_step_is_declared():
    assert set(REPORT_STEPS) == set(ReportStep.values)


@pytest.mark.parametrize("status", ReportStatus.values)
def test_the_tracking_page_offers_exactly_what_the_services_allow(client, road, status):
    report = services.report_submit(category=road, text="路面塌陷", latitude=30.69, longitude=103.99)
    Report.objects.filter(pk=report.pk).update(status=status, resolved_at=timezone.now())
    report.refresh_from_db()
    page = client.get(reverse("feedback:track", args=[report.tracking_code])).content.decode()
    for step, (name, _data) in RESIDENT_STEPS.items():
        url = reverse(name, args=[report.tracking_code])
        assert (f'action="{url}"' in page) is report.can(step), (status, step)

    for step, (name, data) in RESIDENT_STEPS.items():
        before = Report.objects.get(pk=report.pk)
        client.post(reverse(name, args=[report.tracking_code]), data)
        after = Report.objects.get(pk=report.pk)
        changed = (after.status, after.rating) != (before.status, before.rating)
        assert changed is before.can(step), (status, step)
        Report.objects.filter(pk=report.pk).update(status=status, rating=None, resolved_at=timezone.now())


CONSOLE_FORMS = {
    ReportStep.ACCEPT: 'id="step-accept"',
    ReportStep.CLOSE: 'id="step-close"',
    ReportStep.RESOLVE: 'id="step-answer"',
    ReportStep.TRANSFER: 'id="step-transfer"',
    ReportStep.HIDE: 'id="step-hide"',
}


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("status", ReportStatus.values)
def test_the_console_offers_exactly_the_steps_the_state_allows(
    client, official, road, status, hidden, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(category=road, text="路灯不亮", latitude=30.69, longitude=103.99)
    Report.objects.filter(pk=report.pk).update(status=status, is_hidden=hidden)
    report.refresh_from_db()
    client.force_login(official)
    page = client.get(reverse("admin:feedback_report_change", args=[report.pk])).content.decode()
    for step, form in CONSOLE_FORMS.items():
        assert (form in page) is report.can(step), (status, hidden, step)
    if status == ReportStatus.CLOSED:
        assert 'id="step-answer"' not in page and 'id="step-transfer"' not in page  # the closed report
