"""Before and after in a browser: the console refuses a 井盖 answer without its photo, takes it with one,
and the public shows the pair side by side (stacked on a phone); a published rectification order's
pair on the project page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from evaluation.models import CycleState, PhotoKind
from tests import factories

from .conftest import DESKTOP, axe_violations, collect_errors, jpeg, offline, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
IMAGES_LOADED = "() => [...document.querySelectorAll('.before-after img')].every(i => i.complete && i.naturalWidth > 0)"


@pytest.fixture
def reported(world):
    """A resident's report about a missing manhole cover, with its photo: the "before"."""
    manhole = factories.service_category(department=world.project.lead_unit, requires_after_photo=True)
    before = factories.jpeg_upload(size=(640, 480), color=(30, 30, 30))
    return factories.report(category=manhole, text="望江路井盖缺失，只有锥桶围着。", photos=[before])


def boxes(page) -> list[dict]:
    """Both figures' boxes, measured at once (the tracking page's live fragment may redraw between calls)."""
    expect(page.locator(".before-after figure")).to_have_count(2)
    page.wait_for_function(IMAGES_LOADED)
    return page.eval_on_selector_all(
        ".before-after figure",
        "figures => figures.map(f => { const r = f.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height}; })",
    )


def test_the_pair_after_the_console_refused_an_answer_without_it(browser, live_server, phone, world, reported):
    console = offline(browser.new_context(base_url=live_server.url, locale="zh-CN", **DESKTOP))
    page = console.new_page()
    errors = collect_errors(page)
    sign_in(page, world.official.username)
    page.goto(reverse("admin:feedback_report_change", args=[reported.pk]))
    answer = page.locator("form[action$='/do/answer/']")
    answer.locator("textarea[name=answer]").fill("已更换防坠井盖，现场恢复通行。")
    # The browser asks for the photo first (the field is required); past it, the service refuses.
    answer.locator("input[name=photo]").evaluate("input => input.removeAttribute('required')")
    answer.locator("[type=submit]").click()
    expect(page.locator(".messagelist .error")).to_be_visible()
    reported.refresh_from_db()
    assert reported.status != "resolved"

    answer.locator("textarea[name=answer]").fill("已更换防坠井盖，现场恢复通行。")
    photo = {"name": "after.jpg", "mimeType": "image/jpeg", "buffer": jpeg(color=(150, 150, 150))}
    answer.locator("input[name=photo]").set_input_files(photo)
    answer.locator("[type=submit]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    reported.refresh_from_db()
    assert reported.status == "resolved"
    console.close()

    resident = phone.new_page()
    errors += collect_errors(resident)
    for url in (
        reverse("feedback:detail", args=[reported.pk]),
        reverse("feedback:track", args=[reported.tracking_code]),
    ):
        resident.goto(url)
        first, second = boxes(resident)
        assert second["y"] >= first["y"] + first["height"]  # stacked on a phone
        expect(resident.locator(".before-after img").first).to_have_attribute("alt", "反映人上传的照片")
        expect(resident.locator(".before-after figcaption")).to_have_count(2)
    assert axe_violations(resident) == []

    desktop = offline(browser.new_context(base_url=live_server.url, locale="zh-CN", **DESKTOP))
    wide = desktop.new_page()
    wide.goto(reverse("feedback:detail", args=[reported.pk]))
    first, second = boxes(wide)
    assert abs(first["y"] - second["y"]) < 1 and second["x"] > first["x"] + first["width"]  # side by side
    desktop.close()
    assert errors == []


def test_the_project_page_shows_a_published_orders_pair(phone, world):
    published = factories.review_cycle(year=2026, quarter=2, state=CycleState.PUBLISHED)
    order = factories.rectification_order(cycle=published, project=world.project, status="closed")
    factories.rectification_photo(order=order, kind=PhotoKind.BEFORE, caption="护栏断裂下垂")
    factories.rectification_photo(order=order, kind=PhotoKind.AFTER, caption="护栏已全部更换")
    page = phone.new_page()
    errors = collect_errors(page)
    page.goto(world.project.get_absolute_url())
    section = page.locator(".projects-hub-order", has=page.locator(".before-after"))  # beside its order
    expect(section).to_be_visible()
    expect(section.locator("img[alt=护栏断裂下垂]")).to_be_visible()
    expect(section.locator("img[alt=护栏已全部更换]")).to_be_visible()
    page.wait_for_function(IMAGES_LOADED)
    assert axe_violations(page) == []
    assert errors == []
