"""The project map with no tile server (markers, popups, filters), and the weight of the report form on a phone."""

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, collect_errors, offline

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# README, "Browser tests": the report form's first load on a phone stays under this.
REPORT_FORM_BUDGET = 300 * 1024


def test_map_works_without_tiles(desktop, live_server, world):
    page = desktop.new_page()
    errors = collect_errors(page)
    refused: list[str] = []
    page.on("requestfailed", lambda request: refused.append(request.url))
    page.goto("/")
    markers = page.locator("#projects-map path.leaflet-interactive")
    expect(markers).to_have_count(2)
    assert any(not url.startswith(live_server.url) for url in refused), "the map did ask for tiles"

    markers.first.click()
    expect(page.locator(".leaflet-popup-content a")).to_be_visible()

    page.select_option("#id_stage", "design")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选", exact=True).click()
    expect(markers).to_have_count(1)
    markers.first.click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text(world.other_project.title)
    assert errors == []


def test_report_form_first_load_on_a_phone_is_light(browser, live_server, world):
    context = offline(browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE))
    page = context.new_page()
    loaded: list[tuple[str, int]] = []

    def count(request) -> None:
        sizes = request.sizes()
        loaded.append((request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"]))

    page.on("requestfinished", count)
    page.goto("/reports/new/", wait_until="networkidle")
    total = sum(size for _url, size in loaded)
    print(f"report form, first load on a phone: {total / 1024:.1f} KB in {len(loaded)} requests")
    assert any(url.endswith("leaflet.js") for url, _size in loaded)  # the map is part of it
    assert total < REPORT_FORM_BUDGET, loaded
    context.close()
