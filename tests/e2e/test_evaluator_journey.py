"""The evaluator's journey at a desktop, in the console: open the quarter, record an on-site acceptance,
compute the scorecards, issue a rectification order, close and publish; then the public results page."""

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from evaluation.models import CycleState, RectificationOrder, ReviewCycle, Scorecard, WeightingScheme

from .conftest import collect_errors, current_quarter, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def run_action(page, action: str, message: str, reason: str = "") -> None:
    """Tick the cycle on the console's cycle list and run one numbered step (giving the reason it asks for)."""
    page.goto("/admin/evaluation/reviewcycle/")
    page.locator("#result_list input.action-select").first.check()
    page.select_option("select[name=action]", action)
    with page.expect_navigation():
        page.get_by_role("button", name="执行").click()
    if reason:
        page.fill("#id_reason", reason)
        with page.expect_navigation():
            page.locator("input[type=submit].default").click()
    expect(page.locator(".messagelist")).to_contain_text(message)


def test_evaluator_journey(desktop, world):
    WeightingScheme.default()
    year, quarter = current_quarter()
    label = f"{year}Q{quarter}"
    page = desktop.new_page()
    errors = collect_errors(page)
    sign_in(page, "evaluator")

    # 1. A new cycle for this quarter (scope left empty: the projects under way), then open it.
    with page.expect_navigation():
        page.get_by_role("link", name="评估周期", exact=True).first.click()
    with page.expect_navigation():
        page.locator(".object-tools").get_by_role("link").first.click()
    page.fill("#id_year", str(year))
    page.fill("#id_quarter", str(quarter))
    page.select_option("#id_scheme", label="默认权重方案")
    page.fill("#id_organisation", "锦川民意调查中心")
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    run_action(page, "open_cycle", f"{label} 已启动。")
    cycle = ReviewCycle.objects.get(year=year, quarter=quarter)
    assert cycle.state == CycleState.OPEN and cycle.projects.count() == 2

    # 2. The on-site acceptance of the elevator project: one checklist item fails.
    page.goto("/admin/evaluation/inspection/add/")
    page.select_option("#id_cycle", label=label)
    page.fill("#id_project", str(world.project.pk))
    page.fill("#id_inspected_on", timezone.localdate().isoformat())
    page.fill("#id_representatives", "居民代表甲\n居民代表乙\n居民代表丙")
    page.fill("#id_representative_count", "3")
    page.fill("#id_score", "58")
    page.fill("#id_items-0-label", "电梯运行平稳")
    page.check("#id_items-0-passed")
    page.fill("#id_items-1-label", "无障碍坡道")
    page.fill("#id_items-1-note", "坡道坡度超标")
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    page.locator("#result_list input.action-select").first.check()
    page.select_option("select[name=action]", "sign_off")
    with page.expect_navigation():
        page.get_by_role("button", name="执行").click()
    expect(page.locator(".messagelist")).to_contain_text("已签署。")

    # 3. Compute: a scorecard per project in scope.
    run_action(page, "compute_scores", "已计算 2 张评分卡。")
    page.goto("/admin/evaluation/scorecard/")
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    expect(page.locator("#result_list")).to_contain_text(world.project.code)

    # 4. Rectification orders: the project that failed an acceptance item, and any project below the pass mark.
    failing = {world.project.code} | set(
        Scorecard.objects.filter(cycle=cycle, grade="fail").values_list("project__code", flat=True)
    )
    run_action(page, "issue_orders", f"已下达 {len(failing)} 份整改通知。")
    page.goto("/admin/evaluation/rectificationorder/")
    expect(page.locator("#result_list tbody tr")).to_have_count(len(failing))
    for code in failing:
        expect(page.locator("#result_list")).to_contain_text(code)
    order = RectificationOrder.objects.get(project=world.project)
    assert order.department_id == world.project.lead_unit_id and "无障碍坡道" in order.findings_text()

    # 5. Close, publish. The quarter is not over yet: closing now needs a reason, kept on the cycle.
    run_action(page, "close_cycle", f"{label} 已结束。", reason="第三方测评已完成，提前通报")
    cycle.refresh_from_db()
    assert (cycle.close_reason, cycle.closed_by.username) == ("第三方测评已完成，提前通报", "evaluator")
    run_action(page, "publish_cycle", f"{label} 已公布。")

    # 6. The public results page shows the scorecards.
    page.goto("/evaluation/")
    with page.expect_navigation():
        page.get_by_role("link", name=f"{year}年第{quarter}季度").click()
    rows = page.locator("table.evaluation-scores tbody tr")
    expect(rows).to_have_count(2)
    for card in Scorecard.objects.filter(cycle=cycle).select_related("project"):
        row = rows.filter(has_text=card.project.code)
        expect(row).to_contain_text(card.project.title)
        with translation.override("zh-hans"):
            expect(row.locator(".evaluation-grade")).to_have_text(str(card.get_grade_display()))
        if card.total is not None:
            expect(row).to_contain_text(str(card.total))
    assert errors == []
