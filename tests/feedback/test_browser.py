"""The report form in a real browser, on a phone: without JavaScript (address) and with it (map pin)."""

import pytest

from feedback.models import Report
from tests.e2e.conftest import (  # noqa: F401 — fixtures
    PHONE,
    axe_violations,
    browser_type_launch_args,
    collect_errors,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]


def _phone(browser, live_server, *, javascript: bool):
    return browser.new_context(base_url=live_server.url, locale="zh-CN", java_script_enabled=javascript, **PHONE)


def test_report_without_javascript_uses_the_address(browser, live_server, road):
    context = _phone(browser, live_server, javascript=False)
    page = context.new_page()
    page.goto("/reports/new/")
    assert not page.locator("#feedback-pick-map").is_visible()
    page.select_option("#id_category", str(road.pk))
    page.fill("#id_text", "望江路门口路面有一个大坑")
    page.fill("#id_address", "临江区望江路12号")
    page.click(".feedback-form button[type=submit]")
    page.wait_for_load_state()
    assert "/track/" in page.url, (page.url, page.locator(".errors, .errorlist").all_inner_texts())
    report = Report.objects.get()
    assert report.address == "临江区望江路12号" and report.tracking_code in page.content()
    context.close()


def test_report_with_javascript_places_the_pin_and_is_accessible(browser, live_server, road):
    context = _phone(browser, live_server, javascript=True)
    page = context.new_page()
    errors = collect_errors(page)
    page.goto("/reports/new/")
    assert page.locator("#feedback-pick-map").is_visible()
    assert axe_violations(page) == []
    page.select_option("#id_category", str(road.pk))
    page.fill("#id_text", "路灯不亮")
    page.locator("#feedback-pick-map").click(position={"x": 150, "y": 120})
    assert page.locator("#id_latitude").input_value() != ""
    page.click(".feedback-form button[type=submit]")
    page.wait_for_load_state()
    assert "/track/" in page.url, (page.url, page.locator(".errors, .errorlist").all_inner_texts())
    report = Report.objects.get()
    assert report.latitude is not None and report.longitude is not None
    assert [e for e in errors if "ERR_NAME_NOT_RESOLVED" not in e and "tile" not in e] == []
    context.close()
