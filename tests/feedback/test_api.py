"""The REST API: public reads without personal data, submission, the schema."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from feedback import services
from feedback.models import Channel, Report

from .conftest import CANARY_EMAIL, CANARY_NAME, CANARY_PHONE, jpeg_bytes

URL = "/api/v1/reports/"


def payload(**extra):
    data = {
        "category": "road", "text": "井盖缺失", "latitude": 30.69, "longitude": 103.99,
        "reporter_name": CANARY_NAME, "reporter_phone": CANARY_PHONE, "reporter_email": CANARY_EMAIL,
    }  # fmt: skip
    return {**data, **extra}


def test_post_json_and_read_back_without_personal_data(client, road, official, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, payload(), content_type="application/json")
    assert response.status_code == 201
    report = Report.objects.get()
    assert response.json()["tracking_code"] == report.tracking_code and report.channel == Channel.API
    for url in [URL, f"{URL}{report.pk}/"]:
        text = client.get(url).content.decode()
        assert CANARY_NAME not in text and CANARY_PHONE not in text and CANARY_EMAIL not in text
        assert report.tracking_code not in text
    detail = client.get(f"{URL}{report.pk}/").json()
    assert detail["department"] == "市住房和城乡建设局" and [e["kind"] for e in detail["timeline"]] == [
        "submitted",
        "dispatched",
    ]


def test_post_multipart_with_photo(client, road):
    data = {**payload(), "photos": [SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")]}
    assert client.post(URL, data).status_code == 201
    assert Report.objects.get().photos.count() == 1


def test_post_bad_input_is_a_clear_400(client, road):
    assert client.post(URL, payload(category="nope"), content_type="application/json").status_code == 400
    response = client.post(URL, payload(latitude=None, longitude=None), content_type="application/json")
    assert response.status_code == 400 and "address" in response.json()
    assert client.post(URL, payload(project="MX-0000-000"), content_type="application/json").status_code == 400
    assert not Report.objects.exists()


def test_private_text_and_hidden_reports_stay_private(client, road, official):
    report = services.report_submit(category=road, text="私密", text_is_public=False, latitude=30.69, longitude=103.99)
    assert client.get(f"{URL}{report.pk}/").json()["text"] == ""
    report.department = official.department
    report.save()
    services.report_hide(report=report, by=official, reason="x")
    assert client.get(f"{URL}{report.pk}/").status_code == 404
    assert client.get(URL).json()["results"] == []


def test_anonymous_api_submissions_are_rate_limited(client, road, settings):
    settings.FEEDBACK_ANONYMOUS_PER_HOUR = 1
    assert client.post(URL, payload(), content_type="application/json").status_code == 201
    assert client.post(URL, payload(), content_type="application/json").status_code == 429
    assert Report.objects.count() == 1


def test_schema_documents_the_endpoints(client, db):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/reports/" in schema and "/api/v1/reports/{id}/" in schema


@pytest.mark.parametrize("n", [5, 50])
def test_list_query_count(client, road, n, django_assert_max_num_queries):
    for i in range(n):
        services.report_submit(category=road, text=f"坑{i}", latitude=30.69, longitude=103.99)
    with django_assert_max_num_queries(3):
        assert client.get(URL).json()["count"] == n
