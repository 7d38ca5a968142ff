"""The evaluator on the cycle page at 1366×768: the steps with what blocks them, issuing the orders from
their button, and the issued order's page naming the failing parts with their figures (issue 17)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from evaluation import services
from evaluation.models import Inspection, InspectionItem, RectificationOrder

from .conftest import axe_violations, collect_errors, offline, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WINDOW = {"viewport": {"width": 1366, "height": 768}}


@pytest.fixture
def laptop(browser, live_server):
    context = offline(browser.new_context(base_url=live_server.url, locale="zh-CN", **WINDOW))
    yield context
    context.close()


def fits_the_window(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_evaluator_runs_the_cycle_from_its_page(laptop, open_quarter):
    world = open_quarter
    inspection = Inspection.objects.create(
        cycle=world.cycle, project=world.project, inspected_on=timezone.localdate(), representative_count=3, score=58
    )
    InspectionItem.objects.create(inspection=inspection, label="电梯运行平稳", passed=True)
    InspectionItem.objects.create(inspection=inspection, label="无障碍坡道", passed=False, note="坡道坡度超标")
    services.inspection_sign_off(inspection=inspection, by=world.evaluator)
    page = laptop.new_page()
    errors = collect_errors(page)
    sign_in(page, "evaluator", next_url=reverse("admin:evaluation_reviewcycle_change", args=[world.cycle.pk]))

    # 1. The steps: computing is possible (with what will be missing), issuing orders waits for the scores.
    steps = page.locator("section.cycle-steps")
    expect(steps.locator("li.cycle-step")).to_have_count(5)
    orders_step = page.locator("#step-issue_orders")
    expect(orders_step.locator(".cycle-step-blockers li")).to_have_count(1)
    expect(orders_step.locator("button")).to_have_count(0)
    expect(page.locator("#step-compute_scores .cycle-step-cautions li")).not_to_have_count(0)
    assert fits_the_window(page)
    assert errors == [], "\n".join(errors)
    assert axe_violations(page) == []
    errors.clear()  # axe's own checks apply inline styles, which our CSP refuses and the console reports

    # 2. Compute, then issue the orders from their buttons; the page comes back with the next steps.
    with page.expect_navigation():
        page.locator("#step-compute_scores button").click()
    expect(page.locator(".messagelist")).to_be_visible()
    expect(orders_step.locator(".cycle-step-blockers")).to_have_count(0)
    with page.expect_navigation():
        orders_step.locator("button").click()
    expect(orders_step.locator("button")).to_have_count(0)  # nothing left to issue
    order = RectificationOrder.objects.get(cycle=world.cycle, project=world.project)

    # 3. The issued order names its failing parts with their figures and what to fix.
    page.goto(reverse("admin:evaluation_rectificationorder_change", args=[order.pk]))
    findings = page.locator(".order-findings")
    expect(findings).to_contain_text("无障碍坡道")
    expect(findings).to_contain_text("坡道坡度超标")
    acceptance = findings.locator("li", has_text="无障碍坡道")
    expect(acceptance).to_have_text(
        re.compile(r"(\b1\b.*\b2\b|\b2\b.*\b1\b)")
    )  # 1 of 2 checklist items, any word order
    expect(findings.locator(".order-fix")).not_to_have_count(0)
    assert fits_the_window(page)
    assert errors == [], "\n".join(errors)
    assert axe_violations(page) == []
