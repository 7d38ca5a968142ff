"""The console's project page at 1366×768: the chain, milestones, progress and money fit without
sideways scrolling, and the summary at the top says over budget and behind schedule in words."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from projects.models import ChainRole, Department, ResponsiblePerson
from tests import factories

from .conftest import collect_errors, offline, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
POSTS = [
    "项目负责人",
    "社区网格员",
    "第三方监理工程师",
    "街道办事处副主任",
    "施工单位项目经理",
    "设计单位负责人",
    "社区居委会主任",
]


@pytest.fixture
def laptop(browser, live_server):
    context = offline(browser.new_context(base_url=live_server.url, locale="zh-CN", **LAPTOP))
    yield context
    context.close()


def demo_like(world):
    """A project as the demo city has them: a long chain with contacts, milestones, money, over budget and late."""
    project = world.project
    project.planned_end = timezone.localdate() - timedelta(days=20)
    project.expected_completion = timezone.localdate() + timedelta(days=40)
    project.budget = Decimal("25000.00")
    project.save()
    departments = list(Department.objects.order_by("-name")[:7])
    for n, post in enumerate(POSTS):
        ResponsiblePerson.objects.create(
            project=project, role=list(ChainRole)[n % 3], name=f"负责人{n}号", title=post,
            department=departments[n % len(departments)], phone=f"138{n:08d}",
            email=f"person.with.a.long.address{n}@construction-bureau.example.cn", contact_is_public=n % 2 == 0,
        )  # fmt: skip
    for n in range(4):
        factories.milestone(
            project=project,
            title=f"第{n + 4}阶段：主体结构施工及隐蔽工程验收",
            planned_date=date(2026, 1, 1) + timedelta(days=40 * n),
            order=n + 4,
        )
        factories.expenditure(
            project=project, amount=Decimal("12345678.90"), payee="锦川市第一市政工程建设集团有限公司",
            purpose="主体结构施工进度款（第二期）及材料费", voucher_number=f"JC-2026-{n:06d}",
        )  # fmt: skip
        factories.allocation(project=project, amount=Decimal("1500000.00"), source="市级财政专项资金（民心工程）")
    return project


def test_the_project_page_fits_1366_and_says_what_is_wrong_at_the_top(laptop, world):
    project = demo_like(world)
    page = laptop.new_page()
    errors = collect_errors(page)
    sign_in(page, "official", f"/admin/projects/project/{project.pk}/change/")
    width = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    summary = page.locator("#project-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("超预算")
    top = summary.bounding_box()["y"]
    assert top < page.locator("#people-group, [id$='people-group']").first.bounding_box()["y"]
    assert errors == []
