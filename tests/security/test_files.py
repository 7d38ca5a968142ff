"""Stored files are served only through the checking view, to the people who may see them.

Department reports and expenditure vouchers are private (the console's scoping decides);
photos of public reports and of public projects' updates are public, photos of hidden
reports only for the handling department, the city and whoever holds the tracking page.
Stored names are random tokens; vouchers are PDF or images by content; re-encoded photos
keep no comment blocks.
"""

import importlib
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import clear_url_caches
from django.utils import translation
from PIL import Image

from evaluation.models import DepartmentReport, ReviewCycle, WeightingScheme
from feedback import services as feedback_services
from participation import services as participation_services
from projects import services as project_services
from projects.models import Community, Expenditure, ProgressUpdate, ProjectCategory
from tests.feedback.conftest import SECRET, jpeg_bytes, jpeg_with_comment, png_with_text
from tests.projects.test_console import form_data

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% voucher of the lead department\n"
# A random token (no ids, no dates, no sequence) under the kind's folder.
TOKEN_NAME = re.compile(r"^[a-z-]+/[A-Za-z0-9_-]{22}\.[a-z]{3,4}$")
VOUCHER_REFUSED = "The attachment must be a PDF or an image (JPEG, PNG, WebP or GIF)."


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def fetch(client, request, persona: str | None, url: str):
    client.logout()
    if persona:
        client.force_login(request.getfixturevalue(persona))
    return client.get(url)


def stored_bytes(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


# --- Private files: department reports and vouchers ---------------------------------------------


@pytest.fixture
def department_report(lead_department):
    cycle = ReviewCycle.objects.create(year=2026, quarter=4, scheme=WeightingScheme.objects.create(name="方案"))
    return DepartmentReport.objects.create(
        cycle=cycle,
        department=lead_department,
        pdf=ContentFile(b"%PDF-1.4 scorecards of the lead department", name="evaluation-2026-q4-dept1.pdf"),
        xlsx=ContentFile(b"PK\x03\x04 spreadsheet", name="evaluation-2026-q4-dept1.xlsx"),
    )


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [(None, False), ("resident", False), ("other_official", False), ("official", True), ("manager", True),
     ("supervisor", True), ("evaluator", True), ("city_admin", True)],
)  # fmt: skip
def test_department_report_only_for_its_department_evaluators_and_the_city(
    client, request, department_report, persona, allowed
):
    for field_file in (department_report.pdf, department_report.xlsx):
        response = fetch(client, request, persona, field_file.url)
        if allowed:
            assert response.status_code == 200
            assert body(response) == stored_bytes(field_file)
            assert "private" in response["Cache-Control"]
        else:
            assert response.status_code in (403, 404)
            assert b"scorecards" not in body(response)


@pytest.fixture
def voucher(project, official):
    return project_services.expenditure_record(
        project=project, by=official, date=date(2026, 5, 1), amount=Decimal("5000"), payee="锦川建工",
        purpose="进度款", attachment=SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [(None, False), ("resident", False), ("other_official", False), ("official", True), ("manager", True),
     ("evaluator", True), ("city_admin", True)],
)  # fmt: skip
def test_voucher_only_for_staff_who_see_the_project_in_the_console(client, request, voucher, persona, allowed):
    response = fetch(client, request, persona, voucher.attachment.url)
    if allowed:
        assert response.status_code == 200 and body(response) == PDF
        assert response["Content-Type"] == "application/pdf"
    else:
        assert response.status_code in (403, 404) and PDF not in body(response)


def test_voucher_may_be_a_scan(project, official):
    scan = jpeg_bytes()
    row = project_services.expenditure_record(
        project=project, by=official, date=date(2026, 5, 1), amount=Decimal("5000"), payee="锦川建工",
        purpose="进度款", attachment=SimpleUploadedFile("scan.jpeg", scan, content_type="image/jpeg"),
    )  # fmt: skip
    assert TOKEN_NAME.match(row.attachment.name) and stored_bytes(row.attachment) == scan


def test_the_check_does_not_rest_on_the_name(client, voucher, department_report):
    """Knowing (or guessing) a stored name gives nothing: the old /media/ door is gone too."""
    for name in (
        voucher.attachment.name,
        department_report.pdf.name,
        "evaluation/reports/evaluation-2026-q4-dept1.pdf",
    ):
        assert client.get(f"/media/{name}").status_code == 404
        assert client.get(f"/files/{name}").status_code == 404
    assert client.get("/files/../settings.py").status_code == 404


