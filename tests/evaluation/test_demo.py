"""The demo: two published quarters with a trend, one open quarter; running it again adds nothing."""

import io

from django.urls import reverse

from civicworks.accounts import demo as accounts_demo
from evaluation import demo
from evaluation.models import CycleState, RectificationOrder, ReviewCycle, Scorecard, SurveyResponse

from .conftest import make_projects

OPTIONS = {"projects": 12, "responses": 240, "seed": 2026}


def test_demo_builds_two_published_quarters_and_is_idempotent(client, lead_department, project, other_project):
    make_projects(10, lead_department)
    accounts_demo.seed(options=OPTIONS, stdout=io.StringIO())
    demo.seed(options=OPTIONS, stdout=io.StringIO())

    states = dict(ReviewCycle.objects.values_list("quarter", "state"))
    assert states == {2: CycleState.PUBLISHED, 3: CycleState.PUBLISHED, 4: CycleState.OPEN}
    assert Scorecard.objects.filter(cycle__quarter=3).count() == 12
    counts = (SurveyResponse.objects.count(), RectificationOrder.objects.count(), Scorecard.objects.count())
    assert counts[0] == 240

    demo.seed(options=OPTIONS, stdout=io.StringIO())
    assert (SurveyResponse.objects.count(), RectificationOrder.objects.count(), Scorecard.objects.count()) == counts

    page = client.get(reverse("evaluation:cycle", args=[2026, 3])).content.decode()
    assert "2026Q2" in page and "2026Q3" in page
    assert "<polyline" in page
