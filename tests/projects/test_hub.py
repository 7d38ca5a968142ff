"""The project page as the hub (issue 16): the panels of the other apps, the same data in the API
detail, the site on a map, constant query counts, and the links back to the project."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation.models import CycleState, OrderStatus
from feedback.models import ReportStatus
from participation import services as participation_services
from projects import panels
from tests import factories

pytestmark = pytest.mark.django_db


def page(client, project) -> str:
    response = client.get(project.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def api(client, project) -> dict:
    response = client.get(reverse("projects-api:detail", args=[project.code]))
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture
def quarters():
    """2026 Q2 and Q3 published, Q4 open (its survey open until a week from today)."""
    q2 = factories.published_cycle(quarter=2)
    q3 = factories.published_cycle(quarter=3, scheme=q2.scheme)
    q4 = factories.review_cycle(
        quarter=4, scheme=q2.scheme, state=CycleState.OPEN, survey_closes_on=timezone.localdate() + timedelta(days=7)
    )
    return q2, q3, q4


# --- Registry -----------------------------------------------------------------------------------


def test_each_app_registers_its_panels_in_page_order():
    assert [p.key for p in panels.registered()] == ["score", "rectification", "reports", "needs", "cocreation"]


def test_api_detail_has_the_project_and_every_panel(client, project):
    data = api(client, project)
    assert {"code", "title", "latitude", "longitude", "milestones", "expenditures", "chain"} <= set(data)
    assert {"score", "rectification", "reports", "needs", "cocreation"} <= set(data)
    # A project nobody has scored, reported or voted on yet: empty panels, not missing keys.
    assert data["score"] == {"latest": None, "trend": [], "survey": None}
    assert data["rectification"] == {"open": [], "closed": [], "accountability": []}
    assert data["reports"]["total"] == 0 and data["reports"]["latest"] == []
    assert data["needs"] == [] and data["cocreation"] is None


# --- Score and survey ---------------------------------------------------------------------------


def test_score_panel_shows_the_latest_published_score_its_parts_and_the_trend(client, project, quarters):
    q2, q3, q4 = quarters
    factories.scorecard(project=project, cycle=q2, total=Decimal("58.20"), grade="fail")
    factories.scorecard(
        project=project, cycle=q3, total=Decimal("66.40"), grade="pass", acceptance_score=Decimal("61.50")
    )
    factories.scorecard(project=project, cycle=q4, total=Decimal("99.90"), grade="excellent")  # not published

    html = page(client, project)
    assert "66.40" in html and "58.20" in html and "61.50" in html
    assert "99.90" not in html
    assert reverse("evaluation:cycle", args=[2026, 3]) in html

    score = api(client, project)["score"]
    assert score["latest"]["quarter"] == "2026Q3" and score["latest"]["total"] == "66.40"
    assert score["latest"]["grade"] == "pass"
    assert (score["latest"]["satisfaction"], score["latest"]["acceptance"], score["latest"]["indicators"]) == (
        "80.00",
        "61.50",
        "65.00",
    )
    assert [c["quarter"] for c in score["trend"]] == ["2026Q2", "2026Q3"]


def test_survey_link_is_shown_while_the_survey_takes_answers(client, project, quarters):
    _q2, _q3, q4 = quarters
    survey = factories.survey(project=project, cycle=q4)
    assert survey.get_absolute_url() in page(client, project)
    assert api(client, project)["score"]["survey"]["url"] == survey.get_absolute_url()

    # The cycle is still open, but its survey's closing day has passed: the declared rule says no.
    q4.survey_closes_on = timezone.localdate() - timedelta(days=1)
    q4.save(update_fields=["survey_closes_on"])
    assert survey.get_absolute_url() not in page(client, project)
    assert api(client, project)["score"]["survey"] is None


def test_a_closed_cycles_survey_is_not_linked(client, project, quarters):
    _q2, q3, _q4 = quarters
    survey = factories.survey(project=project, cycle=q3)
    assert survey.get_absolute_url() not in page(client, project)


# --- Rectification and accountability ------------------------------------------------------------


def test_rectification_panel_shows_open_and_verified_orders_and_the_accountability(client, project, quarters):
    q2, q3, q4 = quarters
    escalated = factories.rectification_order(
        project=project,
        cycle=q2,
        status=OrderStatus.ESCALATED,
        findings="护栏缺失",
        verified_in=q3,
        verification_note="复查未整改",
    )
    factories.accountability(order=escalated, reason="整改未落实，予以问责")
    factories.rectification_order(project=project, cycle=q3, status=OrderStatus.ANSWERED, findings="现场未清理")
    hidden = factories.review_cycle(year=2025, quarter=4, scheme=q2.scheme, state=CycleState.CLOSED)
    factories.rectification_order(project=project, cycle=hidden, findings="尚未公布的问题")

    html = page(client, project)
    for text in (
        "护栏缺失",
        "复查未整改",
        "整改未落实，予以问责",
        "现场未清理",
        "已更换围挡并清理现场。",
        "2026-11-13",
    ):
        assert text in html
    assert "尚未公布的问题" not in html

    data = api(client, project)["rectification"]
    assert [o["findings"] for o in data["open"]] == ["现场未清理"]
    assert data["open"][0]["answer"] == "已更换围挡并清理现场。" and data["open"][0]["deadline"] == "2026-11-13"
    assert [(o["status"], o["verified_in"], o["verification_note"]) for o in data["closed"]] == [
        ("escalated", "2026Q3", "复查未整改")
    ]
    assert [(r["person"], r["reason"]) for r in data["accountability"]] == [("责任人", "整改未落实，予以问责")]


# --- Reports ------------------------------------------------------------------------------------


def test_reports_panel_counts_by_status_and_shows_public_fields_only(client, project, road, other_project):
    common = {"category": road, "project": project, "reporter_phone": "13812345678", "reporter_name": "王女士"}
    shown = factories.filed_report(text="围挡倒了", status=ReportStatus.ACCEPTED, days_ago=1, **common)
    private = factories.filed_report(
        text="私密描述", text_is_public=False, status=ReportStatus.CLOSED, days_ago=2, **common
    )
    hidden = factories.filed_report(text="被隐藏的诉求", is_hidden=True, **common)
    factories.filed_report(category=road, project=other_project, text="别的项目")

    html = page(client, project)
    assert "围挡倒了" in html and reverse("feedback:detail", args=[shown.pk]) in html
    assert reverse("feedback:detail", args=[private.pk]) in html and "私密描述" not in html
    for secret in ("被隐藏的诉求", "别的项目", "13812345678", "王女士", shown.tracking_code, private.tracking_code):
        assert secret not in html
    assert f"{reverse('feedback:list')}?project={project.code}" in html

    data = api(client, project)["reports"]
    assert data["total"] == 2 and data["by_status"] == {"accepted": 1, "closed": 1}
    assert [r["id"] for r in data["latest"]] == [shown.pk, private.pk]  # newest first
    assert data["latest"][1]["text"] is None
    dumped = json.dumps(data, ensure_ascii=False)
    assert all(s not in dumped for s in ("13812345678", "王女士", shown.tracking_code, hidden.tracking_code))


def test_the_public_report_list_filters_by_project(client, project, other_project, road):
    mine = factories.filed_report(category=road, project=project, text="关于本项目")
    factories.filed_report(category=road, project=other_project, text="关于另一个项目")
    factories.filed_report(category=road, text="没有项目")

    html = client.get(reverse("feedback:list"), {"project": project.code}).content.decode()
    assert reverse("feedback:detail", args=[mine.pk]) in html and "关于本项目" in html
    assert "关于另一个项目" not in html and "没有项目" not in html
    assert project.get_absolute_url() in html  # and back to the project

    unknown = client.get(reverse("feedback:list"), {"project": "NO-SUCH"}).content.decode()
    assert "关于本项目" not in unknown and "没有项目" not in unknown
    project.is_public = False
    project.save(update_fields=["is_public"])
    assert "关于本项目" not in client.get(reverse("feedback:list"), {"project": project.code}).content.decode()


# --- Needs and co-creation ---------------------------------------------------------------------


def test_needs_panel_lists_the_needs_with_their_supporters(client, project, resident, observer):
    need = factories.need_answered_by(project=project, author=resident, supporters=[observer, resident])
    html = page(client, project)
    assert need.get_absolute_url() in html and need.title in html
    assert api(client, project)["needs"] == [
        {"id": need.pk, "title": need.title, "url": need.get_absolute_url(), "status": "adopted", "supporters": 2}
    ]


def test_cocreation_panel_shows_the_vote_and_its_result(client, project, resident, observer):
    vote = factories.cocreation(project=project, options=("林荫方案", "乐园方案"))
    second = vote.options.get(title="乐园方案")
    for voter in (resident, observer):
        participation_services.design_vote_cast(cocreation=vote, option=second, user=voter)
    data = api(client, project)["cocreation"]
    assert data["open"] is True and data["winner"] is None
    assert [(o["title"], o["votes"], o["percent"]) for o in data["options"]] == [
        ("林荫方案", 0, 0),
        ("乐园方案", 2, 100),
    ]

    vote.closes_at = timezone.now() - timedelta(seconds=1)
    vote.save(update_fields=["closes_at"])
    participation_services.cocreation_record_winner(cocreation=vote)
    assert api(client, project)["cocreation"]["winner"] == "乐园方案"
    html = page(client, project)
    assert vote.get_absolute_url() in html and "乐园方案" in html


# --- The map ------------------------------------------------------------------------------------


def test_the_site_is_on_a_map_with_a_text_fallback(client, project):
    html = page(client, project)
    assert 'id="project-map"' in html and f'data-center="{project.latitude:f},{project.longitude:f}"' in html
    assert "projects/site_map.js" in html
    assert project.community.name in html and project.district.name in html


# --- Query counts -----------------------------------------------------------------------------------


def _fill(project, quarters, road, people, n: int, first_year: int) -> None:
    """`n` of everything the panels list: scored quarters, orders, reports, needs and their supporters."""
    q2, q3, _q4 = quarters
    for cycle in (q2, q3):
        factories.scorecard(project=project, cycle=cycle)
    cycles = [
        factories.published_cycle(year=first_year + i // 4, quarter=i % 4 + 1, scheme=q2.scheme) for i in range(n)
    ]
    for i, cycle in enumerate(cycles):
        order = factories.rectification_order(project=project, cycle=cycle, status=OrderStatus.ESCALATED)
        if i % 2:
            factories.accountability(order=order)
    for i in range(n):
        factories.filed_report(category=road, project=project, status=ReportStatus.values[i % 8])
        factories.need_answered_by(project=project, author=people[0], supporters=people[1:], title=f"需求{i}")


def test_page_and_api_queries_do_not_grow_with_the_rows(
    client, project, quarters, road, resident, observer, django_assert_max_num_queries
):
    factories.survey(project=project, cycle=quarters[2])
    vote = factories.cocreation(project=project)
    participation_services.design_vote_cast(cocreation=vote, option=vote.options.first(), user=resident)
    counts = []
    for n, first_year in ((1, 2010), (12, 2020)):
        _fill(project, quarters, road, [resident, observer], n, first_year)
        with django_assert_max_num_queries(17), CaptureQueriesContext(connection) as on_page:
            page(client, project)
        with django_assert_max_num_queries(16), CaptureQueriesContext(connection) as on_api:
            api(client, project)
        counts.append((len(on_page), len(on_api)))
        project.scorecards.all().delete()  # one per cycle: the next round adds them again
    assert counts[0] == counts[1]


# --- Links back to the project -----------------------------------------------------------------


def test_tracking_page_and_public_report_link_to_the_project(client, project, road):
    report = factories.filed_report(category=road, project=project)
    for url in (reverse("feedback:track", args=[report.tracking_code]), reverse("feedback:detail", args=[report.pk])):
        assert f'href="{project.get_absolute_url()}"' in client.get(url).content.decode()


def test_published_score_rows_and_orders_link_to_the_project(client, project, other_project, quarters):
    _q2, q3, _q4 = quarters
    factories.scorecard(project=project, cycle=q3)
    factories.rectification_order(project=other_project, cycle=q3)
    html = client.get(reverse("evaluation:cycle", args=[2026, 3])).content.decode()
    assert f'href="{project.get_absolute_url()}"' in html  # the score row
    assert f'href="{other_project.get_absolute_url()}"' in html  # the order row


def test_need_and_annual_list_link_to_the_project(client, project, resident):
    need = factories.need_answered_by(project=project, author=resident)
    for url in (need.get_absolute_url(), reverse("participation:annual-list", args=[project.year])):
        assert f'href="{project.get_absolute_url()}"' in client.get(url).content.decode()
