"""The department queue in the console: scoped, overdue first, actions through the services."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.models import Report, ReportStatus, ResponseTemplate

from .conftest import CANARY_PHONE


@pytest.fixture
def queue(road, categories, official, other_official, django_capture_on_commit_callbacks):
    """Two reports for the official's department (one overdue), one for the other department."""
    with django_capture_on_commit_callbacks(execute=True):
        mine = services.report_submit(
            category=road, text="坑", latitude=30.69, longitude=103.99, reporter_phone=CANARY_PHONE
        )
        late = services.report_submit(category=road, text="旧坑", latitude=30.69, longitude=103.99)
        theirs = services.report_submit(category=categories["garbage"], text="垃圾", latitude=30.69, longitude=103.99)
    Report.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    return mine, late, theirs


def test_officials_see_only_their_department_overdue_first(client, queue, official):
    mine, late, theirs = queue
    client.force_login(official)
    response = client.get(reverse("admin:feedback_report_changelist"))
    assert response.status_code == 200
    shown = [r.pk for r in response.context["cl"].result_list]
    assert shown == [late.pk, mine.pk]
    assert client.get(reverse("admin:feedback_report_change", args=[theirs.pk])).status_code == 302


def test_contact_is_shown_to_the_department_only(client, queue, official, evaluator):
    mine, _, _ = queue
    client.force_login(official)
    html = client.get(reverse("admin:feedback_report_change", args=[mine.pk])).content.decode()
    assert "139****5678" in html and CANARY_PHONE not in html  # masked until "Show contact details"
    client.force_login(evaluator)
    response = client.get(reverse("admin:feedback_report_change", args=[mine.pk]))
    assert response.status_code == 200 and CANARY_PHONE not in response.content.decode()


def test_accept_answer_with_template_and_transfer_from_the_console(client, queue, official, other_department):
    mine, late, _ = queue
    ResponseTemplate.objects.create(department=official.department, title="已修复", text="已安排修复，感谢反映。")
    template = ResponseTemplate.objects.get()
    client.force_login(official)
    step = lambda pk, name: reverse("admin:feedback_report_step", args=[pk, name])  # noqa: E731
    client.post(step(mine.pk, "accept"))
    client.post(step(mine.pk, "answer"), {"template": template.pk, "answer": ""})
    mine.refresh_from_db()
    assert mine.status == ReportStatus.RESOLVED and mine.answer == "已安排修复，感谢反映。"
    client.post(step(late.pk, "transfer"), {"department": other_department.pk, "reason": "不属于本部门"})
    late.refresh_from_db()
    assert late.department == other_department and late.status == ReportStatus.TRANSFERRED


def test_other_department_is_refused_and_nothing_changes(client, queue, other_official, resident):
    mine, _, _ = queue
    for user in (other_official, resident):
        client.force_login(user)
        response = client.post(reverse("admin:feedback_report_step", args=[mine.pk, "accept"]))
        assert response.status_code in (302, 403, 404)
        mine.refresh_from_db()
        assert mine.status == ReportStatus.DISPATCHED


def test_bulk_accept_and_close(client, queue, official):
    mine, late, theirs = queue
    client.force_login(official)
    url = reverse("admin:feedback_report_changelist")
    client.post(url, {"action": "accept_selected", "_selected_action": [mine.pk, late.pk, theirs.pk]})
    statuses = dict(Report.objects.values_list("pk", "status"))
    assert statuses[mine.pk] == statuses[late.pk] == ReportStatus.ACCEPTED
    assert statuses[theirs.pk] == ReportStatus.DISPATCHED  # out of scope: untouched


def test_console_figures(client, queue, official):
    client.force_login(official)
    this_month = timezone.localdate().strftime("%Y-%m")  # the page opens on the last complete month
    response = client.get(reverse("admin:feedback_report_figures"), {"period": this_month})
    assert response.status_code == 200
    names = [row["name"] for row in response.context["figures"]["by_department"]]
    assert names == [official.department.name]


@pytest.mark.parametrize("n", [5, 50])
def test_queue_query_count(client, road, official, n, django_assert_max_num_queries):
    for i in range(n):
        report = services.report_submit(category=road, text=f"坑{i}", latitude=30.69, longitude=103.99)
        Report.objects.filter(pk=report.pk).update(department=official.department, status="dispatched")
    client.force_login(official)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("admin:feedback_report_changelist")).status_code == 200
