"""The console's report page and queue rows: what an official reads and may do, scoped by department."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.demo import RESPONSE_TEMPLATES, seed_response_templates
from feedback.field.services import site_check_record
from feedback.models import Report, ReportEvent, ReportStatus, ResponseTemplate, ServiceCategory
from tests import factories

from .conftest import jpeg_bytes

pytestmark = pytest.mark.django_db


def photo(name: str = "p.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


@pytest.fixture
def report(road, grid, official, django_capture_on_commit_callbacks) -> Report:
    """A report in the official's department with a photo, in a grid, accepted by the official."""
    with django_capture_on_commit_callbacks(execute=True):
        made = services.report_submit(
            category=road, text="望江路门口路面有一个大坑", latitude=30.69, longitude=103.99, photos=[photo()]
        )
    made.refresh_from_db()
    return services.report_accept(report=made, by=official)


def page(client, user, report) -> tuple[int, str]:
    client.force_login(user)
    response = client.get(reverse("admin:feedback_report_change", args=[report.pk]))
    return response.status_code, response.content.decode()


def test_the_page_shows_photo_map_timeline_by_name_and_no_date_pickers(client, report, official, grid_worker):
    official.first_name, official.last_name = "建国", "王"
    official.save()
    status, html = page(client, official, report)
    assert status == 200
    thumbnail = report.photos.get()
    assert thumbnail.thumbnail.url in html and thumbnail.image.url in html  # the thumbnail links to the full size
    assert 'id="report-map"' in html and "js_lib_leaflet/leaflet.js" in html and "望江一网格" in html
    assert "data-boundary=" in html and "Polygon" in html  # the grid area's outline for the map
    assert "王建国" in html  # the timeline says who accepted, by name
    assert "李四海" in html and "grid_worker" not in html  # the grid worker by name, never the login
    assert 'class="vDateField' not in html and 'name="rated_at' not in html and 'name="anonymised_at' not in html
    assert 'id="step-answer"' in html and 'id="step-accept"' not in html  # accepted: answer, not accept


def test_the_department_reads_the_on_site_checks_with_their_photos_and_an_evaluator_does_not(
    client, report, official, evaluator, grid_worker
):
    check = site_check_record(report=report, by=grid_worker, note="现场核实：坑深约十厘米，已设警示", photo=photo())
    status, html = page(client, official, report)
    assert status == 200 and "现场核实：坑深约十厘米" in html and check.photo.url in html
    assert client.get(check.photo.url).status_code == 200
    status, html = page(client, evaluator, report)
    assert status == 200 and check.photo.url not in html and 'id="checks-title"' not in html
    assert client.get(check.photo.url).status_code in (403, 404)


def test_the_photo_is_served_to_the_department_and_not_to_another_when_hidden(client, report, official, other_official):
    services.report_hide(report=report, by=official, reason="含个人信息")
    url = report.photos.get().image.url
    client.force_login(official)
    assert client.get(url).status_code == 200
    client.force_login(other_official)
    assert client.get(url).status_code == 404


def test_another_department_cannot_open_the_page_nor_act(client, report, other_official):
    status, html = page(client, other_official, report)
    assert status == 302 and "望江路" not in html  # the console sends it back to its index
    response = client.post(reverse("admin:feedback_report_step", args=[report.pk, "answer"]), {"answer": "已处理"})
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED


@pytest.mark.parametrize("step", ["accept", "answer", "transfer", "hide", "close"])
def test_an_evaluator_reads_the_page_but_cannot_post_a_step(client, report, evaluator, other_department, step):
    status, html = page(client, evaluator, report)
    assert status == 200 and 'id="step-answer"' not in html and 'id="step-hide"' not in html
    data = {"answer": "已处理", "department": other_department.pk, "reason": "不属本部门"}
    response = client.post(reverse("admin:feedback_report_step", args=[report.pk, step]), data)
    assert response.status_code == 403
    report.refresh_from_db()
    assert (report.status, report.is_hidden, report.department_id) == (
        ReportStatus.ACCEPTED,
        False,
        report.department_id,
    )


