"""Before and after: a category can require a photo of the result, refused alike by the service, the
console and the API; the pair is shown on the public report and the tracking page."""

import pytest
from django.urls import reverse
from django.utils import translation
from PIL import Image

from civicworks.errors import DomainError
from feedback import services
from feedback.models import ReportPhoto, ReportStatus
from tests import factories

REFUSAL = "can be answered only with a photo of the result"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def manhole(lead_department):
    return factories.service_category(department=lead_department, requires_after_photo=True)


@pytest.fixture
def report(manhole, lead_department):
    """A resident's report with its "before" photo, accepted by the lead department."""
    report = factories.report(category=manhole, text="井盖缺失", photos=[factories.jpeg_upload(color=(20, 20, 20))])
    report.refresh_from_db()
    assert report.department == lead_department
    return report


def unchanged(report) -> tuple:
    report.refresh_from_db()
    return report.status, report.answer, report.resolved_at, report.photos.filter(is_answer=True).count()


# --- The service ----------------------------------------------------------------------------------


def test_the_service_refuses_an_answer_without_the_after_photo(report, official):
    before = unchanged(report)
    with pytest.raises(DomainError) as refused:
        services.report_resolve(report=report, by=official, answer="已更换井盖")
    assert refused.value.code == "after_photo_required"
    assert REFUSAL in str(refused.value)
    assert unchanged(report) == before
    assert not report.events.filter(kind="resolved").exists()


def test_the_service_answers_with_the_after_photo_stripped_of_its_position(report, official):
    services.report_resolve(report=report, by=official, answer="已更换井盖", photo=factories.jpeg_upload(gps=True))
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED
    before, after = report.before_after()
    assert (before.is_answer, after.is_answer) == (False, True)
    with after.image.open("rb") as stored:
        assert not Image.open(stored).getexif()  # re-encoded: no GPS, no camera


def test_a_reopened_report_needs_a_new_after_photo(report, official):
    """The earlier photo showed a fix the resident says did not hold."""
    services.report_resolve(report=report, by=official, answer="已更换井盖", photo=factories.jpeg_upload())
    services.report_reopen(report=report, user=None, tracking_code=report.tracking_code, reason="井盖又松动了")
    with pytest.raises(DomainError):
        services.report_resolve(report=report, by=official, answer="已加固")
    assert unchanged(report)[0] == ReportStatus.REOPENED


def test_other_categories_are_answered_without_a_photo(road, official, lead_department):
    report = factories.dispatched_report(category=road, department=lead_department)
    services.report_resolve(report=report, by=official, answer="已修复")
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED


# --- The console ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["official", "manager", "supervisor"])
def test_the_console_refuses_the_answer_without_the_photo_then_takes_it(client, request, persona, report):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("admin:feedback_report_step", args=[report.pk, "answer"])
    page = client.get(reverse("admin:feedback_report_change", args=[report.pk]), **EN).content.decode()
    assert "This category needs a photo of the result" in page and 'name="photo"' in page

    before = unchanged(report)
    response = client.post(url, {"answer": "已更换井盖"}, follow=True, **EN)
    assert REFUSAL in response.content.decode()
    assert unchanged(report) == before

    response = client.post(url, {"answer": "已更换井盖", "photo": factories.jpeg_upload()}, follow=True)
    assert response.status_code == 200
    status, answer, _at, answer_photos = unchanged(report)
    assert (status, answer, answer_photos) == (ReportStatus.RESOLVED, "已更换井盖", 1)


def test_another_department_cannot_answer_in_the_console(client, other_official, report):
    client.force_login(other_official)
    before = unchanged(report)
    url = reverse("admin:feedback_report_step", args=[report.pk, "answer"])
    response = client.post(url, {"answer": "已处理", "photo": factories.jpeg_upload()})
    assert response.status_code in (403, 404)
    assert unchanged(report) == before


# --- The API -------------------------------------------------------------------------------------------


def resolve(client, report, **data):
    return client.post(reverse("feedback-api-report-resolve", args=[report.pk]), data)  # multipart


def test_the_api_refuses_without_the_photo_and_answers_with_it(client, official, report):
    client.force_login(official)
    before = unchanged(report)
    response = client.post(reverse("feedback-api-report-resolve", args=[report.pk]), {"answer": "已更换井盖"}, **EN)
    assert response.status_code == 400
    assert REFUSAL in str(response.json())
    assert unchanged(report) == before

    response = resolve(client, report, answer="已更换井盖", photo=factories.jpeg_upload())
    assert response.status_code == 200, response.content
    assert response.json()["status"] == ReportStatus.RESOLVED
    assert unchanged(report)[3] == 1


@pytest.mark.parametrize(("persona", "status"), [("other_official", 403), ("resident", 403), ("evaluator", 403)])
def test_only_the_handling_department_answers_through_the_api(client, request, persona, status, report):
    client.force_login(request.getfixturevalue(persona))
    before = unchanged(report)
    assert resolve(client, report, answer="已处理", photo=factories.jpeg_upload()).status_code == status
    assert unchanged(report) == before


def test_the_api_asks_for_a_log_in(client, report):
    assert resolve(client, report, answer="已处理").status_code in (401, 403)


# --- Shown publicly -----------------------------------------------------------------------------------


@pytest.fixture
def answered(report, official):
    return services.report_resolve(report=report, by=official, answer="已更换井盖", photo=factories.jpeg_upload())


def test_the_public_page_and_the_tracking_page_show_the_pair(client, answered, django_assert_max_num_queries):
    before, after = answered.before_after()
    with django_assert_max_num_queries(12):
        page = client.get(reverse("feedback:detail", args=[answered.pk]), **EN).content.decode()
    tracking = client.get(reverse("feedback:track", args=[answered.tracking_code]), **EN).content.decode()
    for html in (page, tracking):
        assert "Before and after" in html
        assert html.count("<figure>") == 2 and "<figcaption>" in html
        assert before.image.url in html and after.image.url in html
        assert 'alt="Photo sent with the report"' in html and 'alt="Photo of the result"' in html
    assert client.get(after.image.url).status_code == 200  # a public report's photos are public


def test_a_hidden_reports_photos_are_not_public(client, answered, official):
    services.report_hide(report=answered, by=official, reason="含有个人信息")
    before, after = answered.before_after()
    assert client.get(reverse("feedback:detail", args=[answered.pk])).status_code == 404
    assert client.get(after.image.url).status_code == 404
    assert client.get(before.image.url).status_code == 404
    # The resident's tracking page lends its access to the images (signed links).
    tracking = client.get(reverse("feedback:track", args=[answered.tracking_code])).content.decode()
    assert f"{after.image.url}?grant=" in tracking


def test_no_pair_without_an_answer_photo(client, report):
    page = client.get(reverse("feedback:detail", args=[report.pk]), **EN).content.decode()
    assert "Before and after" not in page
    assert ReportPhoto.objects.filter(report=report).count() == 1
