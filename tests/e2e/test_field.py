"""A grid worker on a 360×740 phone: signs in, lands in the field, opens a report, records an on-site
check with a photo and a note, and sees it; no sideways scrolling and no serious axe violation."""

import pytest
from playwright.sync_api import expect

from civicworks.accounts.models import Role
from feedback.models import GridArea, Report, ServiceCategory, SiteCheck
from projects.models import Community
from tests import factories
from tests.factories import PASSWORD

from .conftest import PHONE, axe_violations, collect_errors, jpeg, offline

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SMALL = {**PHONE, "viewport": {"width": 360, "height": 740}}
OVERFLOW = "() => document.scrollingElement.scrollWidth - window.innerWidth"


@pytest.fixture
def small(browser, live_server):
    context = offline(browser.new_context(base_url=live_server.url, locale="zh-CN", **SMALL))
    yield context
    context.close()


def test_grid_worker_records_a_check_from_the_phone(small, world, tmp_path):
    worker = factories.user(username="grid", role=Role.GRID_WORKER, department=world.project.lead_unit,
                            last_name="孙", first_name="晓峰")  # fmt: skip
    community = Community.objects.get(name="望江社区")
    grid = GridArea.objects.create(name="望江一网格", district=community.district, community=community,
                                   boundary=community.boundary, grid_worker=worker)  # fmt: skip
    report = factories.dispatched_report(
        category=ServiceCategory.objects.get(code="road"), department=world.project.lead_unit,
        text="望江路人行道上有一个大坑，老人走路容易摔倒。", address="望江路 18 号门口",
    )  # fmt: skip
    Report.objects.filter(pk=report.pk).update(grid_area=grid, grid_worker=worker)
    picture = tmp_path / "site.jpg"
    picture.write_bytes(jpeg())

    page = small.new_page()
    errors = collect_errors(page)
    page.goto("/accounts/login/")
    page.fill("input[name=login]", "grid")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    assert page.url.endswith("/field/"), page.url
    expect(page.locator("main h1")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0
    assert axe_violations(page) == []

    page.locator(".field-item", has_text=f"#{report.pk}").click()
    expect(page.locator("main h1")).to_contain_text(f"#{report.pk}")
    assert page.evaluate(OVERFLOW) <= 0
    assert axe_violations(page) == []
    page.fill("textarea[name=note]", "已到现场核查：坑洞约半米宽，已放置锥桶围挡。")
    page.set_input_files("input[name=photo]", str(picture))
    with page.expect_navigation():
        page.locator(".field-submit").click()
    checks = page.locator(".field-checks li")
    expect(checks.first).to_contain_text("已到现场核查：坑洞约半米宽")
    expect(checks.first.locator("img.field-photo")).to_be_visible()
    assert page.evaluate("() => document.querySelector('img.field-photo').naturalWidth") > 0
    assert page.evaluate(OVERFLOW) <= 0
    assert SiteCheck.objects.get().author == worker
    assert errors == []
