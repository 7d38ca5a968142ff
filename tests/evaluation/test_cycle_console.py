"""The cycle page's steps, the findings with their figures, overdue orders and the order page (issue 17)."""

import importlib
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation import selectors, services
from evaluation.models import (
    CycleState,
    CycleStep,
    InspectionItem,
    ManualIndicator,
    OrderStatus,
    PhotoKind,
    RectificationOrder,
)
from tests import factories

from .conftest import EARLY, answer, inspect

legacy = importlib.import_module("evaluation.migrations.0005_order_findings_data")


@pytest.fixture
def client(client, settings):
    """The console read in English (the site's default language is Chinese)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def cycle_url(cycle) -> str:
    return reverse("admin:evaluation_reviewcycle_change", args=[cycle.pk])


def step_url(cycle, action: str) -> str:
    return reverse("admin:evaluation_cycle_step", args=[cycle.pk, action])


def order_url(order) -> str:
    return reverse("admin:evaluation_rectificationorder_change", args=[order.pk])


def failing_project(cycle, project, evaluator) -> None:
    """Unhappy residents, a failed checklist item and a lighting rate short of its target."""
    answer(cycle, project, (1, 1), (2, 3))
    inspection = inspect(cycle, project, "55", evaluator)
    InspectionItem.objects.create(inspection=inspection, label="电梯运行平稳", passed=True)
    InspectionItem.objects.create(inspection=inspection, label="无障碍坡道", passed=False, note="坡道坡度超标")
    ManualIndicator.objects.create(cycle=cycle, project=project, name="亮灯率", target=100, actual=80, unit="%")


# --- Findings with their figures -------------------------------------------------------------------------


def test_an_order_keeps_the_failing_parts_as_data_and_says_them_with_figures(cycle, project, evaluator):
    failing_project(cycle, project, evaluator)
    services.cycle_compute(cycle=cycle, by=evaluator)
    services.orders_issue(cycle=cycle, by=evaluator)
    order = RectificationOrder.objects.get(project=project)

    parts = {entry["part"]: entry for entry in order.findings_data}
    assert {"total", "satisfaction", "acceptance", "manual"} <= set(parts)
    assert parts["satisfaction"]["responses"] == 2
    assert parts["acceptance"]["items"] == 2
    assert parts["acceptance"]["failed"] == [{"label": "无障碍坡道", "note": "坡道坡度超标"}]
    assert (parts["manual"]["actual"], parts["manual"]["target"]) == ("80.00", "100.00")
    assert "below" not in json.dumps(order.findings_data)  # figures, not prose: said at display time

    lines = {line.part: line for line in order.finding_lines()}
    assert "1 of 2 checklist items failed: 无障碍坡道 (坡道坡度超标)" in lines["acceptance"].text
    assert "0.00 % of 2 counted answers" in lines["satisfaction"].text
    assert "亮灯率: 80.00%; the target is at least 100.00%" in lines["manual"].text
    assert all(line.fix for part, line in lines.items() if part != "total")  # each says what to fix
    assert order.findings == ""  # the evaluator's note: optional


def test_the_order_page_names_the_failing_parts_and_what_to_fix(client, settings, cycle, project, evaluator, official):
    failing_project(cycle, project, evaluator)
    services.cycle_compute(cycle=cycle, by=evaluator)
    services.orders_issue(cycle=cycle, by=evaluator)
    order = RectificationOrder.objects.get(project=project)
    client.force_login(official)

    page = client.get(order_url(order)).content.decode()
    assert "无障碍坡道 (坡道坡度超标)" in page and "To fix:" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(order_url(order)).content.decode()
    assert "无障碍坡道（坡道坡度超标）" in page and "整改要求：" in page


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Score 48.20, grade 不合格 (fail).\nSatisfaction below the pass mark: 40.50.", ["total", "satisfaction"]),
        (
            "得分 48.20，等级 不合格。\n现场验收 低于合格线：30.00。\n客观指标 低于合格线：45.00。",
            ["total", "acceptance", "indicators"],
        ),
    ],
)
def test_the_migration_reads_the_old_generated_text(text, parts):
    data = legacy.parse_legacy(text, grade="fail", pass_mark=Decimal("60"))
    assert [entry["part"] for entry in data] == parts
    assert data[0]["total"] == "48.20" and data[1]["pass_mark"] == "60.00"


def test_the_migration_keeps_an_evaluators_own_words_as_the_note():
    assert legacy.parse_legacy("电梯运行噪音超标，需更换曳引机减震垫。", grade="fail", pass_mark=Decimal("60")) is None


# --- The cycle's steps -------------------------------------------------------------------------------------


def test_steps_say_what_they_do_and_what_blocks_them(cycle, project, other_project, evaluator):
    steps = {s.step: s for s in selectors.cycle_steps(cycle)}

    assert steps[CycleStep.OPEN].done and not steps[CycleStep.OPEN].allowed
    compute = steps[CycleStep.COMPUTE]
    assert compute.allowed and "2 projects" in compute.effect
    assert any("fewer than 2 counted answers" in text for text in compute.cautions)
    assert any("no signed-off on-site acceptance" in text for text in compute.cautions)
    assert steps[CycleStep.ISSUE_ORDERS].blockers == ["The scores are not computed yet."]
    assert not steps[CycleStep.CLOSE].allowed
    assert steps[CycleStep.PUBLISH].blockers == ["Not possible while the cycle is Open."]

    failing_project(cycle, project, evaluator)
    services.cycle_compute(cycle=cycle, by=evaluator)
    steps = {s.step: s for s in selectors.cycle_steps(cycle)}
    failing = selectors.failing_scorecards(cycle).count()
    issue = steps[CycleStep.ISSUE_ORDERS]
    assert issue.allowed and f"Will issue orders to {failing} projects" in issue.effect
    close = steps[CycleStep.CLOSE]
    assert close.allowed and any("asks for a reason" in text for text in close.cautions)
    assert any(f"{failing} failing projects have no rectification order yet" in text for text in close.cautions)
    services.orders_issue(cycle=cycle, by=evaluator)
    assert not {s.step: s for s in selectors.cycle_steps(cycle)}[CycleStep.ISSUE_ORDERS].allowed


def test_the_cycle_page_shows_the_steps_with_a_button_only_where_allowed(
    client, cycle, evaluator, django_assert_max_num_queries
):
    client.force_login(evaluator)
    with django_assert_max_num_queries(40):
        page = client.get(cycle_url(cycle)).content.decode()

    assert "Steps of the cycle" in page and "The scores are not computed yet." in page
    assert step_url(cycle, "compute_scores") in page
    assert step_url(cycle, "issue_orders") not in page and step_url(cycle, "publish_cycle") not in page


def test_the_step_buttons_run_the_steps_and_come_back_to_the_cycle(client, cycle, project, evaluator):
    failing_project(cycle, project, evaluator)
    client.force_login(evaluator)

    assert client.post(step_url(cycle, "compute_scores")).url == cycle_url(cycle)
    assert client.post(step_url(cycle, "issue_orders")).status_code == 302
    assert RectificationOrder.objects.filter(cycle=cycle, project=project).exists()

    asks = client.post(step_url(cycle, "close_cycle"))  # early: the reason first
    assert asks.status_code == 200 and 'name="reason"' in asks.content.decode()
    client.post(step_url(cycle, "close_cycle"), {"apply": "1", "reason": EARLY})
    cycle.refresh_from_db()
    assert (cycle.state, cycle.close_reason) == (CycleState.CLOSED, EARLY)
    page = client.get(cycle_url(cycle)).content.decode()
    assert step_url(cycle, "publish_cycle") in page  # the closed cycle's page still runs its next step


@pytest.mark.parametrize("persona", ["official", "other_official", "supervisor", "resident"])
def test_only_evaluators_run_steps(client, request, persona, cycle):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(step_url(cycle, "compute_scores")).status_code in (302, 403)  # 302: to the log-in page
    cycle.refresh_from_db()
    assert cycle.computed_at is None


def test_a_step_is_posted_and_named(client, cycle, evaluator):
    client.force_login(evaluator)
    assert client.get(step_url(cycle, "compute_scores")).status_code == 405
    assert client.post(step_url(cycle, "delete_selected")).status_code == 405
    cycle.refresh_from_db()
    assert cycle.computed_at is None


# --- Overdue orders ----------------------------------------------------------------------------------------


@pytest.fixture
def orders(cycle, project):
    today = timezone.localdate()
    late = factories.rectification_order(project=project, cycle=cycle, deadline=today - timedelta(days=3))
    projects = factories.projects(4, lead_unit=project.lead_unit)
    on_time = [
        factories.rectification_order(project=p, cycle=cycle, deadline=today + timedelta(days=5)) for p in projects
    ]
    return late, on_time


def test_overdue_orders_are_marked_in_words_and_filtered(client, evaluator, orders, django_assert_max_num_queries):
    late, on_time = orders
    client.force_login(evaluator)
    url = reverse("admin:evaluation_rectificationorder_changelist")

    with django_assert_max_num_queries(30):  # the same with 1 order or 500: no query per row
        page = client.get(url).content.decode()
    assert "Overdue by 3 days" in page and "Due in 5 days" in page

    overdue = client.get(url, {"overdue": "yes"}).context["cl"].result_list
    assert [o.pk for o in overdue] == [late.pk]
    assert late.pk not in [o.pk for o in client.get(url, {"overdue": "no"}).context["cl"].result_list]
    assert "Overdue by 3 days" in client.get(order_url(late)).content.decode()


def test_an_answered_order_is_not_overdue(cycle, project, official):
    order = factories.rectification_order(
        project=project, cycle=cycle, deadline=timezone.localdate() - timedelta(days=3)
    )
    assert order.is_overdue
    services.order_answer(order=order, by=official, response="已整改完毕")
    assert not order.is_overdue and not RectificationOrder.objects.overdue().exists()


# --- The order page: the answer with its photos, the verification, only the allowed actions ------------------


@pytest.fixture
def earlier_order(scheme, project):
    """An order of 2026 Q2, answered with an "after" photo: verified in the open 2026 Q3."""
    q2 = factories.review_cycle(year=2026, quarter=2, scheme=scheme, state=CycleState.CLOSED, closed_at=timezone.now())
    order = factories.rectification_order(project=project, cycle=q2, status=OrderStatus.ANSWERED)
    factories.rectification_photo(order=order, kind=PhotoKind.AFTER, caption="新坡道")
    return order


def test_the_order_page_shows_the_answer_with_its_photo_and_the_verify_buttons(client, evaluator, cycle, earlier_order):
    client.force_login(evaluator)
    page = client.get(order_url(earlier_order)).content.decode()

    assert "已更换围挡并清理现场。" in page and 'alt="新坡道"' in page
    assert reverse("admin:evaluation_order_verify", args=[earlier_order.pk]) in page
    assert "Not verified yet" in page


def test_the_evaluator_verifies_from_the_order_page(client, evaluator, cycle, earlier_order):
    client.force_login(evaluator)
    url = reverse("admin:evaluation_order_verify", args=[earlier_order.pk])
    client.post(url, {"outcome": "rectified", "note": "复查：坡道已改造 <b>"})

    earlier_order.refresh_from_db()
    assert (earlier_order.status, earlier_order.verified_in, earlier_order.verification_note) == (
        OrderStatus.CLOSED,
        cycle,
        "复查：坡道已改造 <b>",
    )
    page = client.get(order_url(earlier_order)).content.decode()
    assert "<p>复查：坡道已改造 &lt;b&gt;</p>" in page  # in a paragraph, the evaluator's words escaped once
    assert f"Verified in {cycle}: rectified, the order is closed." in page
    assert url not in page  # verified: no more verify buttons, no answer field
    assert 'name="response"' not in page


def test_no_verify_buttons_without_a_later_cycle(client, evaluator, cycle, project):
    order = factories.rectification_order(project=project, cycle=cycle)
    client.force_login(evaluator)
    assert (
        reverse("admin:evaluation_order_verify", args=[order.pk]) not in client.get(order_url(order)).content.decode()
    )


@pytest.mark.parametrize("persona", ["official", "other_official", "supervisor"])
def test_only_evaluators_verify(client, request, persona, cycle, earlier_order):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("admin:evaluation_order_verify", args=[earlier_order.pk])
    assert client.post(url, {"outcome": "rectified", "note": "x"}).status_code == 403
    earlier_order.refresh_from_db()
    assert earlier_order.status == OrderStatus.ANSWERED


def test_another_department_cannot_open_or_answer_the_order(client, other_official, cycle, earlier_order):
    client.force_login(other_official)
    response = client.get(order_url(earlier_order))
    assert response.status_code == 302 and "已更换围挡" not in response.content.decode()
    client.post(order_url(earlier_order), {"response": "别的部门改写"})
    earlier_order.refresh_from_db()
    assert earlier_order.response == "已更换围挡并清理现场。"


def test_a_read_only_role_cannot_answer(client, supervisor, cycle, earlier_order):
    client.force_login(supervisor)
    page = client.get(order_url(earlier_order)).content.decode()
    assert 'name="response"' not in page and "已更换围挡并清理现场。" in page
    client.post(order_url(earlier_order), {"response": "改写"})
    earlier_order.refresh_from_db()
    assert earlier_order.response == "已更换围挡并清理现场。"
