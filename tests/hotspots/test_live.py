"""Live fragments: 304 while nothing changed, 200 with the new content after a change, staff-only queue."""

import pytest
from django.urls import reverse

from feedback import services as feedback_services
from feedback.models import Report, ReportStatus
from projects.models import ProgressUpdate
from tests import factories


def _poll(client, url, etag=None, **headers):
    if etag:
        headers["HTTP_IF_NONE_MATCH"] = etag
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en", **headers)


# --- Report tracking ---------------------------------------------------------------------------


@pytest.fixture
def waiting_report(road, lead_department) -> Report:
    return factories.dispatched_report(category=road, department=lead_department)


def test_report_fragment_304_until_the_department_answers(client, official, waiting_report):
    url = reverse("feedback:report-live", args=[waiting_report.tracking_code])
    first = _poll(client, url)
    assert first.status_code == 200 and first["ETag"]
    assert "no-cache" in first["Cache-Control"]
    assert _poll(client, url, first["ETag"]).status_code == 304

    feedback_services.report_resolve(report=waiting_report, by=official, answer="已修复路灯，感谢反馈。")

    changed = _poll(client, url, first["ETag"])
    assert changed.status_code == 200
    assert "已修复路灯，感谢反馈。" in changed.content.decode()
    assert changed["ETag"] != first["ETag"]
    assert _poll(client, url, changed["ETag"]).status_code == 304


def test_report_fragment_304_costs_one_query_and_renders_nothing(client, waiting_report, django_assert_num_queries):
    url = reverse("feedback:report-live", args=[waiting_report.tracking_code])
    etag = _poll(client, url)["ETag"]
    with django_assert_num_queries(1):
        response = _poll(client, url, etag)
    assert response.status_code == 304 and response.content == b""


def test_report_fragment_keeps_a_private_description_private(client, road, lead_department):
    report = factories.dispatched_report(category=road, department=lead_department, text_is_public=False, reporter=None)
    report.text = "私密描述金丝雀"
    report.save()
    html = _poll(client, reverse("feedback:report-live", args=[report.tracking_code])).content.decode()
    # Anyone holding the code of an anonymous report is its reporter; an account's report needs the account.
    assert "私密描述金丝雀" in html
    report.reporter = _resident(report)
    report.save()
    html = _poll(client, reverse("feedback:report-live", args=[report.tracking_code])).content.decode()
    assert "私密描述金丝雀" not in html


def _resident(report):

    return factories.user(username="owner", role="resident")


def test_report_fragment_unknown_code_is_404(client, categories):
    assert _poll(client, reverse("feedback:report-live", args=["0000000000000"])).status_code == 404


def test_fragment_etag_depends_on_the_language(client, waiting_report):
    url = reverse("feedback:report-live", args=[waiting_report.tracking_code])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_IF_NONE_MATCH=english["ETag"])
    assert chinese.status_code == 200 and chinese["ETag"] != english["ETag"]


def test_fragments_refuse_writes(client, waiting_report):
    url = reverse("feedback:report-live", args=[waiting_report.tracking_code])
    assert client.post(url).status_code == 405


# --- Project page ------------------------------------------------------------------------------


def test_project_fragment_304_until_a_progress_update(client, project, official):
    url = reverse("projects:live", args=[project.code])
    first = _poll(client, url)
    assert first.status_code == 200 and "40%" in first.content.decode()
    assert _poll(client, url, first["ETag"]).status_code == 304

    ProgressUpdate.objects.create(
        project=project, stage="construction", percent_complete=55, text="电梯井道施工完成。", author=official
    )
    changed = _poll(client, url, first["ETag"])
    assert changed.status_code == 200 and "电梯井道施工完成。" in changed.content.decode()

    project.stage, project.percent_complete = "acceptance", 95
    project.save()
    staged = _poll(client, url, changed["ETag"])
    assert staged.status_code == 200 and "95%" in staged.content.decode() and "Acceptance" in staged.content.decode()


def test_project_fragment_hides_unpublished_projects(client, project):
    project.is_public = False
    project.save()
    assert _poll(client, reverse("projects:live", args=[project.code])).status_code == 404


# --- Console queue -----------------------------------------------------------------------------


QUEUE = "/console/queue/live/"


@pytest.mark.parametrize("persona", [None, "resident", "observer", "evaluator"])
def test_queue_fragment_refused_to_others(client, request, persona, road, lead_department):
    report = factories.dispatched_report(category=road, department=lead_department)
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = _poll(client, QUEUE)
    assert response.status_code == 403
    assert report.tracking_code not in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.DISPATCHED


def test_queue_fragment_shows_new_reports_of_the_department_only(
    client, official, road, lead_department, other_department
):
    mine = factories.dispatched_report(category=road, department=lead_department)
    theirs = factories.dispatched_report(category=road, department=other_department)
    client.force_login(official)
    first = _poll(client, QUEUE)
    html = first.content.decode()
    assert first.status_code == 200 and "private" in first["Cache-Control"]
    # Each report by its number, never by its tracking code (the resident's key).
    listed = lambda report: f">{report.reference}</a>"  # noqa: E731
    assert listed(mine) in html and listed(theirs) not in html and mine.tracking_code not in html
    assert _poll(client, QUEUE, first["ETag"]).status_code == 304

    newcomer = factories.dispatched_report(category=road, department=lead_department)
    changed = _poll(client, QUEUE, first["ETag"])
    assert changed.status_code == 200 and listed(newcomer) in changed.content.decode()

    feedback_services.report_accept(report=newcomer, by=official)  # accepted: it leaves the "new" list
    accepted = _poll(client, QUEUE, changed["ETag"])
    assert accepted.status_code == 200 and listed(newcomer) not in accepted.content.decode()


def test_queue_fragment_etag_differs_between_departments(client, official, other_official, road, lead_department):
    factories.dispatched_report(category=road, department=lead_department)
    client.force_login(official)
    etag = _poll(client, QUEUE)["ETag"]
    client.force_login(other_official)
    assert _poll(client, QUEUE, etag).status_code == 200
