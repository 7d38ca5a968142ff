"""The official's day in the console at 1366×768: the home page's overdue count, the report page with
its photo and map, an answer from a template with an "after" photo, the resident's tracking page.
No console page is wider than the window; axe finds nothing serious on the new pages."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from feedback import services
from feedback.demo import seed_response_templates
from feedback.models import Report, ReportStatus, ResponseTemplate, ServiceCategory

from .conftest import axe_violations, collect_errors, jpeg, offline, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAPTOP = {"viewport": {"width": 1366, "height": 768}}


@pytest.fixture
def laptop(browser, live_server):
    context = offline(browser.new_context(base_url=live_server.url, locale="zh-CN", **LAPTOP))
    yield context
    context.close()


def fits(page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], (page.url, width)


def test_the_officials_day(laptop, world, tmp_path):
    seed_response_templates()
    road = ServiceCategory.objects.get(code="road")
    upload = SimpleUploadedFile("hole.jpg", jpeg(), content_type="image/jpeg")
    report = services.report_submit(
        category=road, text="望江路门口路面有一个大坑，雨天积水。", latitude=30.665, longitude=104.045, photos=[upload]
    )
    Report.objects.filter(pk=report.pk).update(due_at=timezone.now() - timedelta(hours=3))
    template = ResponseTemplate.objects.filter(category=road).order_by("title").first()
    after = tmp_path / "after.jpg"
    after.write_bytes(jpeg(color=(40, 160, 60)))
    page = laptop.new_page()
    errors = collect_errors(page)

    # 1. Signed in, the official lands on the home page: the overdue count is 1.
    sign_in(page, "official")
    overdue = page.locator("#home-reports a[href*='deadline=overdue']")
    expect(overdue.locator(".console-count")).to_have_text("1")
    fits(page)
    assert axe_violations(page) == [], "home"

    # 2. The count opens the queue filtered to that report; the row shows its text and photo.
    with page.expect_navigation():
        overdue.click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("望江路门口路面")
    expect(rows.first.locator("img.console-thumb")).to_be_visible()
    fits(page)

    # 3. The report page: the photo (loaded), the map with its marker, no form beyond what the state allows.
    with page.expect_navigation():
        rows.first.locator("a").first.click()
    photo = page.locator(".console-photos img").first
    expect(photo).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", photo.element_handle())
    expect(page.locator("#report-map path.leaflet-interactive").first).to_be_attached()
    fits(page)

    # 4. A template fills the answer; with an "after" photo, it is sent.
    page.select_option("#id_template", str(template.pk))
    expect(page.locator("#id_answer")).to_have_value(template.text)
    page.set_input_files("#id_photo", str(after))
    with page.expect_navigation():
        page.locator("#step-answer [type=submit]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator("#step-answer")).to_have_count(0)  # answered: no second answer form
    fits(page)
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED and report.answer == template.text
    assert report.photos.filter(is_answer=True).exists()

    # 5. The resident's tracking page shows the answer.
    resident = laptop.new_page()
    resident.goto(f"/track/{report.tracking_code}/")
    expect(resident.locator("#answer-heading")).to_be_visible()
    expect(resident.locator("#live-report")).to_contain_text(template.text)
    assert errors == []

    # 6. axe on the report page, last: its CSS preloading trips the CSP (console errors of axe's own).
    page.goto(f"/admin/feedback/report/{report.pk}/change/")
    expect(page.locator("#report-map")).to_be_visible()
    assert axe_violations(page) == [], "report page"
