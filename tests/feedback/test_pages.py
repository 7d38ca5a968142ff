"""Residents' pages: the form with and without JavaScript, tracking, my reports, map, list, figures."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from feedback import services
from feedback.models import Channel, Report, ReportStatus
from tests import factories

from .conftest import CANARY_EMAIL, CANARY_NAME, CANARY_PHONE, INSIDE_WANGJIANG, jpeg_bytes


def form_data(road, **extra):
    lat, lng = INSIDE_WANGJIANG
    data = {
        "kind": "problem", "category": road.pk, "text": "望江路门口路面有一个大坑", "text_is_public": "on",
        "latitude": lat, "longitude": lng, "address": "", "reporter_name": CANARY_NAME,
        "reporter_phone": CANARY_PHONE, "reporter_email": CANARY_EMAIL, "website": "",
    }  # fmt: skip
    return {**data, **extra}


def test_the_form_renders_with_the_project_prefilled(client, road, project):
    response = client.get(reverse("feedback:submit") + f"?project={project.code}&via=qr")
    assert response.status_code == 200
    html = response.content.decode()
    assert project.title in html and f'value="{project.code}"' in html and 'value="qr"' in html
    assert "<script>" not in html and "style=" not in html
    # Scanned at the site: the map opens on the project at street zoom, not on the city centre.
    assert f'data-center="{project.latitude:f},{project.longitude:f}" data-zoom="17"' in html
    plain = client.get(reverse("feedback:submit")).content.decode()
    assert 'data-zoom="13"' in plain


def test_submit_without_js_uses_the_address(client, road, django_capture_on_commit_callbacks):
    data = form_data(road, latitude="", longitude="", address="临江区望江路12号")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("feedback:submit"), data)
    report = Report.objects.get()
    assert response.status_code == 302 and response.url == reverse("feedback:track", args=[report.tracking_code])
    assert report.address == "临江区望江路12号" and report.latitude is None
    assert report.status == ReportStatus.DISPATCHED and report.reporter_phone == CANARY_PHONE


def test_submit_from_a_qr_code_links_the_project(client, road, project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("feedback:submit"), form_data(road, project=project.code, via="qr"))
    report = Report.objects.get()
    assert report.project == project and report.channel == Channel.QR and report.department == project.lead_unit


def test_a_staff_member_files_at_the_window(client, road, official):
    client.force_login(official)
    client.post(reverse("feedback:submit"), form_data(road, via="window"))
    report = Report.objects.get()
    assert report.channel == Channel.WINDOW and report.taken_by == official and report.reporter is None


def test_problem_without_pin_or_address_is_refused(client, road):
    response = client.post(reverse("feedback:submit"), form_data(road, latitude="", longitude="", address=""))
    assert response.status_code == 400 and not Report.objects.exists()


def test_honeypot_refuses(client, road):
    response = client.post(reverse("feedback:submit"), form_data(road, website="http://spam.example"))
    assert response.status_code == 400 and not Report.objects.exists()


def test_rate_limit_per_address(client, road, settings):
    settings.FEEDBACK_ANONYMOUS_PER_HOUR = 2
    from django.core.cache import cache

    cache.clear()
    for _ in range(2):
        assert client.post(reverse("feedback:submit"), form_data(road, not_a_duplicate="on")).status_code == 302
    assert client.post(reverse("feedback:submit"), form_data(road, not_a_duplicate="on")).status_code == 429
    assert Report.objects.count() == 2
    cache.clear()


def test_similar_reports_preview_without_js(client, road):
    services.report_submit(category=road, text="同一个坑", latitude=30.6901, longitude=103.9901)
    response = client.post(reverse("feedback:submit"), form_data(road))
    assert response.status_code == 200 and "同一个坑" in response.content.decode()
    assert Report.objects.count() == 1
    response = client.post(reverse("feedback:submit"), form_data(road, not_a_duplicate="on"))
    assert response.status_code == 302 and Report.objects.count() == 2


def test_nearby_endpoint_is_public_data_only(client, road):
    services.report_submit(
        category=road, text="同一个坑", latitude=30.6901, longitude=103.9901, reporter_name=CANARY_NAME
    )
    response = client.get(reverse("feedback:nearby"), {"lat": 30.69, "lng": 103.99, "category": road.pk})
    assert response.status_code == 200 and len(response.json()["results"]) == 1
    assert CANARY_NAME not in response.content.decode()
    assert client.get(reverse("feedback:nearby"), {"lat": "x"}).status_code == 400


def test_photos_upload_through_the_form(client, road):
    photo = SimpleUploadedFile("pothole.jpg", jpeg_bytes(gps=True), content_type="image/jpeg")
    response = client.post(reverse("feedback:submit"), {**form_data(road), "photos": [photo]})
    assert response.status_code == 302
    assert Report.objects.get().photos.count() == 1


def test_bad_photo_gives_a_clear_error_and_stores_nothing(client, road):
    fake = SimpleUploadedFile("pothole.jpg", b"not an image at all", content_type="image/jpeg")
    response = client.post(reverse("feedback:submit"), {**form_data(road), "photos": [fake]})
    assert response.status_code == 400 and not Report.objects.exists()


@pytest.fixture
def answered(road, official, resident, django_capture_on_commit_callbacks) -> Report:
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(
            category=road, text="私密的描述", text_is_public=False, latitude=30.69, longitude=103.99,
            reporter=resident, reporter_name=CANARY_NAME, reporter_phone=CANARY_PHONE, reporter_email=CANARY_EMAIL,
        )  # fmt: skip
    return services.report_resolve(report=report, by=official, answer="已修复")


def test_tracking_page_confirm_and_rate(client, answered, resident):
    client.force_login(resident)
    url = reverse("feedback:track", args=[answered.tracking_code])
    html = client.get(url).content.decode()
    assert "已修复" in html and "私密的描述" in html  # the reporter sees their own text
    client.post(reverse("feedback:confirm", args=[answered.tracking_code]))
    client.post(reverse("feedback:rate", args=[answered.tracking_code]), {"rating": "4", "comment": "不错"})
    answered.refresh_from_db()
    assert answered.status == ReportStatus.CONFIRMED and answered.rating == 4


def test_tracking_actions_refused_for_another_account(client, answered, observer):
    client.force_login(observer)
    response = client.post(reverse("feedback:confirm", args=[answered.tracking_code]))
    assert response.status_code == 403
    response = client.post(reverse("feedback:rate", args=[answered.tracking_code]), {"rating": "1"})
    assert response.status_code == 403
    answered.refresh_from_db()
    assert answered.status == ReportStatus.RESOLVED and answered.rating is None
    assert "私密的描述" not in client.get(reverse("feedback:track", args=[answered.tracking_code])).content.decode()


def test_reopen_from_the_tracking_page(client, answered, resident):
    client.force_login(resident)
    client.post(reverse("feedback:reopen", args=[answered.tracking_code]), {"reason": "还没修好"})
    answered.refresh_from_db()
    assert answered.status == ReportStatus.REOPENED


def test_my_reports_needs_an_account_and_shows_only_mine(client, answered, resident, observer):
    assert client.get(reverse("feedback:mine")).status_code == 302
    client.force_login(observer)
    assert answered.tracking_code not in client.get(reverse("feedback:mine")).content.decode()
    client.force_login(resident)
    assert answered.tracking_code in client.get(reverse("feedback:mine")).content.decode()


def test_no_personal_data_or_private_text_on_public_pages(client, answered, resident):
    pages = [
        reverse("feedback:list"), reverse("feedback:detail", args=[answered.pk]), reverse("feedback:map-data"),
        reverse("feedback:figures"), reverse("feedback:track", args=[answered.tracking_code]),
    ]  # fmt: skip
    for url in pages:
        html = client.get(url).content.decode()
        for canary in (CANARY_NAME, CANARY_PHONE, CANARY_EMAIL, "私密的描述"):
            assert canary not in html, (url, canary)
    # The public list never shows the tracking code (it is the resident's key).
    assert answered.tracking_code not in client.get(reverse("feedback:list")).content.decode()


def test_hidden_reports_are_not_public(client, answered, official):
    services.report_hide(report=answered, by=official, reason="辱骂")
    assert client.get(reverse("feedback:detail", args=[answered.pk])).status_code == 404
    assert client.get(reverse("feedback:map-data")).json()["results"] == []


def _many(road, n):
    for i in range(n):
        services.report_submit(category=road, text=f"坑{i}", latitude=30.69, longitude=103.99)


@pytest.mark.parametrize("n", [5, 50])
def test_query_counts_do_not_grow(client, road, n, django_assert_max_num_queries):
    _many(road, n)
    report = Report.objects.first()
    with django_assert_max_num_queries(6):
        assert client.get(reverse("feedback:list")).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(reverse("feedback:map-data")).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("feedback:detail", args=[report.pk])).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("feedback:figures")).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(reverse("feedback:track", args=[report.tracking_code])).status_code == 200


@pytest.mark.parametrize(("language", "label"), [("zh-hans", "网格员"), ("en", "Grid worker")])
def test_tracking_page_writes_the_deadline_and_grid_worker_for_its_reader(client, road, grid, language, label):
    report = factories.report(category=road)  # through intake: located and given its grid worker
    assert report.grid_worker == grid.grid_worker

    page = client.get(reverse("feedback:track", args=[report.tracking_code]), HTTP_ACCEPT_LANGUAGE=language)
    html = page.content.decode()

    assert f"<dt>{label}</dt><dd>李四海</dd>" in html
    other = "Grid worker" if language == "zh-hans" else "网格员"
    assert other not in html
