"""Every public page on a 360×740 phone: no sideways scrolling, no table cell narrower than two
characters, and on the home page the map starts in the first screen (the menu folds behind a
button); the menu opens and closes with it. Every public table becomes a list of labelled cards
on the phone and stays a table on a desktop."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from civicworks.accounts.models import Role, User
from evaluation.models import CycleState, ReviewCycle
from feedback.models import ServiceCategory
from participation.models import Meeting
from projects.models import Department, Project
from tests import factories

from .conftest import PHONE, axe_violations, collect_errors, offline, sign_in

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


def public_pages(world) -> list[str]:
    """The public pages a resident opens, with a dispatched report and a large expenditure to show
    (the same list for the phone test and the care-mode test)."""
    report = factories.dispatched_report(
        category=ServiceCategory.objects.get(code="road"), department=world.project.lead_unit
    )
    factories.expenditure(project=world.project, amount=Decimal("1234567.00"), payee="锦川市第一市政工程有限公司")
    return [
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


def test_every_public_page_fits_a_small_phone(small, world):
    page = small.new_page()
    errors = collect_errors(page)
    found, violations = {}, {}
    for url in public_pages(world):
        assert page.goto(url).status == 200, url
        measured = page.evaluate(MEASURE)
        if measured["overflow"] > 0 or measured["narrow"]:
            found[url] = measured
        if found_here := axe_violations(page):
            violations[url] = found_here
    assert found == {}
    assert violations == {}  # axe-core: no serious or critical violation on the phone either
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


# Each table of the page: whether it is a card table, and its cells without a label or not shown as blocks.
TABLES = """() => [...document.querySelectorAll('main table')].map(t => {
  const columns = t.tHead ? [...t.tHead.rows].pop().cells.length : 0;
  const cells = [...t.querySelectorAll('tbody td, tfoot td')].filter(c => c.colSpan < columns);
  return {
    cards: t.classList.contains('cards'),
    display: getComputedStyle(t.querySelector('tbody td') || t).display,
    header: t.tHead ? t.tHead.getBoundingClientRect().height : 0,
    unlabelled: cells.filter(c => !(c.dataset.label || '').trim()).map(c => c.textContent.trim().slice(0, 20)).slice(0, 3),
    inline: cells.filter(c => getComputedStyle(c).display !== 'block').length,
  };
})"""


@pytest.fixture
def demo_city(settings, tmp_path):
    """The demo city, small (a second): every public table has rows."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", projects=3, reports=20, responses=10, quiet_logins=True)
    project = Project.objects.filter(expenditures__isnull=False, scorecards__isnull=False).distinct().first()
    published = ReviewCycle.objects.filter(state=CycleState.PUBLISHED).order_by("-year", "-quarter").first()
    meeting = Meeting.objects.filter(is_published=True).first()
    return [
        project.get_absolute_url(),
        reverse("projects:expenditures", args=[project.code]),
        reverse("feedback:list"),
        reverse("feedback:figures"),
        reverse("hotspots"),
        reverse("evaluation:index"),
        published.get_absolute_url(),
        reverse("participation:annual-list", args=[project.year]),
        meeting.get_absolute_url(),
        reverse("participation:observer-page", args=[User.objects.filter(role=Role.OBSERVER).first().pk]),
        reverse("opendata:index"),
        reverse("opendata:departments"),
        Department.objects.get(name="市住房和城乡建设局").get_absolute_url(),
    ]


def test_tables_become_labelled_cards_on_a_phone_and_stay_tables_on_a_desktop(small, desktop, demo_city):
    page = small.new_page()
    errors = collect_errors(page)
    found = {}
    for url in demo_city:
        assert page.goto(url).status == 200, url
        tables = page.evaluate(TABLES)
        assert tables, url  # every page above has a table: one that lost its rows would pass unseen
        wrong = [t for t in tables if not t["cards"] or t["unlabelled"] or t["inline"] or t["header"] > 1]
        overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        if wrong or overflow > 0:
            found[url] = {"tables": wrong, "overflow": overflow}
    assert found == {}
    wide = desktop.new_page()
    for url in demo_city[:4]:
        wide.goto(url)
        assert {t["display"] for t in wide.evaluate(TABLES)} == {"table-cell"}, url
    assert errors == []


def test_the_console_report_queue_and_a_report_fit_a_phone(small, world):
    report = factories.dispatched_report(
        category=ServiceCategory.objects.get(code="road"), department=world.project.lead_unit
    )
    page = small.new_page()
    sign_in(page, "official", next_url="/admin/feedback/report/")
    overflow = "document.scrollingElement.scrollWidth - window.innerWidth"
    for url in ("/admin/feedback/report/", f"/admin/feedback/report/{report.pk}/change/"):
        page.goto(url)
        assert page.evaluate(overflow) <= 0, url
