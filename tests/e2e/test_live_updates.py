"""Live updates in a real browser: the resident's open tracking page shows the answer without a reload;
the hotspot map draws its cells without tiles."""

import re

import pytest
from playwright.sync_api import expect

from civicworks.accounts.models import Role
from feedback import services as feedback_services
from tests import factories

from .conftest import axe_violations, collect_errors

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_resident_sees_the_answer_within_ten_seconds_without_reload(phone, road, lead_department):
    official = factories.user(username="official", role=Role.OFFICIAL, department=lead_department)
    report = factories.dispatched_report(category=road, department=lead_department)
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/track/{report.tracking_code}/")
    page.evaluate("window.__notReloaded = true")
    live = page.locator("[data-live-url]")
    expect(live).not_to_contain_text("已派专人修复")
    # The first poll brings the page up to date (no wait_for_function: the page's CSP forbids eval).
    expect(live).to_have_attribute("data-live-updated", re.compile(r"^\d{4}-"), timeout=15_000)

    feedback_services.report_resolve(report=report, by=official, answer="已派专人修复，明日完工。")

    expect(live).to_contain_text("已派专人修复，明日完工。", timeout=10_000)
    assert page.evaluate("window.__notReloaded") is True
    expect(page.locator("[role=status][aria-live=polite]")).to_have_text("您的诉求有新进展。", timeout=2_000)
    assert errors == []


def test_hotspot_map_draws_cells_without_tiles(desktop, road):
    for _ in range(4):
        factories.filed_report(category=road, at=(30.695, 103.995))
    factories.filed_report(category=road, at=(30.615, 104.125))
    page = desktop.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    page.goto("/hotspots/")
    expect(page.locator("#hotspots-map path.leaflet-interactive")).to_have_count(2, timeout=10_000)
    expect(page.locator(".hotspots-top tbody tr")).to_have_count(2)
    assert errors == []
    assert axe_violations(page) == []


def test_project_map_follows_a_stage_change_and_shows_hotspots(desktop, road, lead_department):
    """The home map refreshes itself (stage colour of the marker) and draws the hotspot layer on demand."""
    from projects import services as project_services

    project = factories.complete_project(code="MX-2026-301", lead_unit=lead_department, lat=30.66, lng=104.06)
    official = factories.user(username="official", role=Role.OFFICIAL, department=lead_department)
    for _ in range(3):
        factories.filed_report(category=road, at=(30.661, 104.061))
    page = desktop.new_page()
    errors = collect_errors(page)
    page.goto("/")
    marker = page.locator("#projects-map path.leaflet-interactive")
    expect(marker).to_have_count(1, timeout=10_000)
    before = marker.get_attribute("fill")

    project_services.progress_record(
        project=project, by=official, stage="acceptance", percent=95, text="主体完工，进入验收。"
    )
    expect(marker).not_to_have_attribute("fill", before, timeout=15_000)  # refreshed within one 10 s period

    page.get_by_label("显示居民诉求集中的区域（最近 30 天）").check()
    expect(page.locator("#projects-map path.projects-hotspot")).to_have_count(1, timeout=10_000)  # one cell
    assert errors == []
