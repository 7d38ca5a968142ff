"""Bad input gets a clear, translated error and changes nothing; what is stored is shown inert.

The sweep (issue 9): photos (decompression bomb, > 64 megapixels, > 10 MB, more than 5, not an
image, SVG) on the web form and the API in both languages; money overflow; coordinates and
dates out of range; HTML/JS in text fields (pages, API, exports); spreadsheet formulas in the
CSV and XLSX exports. Service-level photo tests: tests/feedback/test_photos.py.
"""

import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from civicworks.photos import MAX_BYTES
from feedback import services
from feedback.models import Report, ReportPhoto
from projects.models import Expenditure, Milestone
from tests.feedback.conftest import INSIDE_WANGJIANG, jpeg_bytes
from tests.feedback.test_photos import png_bomb

LANGUAGES = ["zh-hans", "en"]
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
TOO_MANY_PIXELS = "The photo “%(name)s” has too many pixels."
NOT_A_PHOTO = "The file “%(name)s” is not a photo (JPEG, PNG, WebP or GIF)."
# (name, content factory, the message the resident must read)
BAD_PHOTOS = {
    "bomb": ("bomb.png", lambda: png_bomb(20_000, 20_000), TOO_MANY_PIXELS),
    "over_64_megapixels": ("wide.png", lambda: png_bomb(8_001, 8_000), TOO_MANY_PIXELS),
    "over_10_mb": (
        "big.jpg",
        lambda: b"\xff\xd8" + b"\x00" * (MAX_BYTES + 1),
        "The photo “%(name)s” is larger than 10 MB.",
    ),
    "not_an_image": ("notes.jpg", lambda: b"%PDF-1.4 not a picture", NOT_A_PHOTO),
    "svg": ("drawing.svg", lambda: SVG, NOT_A_PHOTO),
}

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_money_overflow_is_a_clear_error_and_no_row(client, official, project, language):
    client.force_login(official)
    body = {"date": "2026-06-01", "amount": "100000000000000000000", "payee": "锦川建工", "purpose": "材料款"}
    response = client.post(
        f"/api/v1/projects/{project.code}/expenditures/", body,
        content_type="application/json", HTTP_ACCEPT_LANGUAGE=language,
    )  # fmt: skip
    assert response.status_code == 400 and "amount" in response.json()
    assert not Expenditure.objects.exists()