def test_the_page_itself_saves_nothing(client, report, official):
    client.force_login(official)
    response = client.post(reverse("admin:feedback_report_change", args=[report.pk]), {"rated_at_0": "2026-01-01"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.rated_at is None


def test_deadline_in_words(client, report, official):
    Report.objects.filter(pk=report.pk).update(due_at=timezone.now() - timedelta(hours=5, minutes=3))
    client.force_login(official)
    with_english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    client.cookies["django_language"] = "en"
    html = client.get(reverse("admin:feedback_report_change", args=[report.pk]), **with_english).content.decode()
    assert "Overdue by 5" in html  # needs no catalogue: English is the source language


def test_answer_with_a_template_of_the_category_and_an_after_photo(client, report, official, categories):
    seed_response_templates()
    ours = ResponseTemplate.objects.filter(category=report.category)
    theirs = ResponseTemplate.objects.exclude(category=report.category).first()
    assert ours.count() == len(RESPONSE_TEMPLATES["road"])
    client.force_login(official)
    response = client.get(reverse("admin:feedback_report_change", args=[report.pk]))
    offered = set(response.context["answer_form"].fields["template"].queryset)
    assert offered == set(ours)  # not another category's (nor another department's)
    assert ours.first().text in response.content.decode()  # in data-texts: choosing fills the answer
    step = reverse("admin:feedback_report_step", args=[report.pk, "answer"])
    client.post(step, {"template": theirs.pk, "answer": ""})
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED  # refused: not this report's template
    client.post(step, {"template": ours.first().pk, "answer": "", "photo": photo()})
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED and report.answer == ours.first().text
    assert report.photos.filter(is_answer=True).count() == 1
    assert ReportEvent.objects.filter(report=report, kind="resolved", actor=official).exists()


def test_response_templates_are_edited_by_managers_not_officials(client, official, manager, categories):
    seed_response_templates()
    add = reverse("admin:feedback_responsetemplate_add")
    data = {"title": "新模板", "text": "您好，已处理。", "category": categories["road"].pk}
    client.force_login(official)
    assert client.get(reverse("admin:feedback_responsetemplate_changelist")).status_code == 200
    assert client.post(add, data).status_code == 403
    assert not ResponseTemplate.objects.filter(title="新模板").exists()
    client.force_login(manager)
    client.post(add, data)
    made = ResponseTemplate.objects.get(title="新模板")
    assert made.department == manager.department


def test_demo_templates_differ_and_are_idempotent(categories):
    seed_response_templates()
    seed_response_templates()
    texts = list(ResponseTemplate.objects.values_list("text", flat=True))
    present = set(ServiceCategory.objects.values_list("code", flat=True))  # the fixture's categories
    expected = sum(len(made) for code, made in RESPONSE_TEMPLATES.items() if code in present)
    assert len(texts) == expected == len(set(texts)) > 0
    assert all(t.department_id == t.category.department_id for t in ResponseTemplate.objects.select_related("category"))


@pytest.mark.parametrize("n", [3, 30])
def test_queue_rows_show_excerpt_photo_deadline_and_project_in_constant_queries(
    client, road, official, n, django_assert_max_num_queries
):
    project = factories.project(lead_unit=official.department, code="MX-T-1")
    for i in range(n):
        made = services.report_submit(
            category=road, text=f"坑{i}号很深", latitude=30.69, longitude=103.99, photos=[photo()], project=project
        )
        Report.objects.filter(pk=made.pk).update(department=official.department, status="dispatched")
    client.force_login(official)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:feedback_report_changelist"))
    html = response.content.decode()
    assert "坑0号很深" in html and 'class="console-thumb"' in html and "MX-T-1" in html


def test_hiding_stores_the_staffs_own_words_or_none(client, report, official, road):
    client.force_login(official)
    client.post(reverse("admin:feedback_report_step", args=[report.pk, "hide"]), {"reason": "含他人电话号码"})
    report.refresh_from_db()
    assert report.is_hidden and report.hidden_reason == "含他人电话号码"

    other = factories.report(category=road)
    changelist = reverse("admin:feedback_report_changelist")
    client.post(changelist, {"action": "hide_selected", "_selected_action": [other.pk]})
    other.refresh_from_db()
    # Nothing written in the language of the moment: the timeline says "hidden" in each reader's.
    assert other.is_hidden and other.hidden_reason == ""
    assert other.events.get(kind="hidden").note == ""
