"""In the field (issue 17): grid workers' and supervisors' pages and API, on-site checks and who may record them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from civicworks.accounts.models import Role
from feedback.field import services
from feedback.field.selectors import due_items
from feedback.models import EventKind, GridArea, Report, ReportEvent, SiteCheck
from feedback.selectors import project_site_checks, report_site_checks
from projects.models import Community
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def ours(road, grid, lead_department) -> Report:
    """An open report in 望江一网格 (the `grid_worker`'s), handled by the `official`'s department."""
    report = factories.dispatched_report(category=road, department=lead_department)
    Report.objects.filter(pk=report.pk).update(grid_area=grid, grid_worker=grid.grid_worker)
    report.refresh_from_db()
    return report


@pytest.fixture
def other_grid_worker(city, other_department):
    worker = factories.user(username="other_grid", role=Role.GRID_WORKER, department=other_department)
    community = Community.objects.get(name="青龙社区")
    GridArea.objects.create(name="青龙一网格", district=community.district, community=community, grid_worker=worker)
    return worker


@pytest.fixture
def theirs(road, other_department, other_grid_worker) -> Report:
    report = factories.dispatched_report(category=road, department=other_department)
    Report.objects.filter(pk=report.pk).update(
        grid_area=other_grid_worker.grid_areas.get(), grid_worker=other_grid_worker
    )
    return report


def photo(name="check.jpg"):
    return factories.jpeg_upload(name=name, size=(64, 48))


# --- The service ---------------------------------------------------------------------------------


def test_grid_worker_records_a_check_with_photo_and_position(ours, grid_worker):
    check = services.site_check_record(
        by=grid_worker, report=ours, note="现场路面坑洞属实", photo=photo(), latitude=30.69, longitude=103.99
    )
    assert (check.author, check.report, check.project) == (grid_worker, ours, None)
    assert check.photo.name.startswith("sitechecks/") and check.photo.name.endswith(".jpg")
    event = ReportEvent.objects.get(report=ours, kind=EventKind.SITE_CHECKED)
    assert (event.actor, event.note, event.is_public) == (grid_worker, "现场路面坑洞属实", False)
    assert list(report_site_checks(ours)) == [check]


def test_supervisor_checks_a_project_of_the_department(project, supervisor):
    check = services.site_check_record(by=supervisor, project=project, note="脚手架已搭好")
    assert list(project_site_checks(project)) == [check]
    assert not ReportEvent.objects.filter(kind=EventKind.SITE_CHECKED).exists()


@pytest.mark.parametrize("who", ["resident", "evaluator", "official", "manager"])
def test_other_roles_may_not_record(request, ours, who):
    with pytest.raises(PermissionDenied):
        services.site_check_record(by=request.getfixturevalue(who), report=ours, note="看过了")
    assert not SiteCheck.objects.exists() and not ReportEvent.objects.filter(kind=EventKind.SITE_CHECKED).exists()


def test_grid_worker_of_another_area_may_not_record(ours, other_grid_worker, other_official, other_project):
    with pytest.raises(PermissionDenied):
        services.site_check_record(by=other_grid_worker, report=ours, note="看过了")
    supervisor = factories.user(username="sup2", role=Role.SUPERVISOR, department=other_official.department)
    with pytest.raises(PermissionDenied):
        services.site_check_record(by=supervisor, report=ours, note="看过了")
    assert not SiteCheck.objects.exists()


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"note": "   "}, "note"),
        ({"note": "x" * 2001}, "note"),
        ({"note": "ok", "latitude": 30.0}, "latitude"),
        ({"note": "ok", "latitude": 91.0, "longitude": 0.0}, "latitude"),
    ],
)
def test_bad_input_is_refused_with_its_field(ours, grid_worker, given, field):
    with pytest.raises(ValidationError) as refused:
        services.site_check_record(by=grid_worker, report=ours, **given)
    assert field in refused.value.message_dict
    assert not SiteCheck.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused(ours, grid_worker):
    fake = SimpleUploadedFile("x.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as refused:
        services.site_check_record(by=grid_worker, report=ours, note="照片", photo=fake)
    assert "photo" in refused.value.message_dict


def test_a_check_is_of_exactly_one_target(ours, project, grid_worker):
    with pytest.raises(ValidationError):
        services.site_check_record(by=grid_worker, report=ours, project=project, note="两个")
    for target in ({}, {"report": ours, "project": project}):
        with pytest.raises(IntegrityError), transaction.atomic():
            SiteCheck.objects.create(author=grid_worker, note="约束", **target)


# --- The pages -----------------------------------------------------------------------------------


def test_grid_worker_sees_own_area_soonest_due_first(client, ours, theirs, grid_worker, project, other_project,
                                                     django_assert_max_num_queries):  # fmt: skip
    later = factories.dispatched_report(category=ours.category, department=ours.department)
    Report.objects.filter(pk=later.pk).update(
        grid_area=ours.grid_area, due_at=ours.due_at + (ours.due_at - ours.submitted_at)
    )
    for _n in range(5):  # more rows, the same number of queries
        extra = factories.dispatched_report(category=ours.category, department=ours.department)
        Report.objects.filter(pk=extra.pk).update(grid_worker=grid_worker)
    client.force_login(grid_worker)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("feedback:field"))
    assert page.status_code == 200
    items = page.context["items"]
    reports = [i.pk for i in items if i.kind == "report"]
    assert ours.pk in reports and later.pk in reports and theirs.pk not in reports
    assert reports.index(ours.pk) < reports.index(later.pk)
    # 望江社区's project stands in the grid worker's community; 青龙社区's does not.
    assert [i.pk for i in items if i.kind == "project"] == [project.pk]
    assert 'id="field-map"' in page.content.decode()


def test_supervisor_sees_the_department(supervisor, ours, theirs, project, other_project):
    items = due_items(supervisor)
    assert {(i.kind, i.pk) for i in items} == {("report", ours.pk), ("project", project.pk)}


@pytest.mark.parametrize("who", ["resident", "evaluator", "official"])
def test_other_roles_are_refused_the_field(client, request, ours, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("feedback:field")).status_code == 403
    response = client.post(reverse("feedback:field-report", args=[ours.pk]), {"note": "看过了"})
    assert response.status_code == 403
    assert not SiteCheck.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, ours):
    assert client.get(reverse("feedback:field")).status_code == 302


def test_another_areas_report_and_project_are_not_found(client, ours, other_grid_worker, project):
    client.force_login(other_grid_worker)
    assert client.get(reverse("feedback:field-report", args=[ours.pk])).status_code == 404
    assert client.post(reverse("feedback:field-report", args=[ours.pk]), {"note": "看过了"}).status_code == 404
    assert client.post(reverse("feedback:field-project", args=[project.pk]), {"note": "看过了"}).status_code == 404
    assert not SiteCheck.objects.exists()


def test_grid_worker_records_a_check_on_the_page_and_its_photo_is_staff_only(client, ours, grid_worker, resident,
                                                                           other_grid_worker):  # fmt: skip
    client.force_login(grid_worker)
    url = reverse("feedback:field-report", args=[ours.pk])
    page = client.get(url)
    assert 'capture="environment"' in page.content.decode() and 'accept="image/*"' in page.content.decode()
    response = client.post(
        url, {"note": "已到现场核查，坑洞已围挡", "photo": photo(), "latitude": "30.69", "longitude": "103.99"}
    )
    assert response.status_code == 302
    check = SiteCheck.objects.get()
    assert check.note == "已到现场核查，坑洞已围挡" and check.latitude == 30.69
    page = client.get(url)
    assert "已到现场核查，坑洞已围挡" in page.content.decode() and check.photo.url in page.content.decode()
    assert client.get(check.photo.url).status_code == 200
    for outsider in (resident, other_grid_worker):
        client.force_login(outsider)
        assert client.get(check.photo.url).status_code == 404
    client.logout()
    assert client.get(check.photo.url).status_code in (302, 404)


def test_the_page_shows_refusals_beside_the_field(client, ours, grid_worker):
    client.force_login(grid_worker)
    response = client.post(reverse("feedback:field-report", args=[ours.pk]), {"note": "  "})
    assert response.status_code == 400 and not SiteCheck.objects.exists()


def test_a_grid_worker_lands_in_the_field_after_signing_in(client, grid_worker, official):
    response = client.post(reverse("account_login"), {"login": "grid_worker", "password": factories.PASSWORD})
    assert response.status_code == 302 and response.url == reverse("feedback:field")
    client.logout()
    response = client.post(reverse("account_login"), {"login": "official", "password": factories.PASSWORD})
    assert response.url != reverse("feedback:field")


# --- The API -------------------------------------------------------------------------------------


def api_as(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return api


def test_api_records_a_check(ours, grid_worker):
    response = api_as(grid_worker).post(
        "/api/v1/field/checks/", {"report": ours.pk, "note": "API 核查", "photo": photo()}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert response.json()["report"] == ours.pk and response.json()["photo"].startswith("/files/sitechecks/")
    assert SiteCheck.objects.get().author == grid_worker


def test_api_refuses_as_the_pages_do(ours, project, grid_worker, other_grid_worker, resident):
    assert api_as(resident).post("/api/v1/field/checks/", {"report": ours.pk, "note": "x"}).status_code == 403
    assert api_as(other_grid_worker).post("/api/v1/field/checks/", {"report": ours.pk, "note": "x"}).status_code == 404
    both = api_as(grid_worker).post("/api/v1/field/checks/", {"report": ours.pk, "project": project.pk, "note": "x"})
    assert both.status_code == 400
    empty = api_as(grid_worker).post("/api/v1/field/checks/", {"report": ours.pk, "note": " "})
    assert empty.status_code == 400
    assert APIClient().post("/api/v1/field/checks/", {"report": ours.pk, "note": "x"}).status_code in (401, 403)
    assert not SiteCheck.objects.exists()


# --- The demo ------------------------------------------------------------------------------------


def test_demo_checks_are_written_by_grid_workers_each_different(city, categories):
    from feedback.demo import seed_grids, seed_reports, seed_site_checks

    seed_grids()
    seed_reports(count=120)
    created = seed_site_checks()
    checks = list(SiteCheck.objects.select_related("author"))
    assert created == len(checks) >= 3
    assert all(c.author.role == Role.GRID_WORKER and c.report.grid_area.grid_worker == c.author for c in checks)
    assert len({c.note for c in checks}) == len(checks)
    assert seed_site_checks() == 0  # idempotent