@pytest.mark.parametrize(("lat", "lon"), [(91, 104), (-91, 104), (30.6, 181), (30.6, -181)])
def test_coordinates_out_of_range_are_refused(client, road, lat, lon):
    body = {"category": "road", "text": "井盖缺失", "latitude": lat, "longitude": lon}
    response = client.post("/api/v1/reports/", body, content_type="application/json")
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_html_in_report_text_is_escaped_in_pages_and_api(client, road, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(category=road, text=f"井盖缺失 {XSS}", latitude=30.69, longitude=103.99)
    for url in ["/reports/", f"/reports/{report.pk}/", f"/track/{report.tracking_code}/"]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "onerror=alert" not in html.replace("&lt;img src=x onerror", ""), url
    api = client.get(f"/api/v1/reports/{report.pk}/")
    assert api["Content-Type"].startswith("application/json")


def test_spreadsheet_formulas_are_neutralised_in_csv_exports(client, project):
    project.title = '=HYPERLINK("http://evil.example","点我")'
    project.save()
    response = client.get("/open-data/projects.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert '=HYPERLINK("http://evil.example"' in text.replace('""', '"')
    for cell in (c.strip('"') for line in text.splitlines() for c in line.split(",")):
        assert not cell.startswith(("=", "+", "@")), cell


# --- Photos: web form and API, both languages, nothing stored ---------------------------------


def _report_form(road, photos) -> dict:
    lat, lng = INSIDE_WANGJIANG
    return {"kind": "problem", "category": road.pk, "text": "路面有坑", "text_is_public": "on", "latitude": lat,
            "longitude": lng, "address": "", "website": "", "photos": photos}  # fmt: skip


def _nothing_stored() -> None:
    assert not Report.objects.exists() and not ReportPhoto.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


def _expected(message: str, language: str, **values) -> str:
    with translation.override(language):
        text = gettext(message) % values
    if language != "en":
        assert text != message % values, f"not translated: {message}"
    return text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", BAD_PHOTOS)
def test_bad_photos_on_the_web_form_are_refused_clearly(client, road, kind, language):
    name, content, message = BAD_PHOTOS[kind]
    photos = [SimpleUploadedFile("ok.jpg", jpeg_bytes()), SimpleUploadedFile(name, content())]
    response = client.post(reverse("feedback:submit"), _report_form(road, photos), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert escape(_expected(message, language, name=name)) in response.content.decode()
    _nothing_stored()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", BAD_PHOTOS)
def test_bad_photos_on_the_api_are_refused_clearly(client, road, kind, language):
    name, content, message = BAD_PHOTOS[kind]
    body = {"category": "road", "text": "路面有坑", "latitude": 30.69, "longitude": 103.99,
            "photos": [SimpleUploadedFile(name, content())]}  # fmt: skip
    response = client.post("/api/v1/reports/", body, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert _expected(message, language, name=name) in response.content.decode()
    _nothing_stored()


@pytest.mark.parametrize("language", LANGUAGES)
def test_six_photos_are_refused_on_the_web_form(client, road, language):
    photos = [SimpleUploadedFile(f"{i}.jpg", jpeg_bytes()) for i in range(6)]
    response = client.post(reverse("feedback:submit"), _report_form(road, photos), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert escape(_expected("At most %(count)d photos per report.", language, count=5)) in response.content.decode()
    _nothing_stored()


@pytest.mark.parametrize("language", LANGUAGES)
def test_six_photos_are_refused_on_the_api(client, road, language):
    photos = [SimpleUploadedFile(f"{i}.jpg", jpeg_bytes()) for i in range(6)]
    body = {"category": "road", "text": "路面有坑", "latitude": 30.69, "longitude": 103.99, "photos": photos}
    response = client.post("/api/v1/reports/", body, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400 and "photos" in response.json()
    _nothing_stored()


# --- Dates out of range ----------------------------------------------------------------------

BAD_DATES = [
    "0000-01-01",
    "10000-01-01",
    "2026-13-01",
    "2026-02-30",
    "-2026-01-01",
    "2026-06-01T99:00",
    "9999-12-31T23:59:59-23:59",
]


@pytest.mark.parametrize("bad", BAD_DATES)
def test_dates_out_of_range_in_api_writes_are_refused(client, official, project, bad):
    client.force_login(official)
    expenditure = {"date": bad, "amount": "100.00", "payee": "锦川建工", "purpose": "材料款"}
    response = client.post(
        f"/api/v1/projects/{project.code}/expenditures/", expenditure, content_type="application/json"
    )
    assert response.status_code == 400 and "date" in response.json()
    milestone = {"title": "竣工验收", "planned_date": bad}
    response = client.post(f"/api/v1/projects/{project.code}/milestones/", milestone, content_type="application/json")
    assert response.status_code == 400 and "planned_date" in response.json()
    assert not Expenditure.objects.exists() and not Milestone.objects.exists()


@pytest.mark.parametrize("bad", BAD_DATES)
def test_dates_out_of_range_in_queries_are_a_400_never_a_500(client, road, bad):
    for url in (f"/open311/v2/requests.json?start_date={bad}", f"/api/v1/reports/hotspots/?since={bad}",
                f"/hotspots/?since={bad}"):  # fmt: skip
        assert client.get(url).status_code == 400, url


# --- HTML/JS in every text field, and formulas in XLSX ----------------------------------------


def test_html_in_project_text_is_inert_in_pages_api_and_exports(client, project):
    project.title = f"电梯 {XSS}"
    project.description = XSS
    project.save()
    for url in ["/", "/projects/", f"/projects/{project.code}/"]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url
    api = client.get(f"/api/v1/projects/{project.code}/")
    assert api["Content-Type"].startswith("application/json") and api.json()["title"].endswith(XSS)
    response = client.get("/open-data/projects.csv")
    assert response["Content-Type"].startswith("text/csv")


def test_spreadsheet_formulas_are_neutralised_in_xlsx_exports(client, project):
    triggers = ['=HYPERLINK("http://evil.example","点我")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]
    for i, text in enumerate(triggers):
        Expenditure.objects.create(project=project, date="2026-06-01", amount="10.00", payee=text, purpose=text,
                                   voucher_number=f"V{i}")  # fmt: skip
    for url in ["/open-data/expenditures.xlsx", "/open-data/projects.xlsx"]:
        project.title = triggers[0]
        project.save()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        book = openpyxl.load_workbook(io.BytesIO(body))
        cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"], url
        texts = [c.value for c in cells if isinstance(c.value, str)]
        assert not [t for t in texts if t.startswith(("=", "+", "@")) or (t.startswith("-") and not t[1:2].isdigit())]
        assert any("HYPERLINK" in t for t in texts), url
