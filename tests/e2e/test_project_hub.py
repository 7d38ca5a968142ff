"""The project page closes the loop (issue 16), on a phone, offline but for the live server.

Map → project page: its quarterly score and an open rectification order → report a problem about
it → the tracking page links back to the project → the report is among the project's reports →
its public page → the tracking page again (looked up by the code) → back to the project.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from evaluation.models import OrderStatus
from feedback.models import Report
from tests import factories

from .conftest import collect_errors

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scored(world):
    """Two published quarters: the project failed the first, passed the second, and has an order open."""
    earlier = factories.published_cycle(year=2025, quarter=4)
    later = factories.published_cycle(year=2026, quarter=1, scheme=earlier.scheme)
    factories.scorecard(project=world.project, cycle=earlier, total=Decimal("55.10"), grade="fail")
    factories.scorecard(project=world.project, cycle=later, total=Decimal("66.40"), grade="pass")
    factories.rectification_order(
        project=world.project, cycle=later, status=OrderStatus.ANSWERED, findings="电梯井周边围挡破损"
    )
    return world


def test_from_the_map_to_the_project_and_back_from_a_report(phone, scored):
    project = scored.project
    page = phone.new_page()
    errors = collect_errors(page)

    # 1. The map (no tiles): the project's marker, its popup, the project page.
    page.goto("/?category=elevator")
    markers = page.locator("#projects-map path.leaflet-interactive")
    expect(markers).to_have_count(1)
    markers.first.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(project.title)
    with page.expect_navigation():
        popup.get_by_role("link").press("Enter")  # Enter, not a click: the popup may pan the map
    assert page.url.endswith(project.get_absolute_url())

    # 2. Its score with the trend, the open order with the department's answer, its site on the map.
    score = page.locator("section.projects-hub-score")
    expect(score.locator(".projects-hub-total")).to_have_text("66.40")
    expect(score.locator("tbody tr")).to_have_count(2)
    expect(score).to_contain_text("55.10")
    orders = page.locator("section.projects-hub-orders")
    expect(orders).to_contain_text("电梯井周边围挡破损")
    expect(orders).to_contain_text("已更换围挡并清理现场。")
    expect(page.locator("#project-map path.leaflet-interactive")).to_have_count(1)
    expect(page.locator("section.projects-hub-reports li")).to_have_count(0)

    # 3. A report about the project, sent with the form the project page links to.
    with page.expect_navigation():
        page.locator(".projects-report a.button").click()
    page.select_option("#id_category", label="路灯")
    page.fill("#id_text", "3号楼电梯井旁的路灯不亮，晚上看不清台阶。")
    page.locator("#feedback-pick-map").click(position={"x": 160, "y": 110})
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    assert "/track/" in page.url, page.locator(".errors, .errorlist").all_inner_texts()
    code = page.locator("h1 code").inner_text()
    report = Report.objects.get(tracking_code=code)
    assert report.project_id == project.pk

    # 4. The tracking page leads back to the project, where the report is now listed.
    with page.expect_navigation():
        page.locator(".feedback-facts").get_by_role("link", name=f"{project.code} {project.title}").click()
    assert page.url.endswith(project.get_absolute_url())
    reports = page.locator("section.projects-hub-reports")
    expect(reports.locator("li a")).to_have_count(1)
    expect(reports).not_to_contain_text(code)  # the tracking code is the reporter's key: never public

    # 5. The report's public page, then its tracking page looked up by the code, and back again.
    with page.expect_navigation():
        reports.locator("li a").first.click()
    assert page.url.endswith(f"/reports/{report.pk}/")
    expect(page.locator(".feedback-text")).to_contain_text("3号楼电梯井旁的路灯不亮")
    page.goto(f"/track/{code}/")
    with page.expect_navigation():
        page.locator(".feedback-facts").get_by_role("link", name=f"{project.code} {project.title}").click()
    assert page.url.endswith(project.get_absolute_url())
    expect(page.locator("h1")).to_have_text(project.title)

    # 6. "All reports about this project": the public list filtered by the project.
    with page.expect_navigation():
        page.locator("section.projects-hub-reports p a").click()
    assert f"project={project.code}" in page.url
    expect(page.locator("tbody tr")).to_have_count(1)
    assert errors == []