def test_no_media_route_even_in_debug(settings):
    import civicworks.urls

    settings.DEBUG = True
    try:
        reloaded = importlib.reload(civicworks.urls)
        routes = [str(p.pattern) for p in reloaded.urlpatterns]
        assert not any("media" in route for route in routes), routes
    finally:
        settings.DEBUG = False
        importlib.reload(civicworks.urls)
        clear_url_caches()


def test_nginx_serves_the_bytes_when_accel_redirect_is_on(client, settings, official, voucher):
    settings.CIVICWORKS_MEDIA_ACCEL_REDIRECT = "/protected-media/"
    assert client.get(voucher.attachment.url).status_code == 404  # the check still runs first
    client.force_login(official)
    response = client.get(voucher.attachment.url)
    assert response.status_code == 200 and body(response) == b""
    assert response["X-Accel-Redirect"] == f"/protected-media/{voucher.attachment.name}"
    assert response["Content-Type"] == "application/pdf"


# --- Photos: public with their report or project, else only for who handles them ------------------


@pytest.fixture
def public_report(road, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return feedback_services.report_submit(
            category=road, text="井盖缺失", latitude=30.69, longitude=103.99,
            photos=[SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")],
        )  # fmt: skip


def test_public_photo_is_served_by_the_view_without_debug(client, settings, public_report):
    settings.DEBUG = False
    photo = public_report.photos.get()
    for field_file in (photo.image, photo.thumbnail):
        assert field_file.url.startswith("/files/")
        response = client.get(field_file.url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert body(response) == stored_bytes(field_file)
    page = client.get(f"/reports/{public_report.pk}/").content.decode()
    assert photo.thumbnail.url in page


def test_hidden_reports_photo_is_refused_to_the_public(client, request, official, public_report):
    feedback_services.report_hide(report=public_report, by=official, reason="辱骂")
    photo = public_report.photos.get()
    for persona in (None, "resident", "other_official", "evaluator"):
        assert fetch(client, request, persona, photo.image.url).status_code in (403, 404)
    for persona in ("official", "city_admin"):
        assert fetch(client, request, persona, photo.image.url).status_code == 200
    # The tracking page (the resident's key) shows the photo through a signed link.
    client.logout()
    page = client.get(f"/track/{public_report.tracking_code}/").content.decode()
    granted = re.search(r'src="(/files/[^"]+)"', page).group(1).replace("&amp;", "&")
    assert "?grant=" in granted
    assert client.get(granted).status_code == 200
    forged = granted.rsplit("=", 1)[0] + "=x"
    assert client.get(forged).status_code == 404


def test_progress_photo_public_only_with_its_project(client, request, project, official):
    update = project_services.progress_record(
        project=project, by=official, stage="construction", percent=50, text="井道施工",
        photo=SimpleUploadedFile("shaft.jpg", jpeg_bytes(), content_type="image/jpeg"),
    )  # fmt: skip
    assert client.get(update.photo.url).status_code == 200
    project.is_public = False
    project.save()
    assert fetch(client, request, None, update.photo.url).status_code == 404
    assert fetch(client, request, "other_official", update.photo.url).status_code == 404
    assert fetch(client, request, "official", update.photo.url).status_code == 200


# --- Stored names --------------------------------------------------------------------------------


def test_stored_names_are_random_tokens_without_ids(
    resident, public_report, department_report, voucher, project, official, lead_department
):
    need = participation_services.need_propose(
        author=resident, category=ProjectCategory.objects.get(code="elevator"), title="加装电梯", text="老人上下楼难",
        latitude=30.69, longitude=103.99, district=Community.objects.get(name="望江社区").district,
        photo=SimpleUploadedFile("mine.jpg", jpeg_bytes(), content_type="image/jpeg"),
    )  # fmt: skip
    update = project_services.progress_record(
        project=project, by=official, stage="construction", percent=50, text="井道施工",
        photo=SimpleUploadedFile(f"user{official.pk}.jpg", jpeg_bytes(), content_type="image/jpeg"),
    )  # fmt: skip
    photo = public_report.photos.get()
    names = [photo.image.name, photo.thumbnail.name, department_report.pdf.name, department_report.xlsx.name,
             voucher.attachment.name, need.photo.name, update.photo.name]  # fmt: skip
    for name in names:
        assert TOKEN_NAME.match(name), name
        assert not any(given in name for given in ("dept", "need-", f"user{official.pk}", "2026")), name
    assert len(set(names)) == len(names)


def test_every_file_field_has_token_names_and_a_checking_rule():
    """A new FileField anywhere must choose its folder and say who may see its files."""
    from civicworks import files

    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and not model.__name__.startswith("Historical"):
                found.append(f"{model._meta.label}.{field.name}")
                assert isinstance(field.upload_to, files.TokenPath), found[-1]
                assert files.kind_of(f"{field.upload_to.folder}/x.jpg") is not None, found[-1]
    assert len(found) >= 9, found


# --- Vouchers: PDF or image by content -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("voucher.pdf", b"<!doctype html><script>alert(document.cookie)</script>"),
        ("voucher.jpg", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
        ("voucher.png", b"\x89PNG\r\n\x1a\n<html>not really</html>"),
    ],
)
def test_voucher_that_is_not_a_pdf_or_image_is_refused(project, official, settings, name, content):
    before = Expenditure.objects.count()
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            project_services.expenditure_record(
                project=project, by=official, date=date(2026, 5, 1), amount=Decimal("5000"), payee="锦川建工",
                purpose="进度款", attachment=SimpleUploadedFile(name, content),
            )  # fmt: skip
        assert VOUCHER_REFUSED in " ".join(refused.value.messages)
    assert Expenditure.objects.count() == before
    assert not any(p.is_file() for p in settings.MEDIA_ROOT.rglob("*")) if settings.MEDIA_ROOT.exists() else True


@pytest.mark.parametrize(("content", "accepted"), [(b"<html><script>x</script></html>", False), (PDF, True)])
def test_console_refuses_a_renamed_html_voucher(client, official, project, settings, content, accepted):
    client.force_login(official)
    page = client.get(f"/admin/projects/project/{project.pk}/change/")
    data = form_data(page)
    prefix = next(f.formset.prefix for f in page.context["inline_admin_formsets"] if f.formset.model is Expenditure)
    n = int(data[f"{prefix}-INITIAL_FORMS"])
    data.update({f"{prefix}-TOTAL_FORMS": str(n + 1), f"{prefix}-{n}-date": "2026-05-01", f"{prefix}-{n}-amount": "100", f"{prefix}-{n}-payee": "某公司",
                 f"{prefix}-{n}-purpose": "材料款",
                 f"{prefix}-{n}-attachment": SimpleUploadedFile("scan.pdf", content)})  # fmt: skip
    response = client.post(f"/admin/projects/project/{project.pk}/change/", data, HTTP_ACCEPT_LANGUAGE="en")
    if accepted:
        assert response.status_code == 302
        assert TOKEN_NAME.match(Expenditure.objects.get(project=project).attachment.name)
        return
    assert response.status_code == 200  # the form again, with the error
    assert VOUCHER_REFUSED in response.content.decode()
    assert not Expenditure.objects.filter(project=project).exists()
    assert not any(p.is_file() for p in settings.MEDIA_ROOT.rglob("*")) if settings.MEDIA_ROOT.exists() else True


# --- Re-encoded photos keep no comments ---------------------------------------------------------


@pytest.mark.parametrize(
    "upload", [("c.jpg", jpeg_with_comment), ("t.png", png_with_text)], ids=["jpeg-com", "png-text"]
)
def test_progress_photo_is_reencoded_without_comment(project, official, upload):
    name, make = upload
    update = project_services.progress_record(
        project=project, by=official, stage="construction", percent=50, text="井道施工",
        photo=SimpleUploadedFile(name, make(SECRET)),
    )  # fmt: skip
    data = stored_bytes(update.photo)
    assert SECRET.encode() not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and "comment" not in image.info and not image.getexif()


def test_console_progress_photo_is_reencoded_without_comment(client, official, project):
    client.force_login(official)
    page = client.get(f"/admin/projects/project/{project.pk}/change/")
    data = form_data(page)
    prefix = next(f.formset.prefix for f in page.context["inline_admin_formsets"] if f.formset.model is ProgressUpdate)
    n = int(data[f"{prefix}-INITIAL_FORMS"])
    data.update({f"{prefix}-{n}-stage": "construction", f"{prefix}-{n}-percent_complete": "45",
                 f"{prefix}-{n}-text": "井道施工",
                 f"{prefix}-{n}-photo": SimpleUploadedFile("c.jpg", jpeg_with_comment(SECRET))})  # fmt: skip
    response = client.post(f"/admin/projects/project/{project.pk}/change/", data)
    assert response.status_code == 302
    update = project.updates.get()
    assert TOKEN_NAME.match(update.photo.name)
    assert SECRET.encode() not in stored_bytes(update.photo)
