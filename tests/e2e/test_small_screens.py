"""Every public page on a 360×740 phone: no sideways scrolling, no table cell narrower than two
characters, and on the home page the map starts in the first screen (the menu folds behind a
button); the menu opens and closes with it."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from feedback.models import ServiceCategory
from tests import factories

from .conftest import PHONE, collect_errors, offline

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SMALL = {**PHONE, "viewport": {"width": 360, "height": 740}}

# Sideways overflow of the page, and the table cells narrower than two of their characters.
MEASURE = """() => ({
  overflow: document.scrollingElement.scrollWidth - window.innerWidth,
  narrow: [...document.querySelectorAll('main td, main th')]
    .filter(c => c.offsetParent !== null && c.textContent.trim())
    .filter(c => c.getBoundingClientRect().width < 2 * parseFloat(getComputedStyle(c).fontSize))
    .map(c => c.textContent.trim().slice(0, 20)).slice(0, 5),
})"""


@pytest.fixture
def small(browser, live_server):
    context = offline(browser.new_context(base_url=live_server.url, locale="zh-CN", **SMALL))
    yield context
    context.close()


def test_every_public_page_fits_a_small_phone(small, world):
    report = factories.dispatched_report(
        category=ServiceCategory.objects.get(code="road"), department=world.project.lead_unit
    )
    factories.expenditure(project=world.project, amount=Decimal("1234567.00"), payee="锦川市第一市政工程有限公司")
    pages = [
        "/",
        reverse("projects:list"),
        world.project.get_absolute_url(),
        reverse("projects:expenditures", args=[world.project.code]),
        reverse("feedback:list"),
        reverse("feedback:submit"),
        reverse("feedback:figures"),
        reverse("feedback:track-lookup"),
        f"/track/{report.tracking_code}/",
        reverse("hotspots"),
        reverse("opendata:index"),
        reverse("opendata:departments"),
        reverse("evaluation:index"),
        reverse("participation:need-list"),
        reverse("account_login"),
        reverse("account_signup"),
    ]
    page = small.new_page()
    errors = collect_errors(page)
    found = {}
    for url in pages:
        assert page.goto(url).status == 200, url
        measured = page.evaluate(MEASURE)
        if measured["overflow"] > 0 or measured["narrow"]:
            found[url] = measured
    assert found == {}
    assert errors == []


def test_the_map_starts_in_the_first_screen_and_the_menu_folds(small, world):
    page = small.new_page()
    page.goto("/")
    top = page.locator("#projects-map").bounding_box()["y"]
    assert top + 200 < 740, top  # at least 200 px of map in the first screen (the header was 637 px down)

    menu = page.get_by_role("button", name="菜单")
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav).to_be_hidden()
    expect(page.get_by_role("button", name="关怀模式")).to_be_visible()  # care mode stays one tap away
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="项目列表")).to_be_visible()
    menu.click()
    expect(nav).to_be_hidden()
