"""The demo: two published quarters with a trend, one open quarter; running it again adds nothing."""

import io

from django.db.models import Count
from django.urls import reverse

from civicworks.accounts import demo as accounts_demo
from civicworks.rounding import round_half_up
from evaluation import demo
from evaluation.models import (
    CycleState,
    IndicatorValue,
    Inspection,
    InvitationCode,
    ManualIndicator,
    RectificationOrder,
    ResponseKind,
    ReviewCycle,
    Scorecard,
    SurveyResponse,
)
from projects.demo_stories import COMMUNITY_PLACES
from tests import factories

OPTIONS = {"projects": 12, "responses": 240, "seed": 2026}


def test_demo_builds_two_published_quarters_and_is_idempotent(client, lead_department, project, other_project):
    factories.projects(10, lead_unit=lead_department)
    accounts_demo.seed(options=OPTIONS, stdout=io.StringIO())
    demo.seed(options=OPTIONS, stdout=io.StringIO())

    states = dict(ReviewCycle.objects.values_list("quarter", "state"))
    assert states == {2: CycleState.PUBLISHED, 3: CycleState.PUBLISHED, 4: CycleState.OPEN}
    assert Scorecard.objects.filter(cycle__quarter=3).count() == 12
    counts = (SurveyResponse.objects.count(), RectificationOrder.objects.count(), Scorecard.objects.count())
    assert counts[0] == 240
    # Believable under the counting rule: mostly invitation codes and signed-in residents, a few
    # anonymous answers held apart, and in the open quarter one flagged burst.
    kinds = dict(SurveyResponse.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds[ResponseKind.CODE] > kinds[ResponseKind.ACCOUNT] > kinds[ResponseKind.ANONYMOUS] > 0
    assert kinds[ResponseKind.ANONYMOUS] < 0.1 * counts[0]
    assert InvitationCode.objects.filter(used_at__isnull=False).count() == kinds[ResponseKind.CODE]
    assert InvitationCode.objects.filter(used_at__isnull=True).exists()  # not every card came back
    assert SurveyResponse.objects.filter(suspicious=True, survey__cycle__quarter=4).count() >= 4
    q3 = Scorecard.objects.filter(cycle__quarter=3, satisfaction_score__isnull=False)
    assert q3.exists() and sum(q3.values_list("anonymous_count", flat=True)) > 0

    demo.seed(options=OPTIONS, stdout=io.StringIO())
    assert (SurveyResponse.objects.count(), RectificationOrder.objects.count(), Scorecard.objects.count()) == counts

    page = client.get(reverse("evaluation:cycle", args=[2026, 3])).content.decode()
    assert "2026Q2" in page and "2026Q3" in page
    assert "<polyline" in page

    # One answered order per published quarter needs photos and has its pair, shown on its project's page.
    photographed = RectificationOrder.objects.filter(requires_after_photo=True).select_related("project")
    assert {o.cycle.quarter for o in photographed} == {2, 3}
    assert all(order.before_after() for order in photographed)
    order = photographed.get(cycle__quarter=3)
    page = client.get(order.project.get_absolute_url()).content.decode()
    assert 'class="before-after"' in page and "护栏已全部更换并加固" in page


def test_every_demo_scorecard_has_the_exact_parts_of_its_data(lead_department, project, other_project):
    """The demo's scorecards against the rules recomputed in Python from the stored rows.

    On SQLite the indicators part of a project whose indicator scores were whole numbers was an
    integer division (MX-2026-014: 63.00 for (0 + 100 + 91) / 3 = 63.67) — seven project-quarters
    scored differently than on PostgreSQL.
    """
    factories.projects(10, lead_unit=lead_department)
    accounts_demo.seed(options=OPTIONS, stdout=io.StringIO())
    demo.seed(options=OPTIONS, stdout=io.StringIO())

    cards = Scorecard.objects.select_related("cycle", "cycle__scheme")
    assert cards.count() > 20
    for card in cards:
        scores = [
            *IndicatorValue.objects.filter(cycle=card.cycle, project=card.project_id, score__isnull=False)
            .values_list("score", flat=True),
            *ManualIndicator.objects.filter(cycle=card.cycle, project=card.project_id).values_list("score", flat=True),
        ]  # fmt: skip
        expected = round_half_up(sum(scores) / len(scores)) if scores else None
        assert card.indicators_score == expected, card
        accepted = Inspection.objects.filter(cycle=card.cycle, project=card.project_id, signed_off_at__isnull=False)
        acceptance = [i.score for i in accepted]
        assert card.acceptance_score == (round_half_up(sum(acceptance) / len(acceptance)) if acceptance else None)


def test_demo_comments_and_answers_speak_of_their_project(lead_department, project, other_project):
    factories.projects(10, lead_unit=lead_department)
    accounts_demo.seed(options=OPTIONS, stdout=io.StringIO())
    demo.seed(options=OPTIONS, stdout=io.StringIO())
    comments = list(SurveyResponse.objects.exclude(comment="").select_related("survey__project__community"))
    assert len({r.comment for r in comments}) >= 0.9 * len(comments)
    for response in comments:
        project = response.survey.project
        assert project.community is None or any(
            place in response.comment
            for place in [project.community.name, *COMMUNITY_PLACES.get(project.community.name, ([], [], []))[1]]
        ), response.comment
    for order in RectificationOrder.objects.exclude(response="").select_related("project"):
        assert order.project.title in order.response
    assert all(i.project.title in i.notes for i in Inspection.objects.select_related("project"))


def test_demo_answers_in_chunks_are_the_same_answers(monkeypatch, lead_department, project, other_project):
    """The province-sized city writes its answers in chunks (memory stays flat): nothing lost or doubled."""
    monkeypatch.setattr(demo, "ANSWER_CHUNK", 7)
    factories.projects(10, lead_unit=lead_department)
    accounts_demo.seed(options=OPTIONS, stdout=io.StringIO())
    demo.seed(options=OPTIONS, stdout=io.StringIO())

    assert SurveyResponse.objects.count() == 240
    by_code = SurveyResponse.objects.filter(kind=ResponseKind.CODE)
    assert InvitationCode.objects.filter(used_at__isnull=False).count() == by_code.count()
    assert not by_code.filter(invitation__isnull=True).exists()
