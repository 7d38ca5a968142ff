"""The demo step: idempotent, consistent with the demo city."""

import io

from feedback import demo as feedback_demo
from feedback import demo_texts as feedback_texts
from feedback.models import Report, ReportKind
from participation import demo
from participation.models import (
    ActionItem,
    CoCreation,
    Meeting,
    Need,
    NeedProject,
    ObserverApplication,
    PointsBalance,
    PointsEntry,
)
from projects.demo import SHOWCASE
from projects.demo import seed as seed_projects


def test_demo_is_idempotent_and_consistent(city):
    seed_projects(options={"projects": 40}, stdout=io.StringIO())
    demo.seed(options={}, stdout=io.StringIO())
    counts = (Need.objects.count(), NeedProject.objects.count(), PointsEntry.objects.count(), Meeting.objects.count())
    demo.seed(options={}, stdout=io.StringIO())
    assert counts == (
        Need.objects.count(), NeedProject.objects.count(), PointsEntry.objects.count(), Meeting.objects.count()
    )  # fmt: skip
    assert counts[1] >= 1 and counts[3] == 2
    # The pocket park's vote is open; the showcase's (projects.demo.SHOWCASE) is decided.
    vote = CoCreation.objects.get(project__category__code="pocket-park")
    assert vote.is_open() and vote.votes.exists()
    decided = CoCreation.objects.get(project__code=SHOWCASE)
    assert decided.winner is not None and decided.votes.exists()
    for balance in PointsBalance.objects.all():
        assert balance.balance == sum(balance.user.points_entries.values_list("delta", flat=True))


def test_demo_texts_are_about_their_own_community_and_project(city):
    seed_projects(options={"projects": 40}, stdout=io.StringIO())
    feedback_demo.seed_categories()
    demo.seed(options={}, stdout=io.StringIO())
    suggestions = Report.objects.filter(kind=ReportKind.SUGGESTION).select_related("community", "category")
    texts = [s.text for s in suggestions]
    assert texts and len(set(texts)) == len(texts)
    places = feedback_texts.place_names()
    for suggestion in suggestions:
        named = {places[name] for name in places if name in suggestion.text}
        assert named == {suggestion.community.name}, suggestion.text
        assert suggestion.answer.startswith("感谢您的建议，") and suggestion.category.code != "manhole"
    motivations = list(ObserverApplication.objects.values_list("motivation", flat=True))
    assert len(set(motivations)) == len(motivations)
    items = ActionItem.objects.exclude(project=None).select_related("project")
    assert items.count() == 4 and all(item.project.title in item.text for item in items)
    park = CoCreation.objects.select_related("project__community").get(project__category__code="pocket-park")
    for option in park.options.all():
        named = {places[name] for name in places if name in option.text} | {
            c for c in feedback_texts.COMMUNITY_PLACES if c in option.text
        }
        assert named == {park.project.community.name}, option.text
