"""The official's journey at a desktop: sign in to the console, see only the department's projects
and queue, answer a report, post a progress update and an expenditure, watch the public page change."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback.models import ReportStatus, ServiceCategory
from projects.models import Expenditure
from tests import factories

from .conftest import collect_errors, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_official_journey(desktop, world):
    project, other = world.project, world.other_project
    road = ServiceCategory.objects.get(code="road")
    ours, theirs = (
        factories.dispatched_report(category=road, department=project.lead_unit),
        factories.dispatched_report(category=road, department=other.lead_unit),
    )
    public = desktop.new_page()
    public.goto(f"/projects/{project.code}/")
    expect(public.locator(".live-percent span")).to_have_text("50%")
    page = desktop.new_page()
    errors = collect_errors(page)

    # 1. Signed in, the official sees the department's projects only.
    sign_in(page, "official")
    with page.expect_navigation():
        page.get_by_role("link", name="项目", exact=True).first.click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(project.code)
    expect(page.locator("#result_list")).not_to_contain_text(other.code)

    # 2. …and the department's queue only: newly dispatched reports first, nothing of the other department.
    with page.expect_navigation():
        page.get_by_role("link", name="诉求", exact=True).first.click()
    # Reports by number: the tracking code is the resident's key and no staff page shows it.
    expect(page.locator("[data-live-url]")).to_contain_text(ours.reference)
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#content")).not_to_contain_text(theirs.tracking_code)
    expect(page.locator("#content")).not_to_contain_text(ours.tracking_code)

    # 3. Answer the report.
    with page.expect_navigation():
        page.locator("#result_list").get_by_role("link", name=ours.reference, exact=True).click()
    page.fill("#id_answer", "已安排维修班组今天下午更换井盖。")
    with page.expect_navigation():
        page.get_by_role("button", name="发送答复").click()
    expect(page.locator(".messagelist")).to_contain_text("已完成。")
    ours.refresh_from_db()
    assert (ours.status, ours.answer) == (ReportStatus.RESOLVED, "已安排维修班组今天下午更换井盖。")

    # 4. A progress update and an expenditure on the project's console page.
    page.goto(f"/admin/projects/project/{project.pk}/change/")
    new_update = page.locator(".dynamic-updates").last
    new_update.locator("select[name$='-stage']").select_option("construction")
    new_update.locator("input[name$='-percent_complete']").fill("65")
    new_update.locator("textarea[name$='-text']").fill("3号楼电梯井道施工完成。")
    page.locator("#expenditures-group").get_by_role("button", name="添加另一个 支出").click()
    spending = page.locator("#expenditures-group tr.dynamic-expenditures").last
    spending.locator("input[name$='-date']").fill(timezone.localdate().isoformat())
    spending.locator("input[name$='-amount']").fill("86000.00")
    spending.locator("input[name$='-payee']").fill("锦川电梯安装有限公司")
    spending.locator("input[name$='-purpose']").fill("电梯设备首付款")
    spending.locator("input[name$='-voucher_number']").fill("JC-2026-0815")
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert Expenditure.objects.get(voucher_number="JC-2026-0815").recorded_by == world.official

    # 5. The public page, open all along, shows the new progress without a reload…
    expect(public.locator(".live-percent span")).to_have_text("65%", timeout=15_000)
    expect(public.locator(".live-updates")).to_contain_text("3号楼电梯井道施工完成。")
    # …and the spending once reloaded.
    public.reload()
    expect(public.locator("table.projects-table").first).to_contain_text("锦川电梯安装有限公司")
    expect(public.locator("dl.projects-facts", has_text="已支出")).to_contain_text("已支出¥86,031.50")  # 31.50 before
    assert errors == []
