"""The demo step: idempotent, consistent with the demo city."""

import io

from participation import demo
from participation.models import CoCreation, Meeting, Need, NeedProject, PointsBalance, PointsEntry
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
