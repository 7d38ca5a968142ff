"""Strings from the database reach the page as text, never as markup (issue 14, finding 5).

Leaflet writes a *string* given to bindTooltip / bindPopup / divIcon with innerHTML; our scripts
hand it DOM nodes built with textContent. Each map and popup, and each live fragment that
static/js/live.js puts in with innerHTML (rendered by autoescaped Django templates), gets a
title that would inject an <img>, a <b> and a <meta http-equiv=refresh> if it were markup: the
text must show literally, no element may appear, no handler may run, the page must not move.
(The strict CSP would stop the inline handler anyway; the injected elements are what fails.)
"""

import re

import pytest
from playwright.sync_api import expect

from civicworks.accounts.models import Role
from projects.models import ProgressUpdate
from tests import factories

from .conftest import collect_errors

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MARKUP = '<img src=x onerror="window.__xss=1"><b>粗</b><meta http-equiv="refresh" content="0;url=/needs/">'
INJECTED = 'img[src="x"], b:text-is("粗"), meta[http-equiv]'


def assert_inert(page, url: str) -> None:
    """Nothing was injected anywhere in the page, no handler ran, and the page did not navigate."""
    assert page.locator(INJECTED).count() == 0, page.locator(INJECTED).evaluate_all("els => els.map(e => e.outerHTML)")
    assert page.evaluate("window.__xss") is None
    page.wait_for_timeout(300)  # a meta refresh with 0 s would have fired by now
    assert page.url.endswith(url), page.url


def _report_with_text(category, department):
    report = factories.dispatched_report(category=category, department=department)
    report.text = MARKUP
    report.save(update_fields=["text"])
    return report


def test_project_map_tooltip_and_popup_show_the_title_as_text(desktop, world):
    world.project.title = MARKUP
    world.project.save()
    page = desktop.new_page()
    errors = collect_errors(page)
    url = "/?stage=construction"  # the one project in construction
    page.goto(url)
    marker = page.locator("#projects-map path.leaflet-interactive")
    expect(marker).to_have_count(1)

    marker.hover()
    tooltip = page.locator("#projects-map .leaflet-tooltip")
    expect(tooltip).to_be_visible()
    assert tooltip.text_content() == MARKUP
    assert_inert(page, url)

    marker.click()
    title = page.locator("#projects-map .leaflet-popup-content strong")
    expect(title).to_be_visible()
    assert title.text_content() == MARKUP
    assert_inert(page, url)
    assert errors == []


def test_project_map_cluster_count_is_text(desktop, world, settings):
    """Zoomed out, projects are grouped: the cluster's count goes into its icon as text too."""
    settings.CIVICWORKS = {**settings.CIVICWORKS, "MAP_ZOOM": 9}  # below 12: clusters
    page = desktop.new_page()
    errors = collect_errors(page)
    page.goto("/")
    cluster = page.locator("#projects-map .projects-cluster")
    expect(cluster.first).to_be_visible()
    counts = [icon.text_content() or "" for icon in cluster.all()]
    assert all(re.fullmatch(r"\d+", c) for c in counts) and sum(map(int, counts)) == 2, counts
    assert cluster.locator("img, b, meta, script").count() == 0
    assert errors == []


def test_reports_map_popup_shows_the_category_as_text(desktop, world, lead_department):
    from feedback.models import ServiceCategory

    category = ServiceCategory.objects.get(code="road")
    category.name = MARKUP[:60]  # the field's length
    category.save()
    _report_with_text(category, lead_department)
    page = desktop.new_page()
    errors = collect_errors(page)
    page.goto("/reports/")
    marker = page.locator("#feedback-map path.leaflet-interactive")
    expect(marker).to_have_count(1)
    marker.click()
    link = page.locator("#feedback-map .leaflet-popup-content a")
    expect(link).to_be_visible()
    assert link.text_content().startswith(MARKUP[:60] + " · ")
    assert_inert(page, "/reports/")
    assert errors == []


def test_needs_board_marker_and_popup_show_the_title_as_text(desktop, world):
    need = factories.need(author=factories.user(username="author", role=Role.RESIDENT), title=MARKUP[:120])
    page = desktop.new_page()
    errors = collect_errors(page)
    page.goto("/needs/")
    marker = page.locator("#participation-needs-map .leaflet-marker-icon")
    expect(marker).to_have_count(1)
    assert marker.get_attribute("title") == need.title
    marker.click()
    link = page.locator("#participation-needs-map .leaflet-popup-content a")
    expect(link).to_be_visible()
    assert link.text_content() == need.title
    assert_inert(page, "/needs/")
    assert errors == []


def test_live_fragments_put_texts_in_as_text(desktop, world, lead_department):
    """live.js replaces the element's HTML with the fragment: the templates' escaping is what protects it."""
    ProgressUpdate.objects.create(project=world.project, stage="construction", percent_complete=60, text=MARKUP)
    from feedback.models import ServiceCategory

    report = _report_with_text(ServiceCategory.objects.get(code="road"), lead_department)
    page = desktop.new_page()
    errors = collect_errors(page)
    for url in (f"/projects/{world.project.code}/", f"/track/{report.tracking_code}/"):
        page.goto(url)
        live = page.locator("[data-live-url]")
        # The first poll replaces the element's content with the fragment.
        expect(live).to_have_attribute("data-live-updated", re.compile(r"^\d{4}-"), timeout=15_000)
        expect(live).to_contain_text(MARKUP)
        assert_inert(page, url)
    assert errors == []
