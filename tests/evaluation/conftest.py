"""A small quarter to evaluate: 2026 Q3, the default scheme, the two conftest projects in scope."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from civicworks.accounts.models import Role, User
from evaluation import services
from evaluation.models import (
    Inspection,
    InvitationCode,
    ResponseKind,
    ReviewCycle,
    Survey,
    SurveyResponse,
    WeightingScheme,
)
from projects.models import Project
from tests import factories

# The fixture's survey is still open (and the current quarter not over): closing early needs a reason.
EARLY = "第三方测评已按计划完成，提前通报结果"


@pytest.fixture
def scheme(db) -> WeightingScheme:
    return factories.weighting_scheme(min_responses=2)


@pytest.fixture
def cycle(scheme, evaluator, project, other_project) -> ReviewCycle:
    cycle = factories.review_cycle(year=2026, quarter=3, scheme=scheme)
    cycle.projects.set([project, other_project])
    # A past quarter, reviewed late: keep its survey open for the residents' tests.
    cycle.survey_closes_on = timezone.localdate() + timedelta(days=30)
    cycle.save()
    return services.cycle_open(cycle=cycle, by=evaluator)


def answer(cycle: ReviewCycle, project: Project, *pairs: tuple[int, int]) -> None:
    """Answers that count: residents with invitation codes (anonymous ones are held apart, see test_survey_integrity)."""
    survey = Survey.objects.get(cycle=cycle, project=project)
    by = User.objects.filter(role=Role.EVALUATOR).first()
    codes = InvitationCode.objects.bulk_create(
        InvitationCode(survey=survey, code=InvitationCode.generate(), created_by=by, used_at=timezone.now())
        for _pair in pairs
    )
    SurveyResponse.objects.bulk_create(
        SurveyResponse(survey=survey, kind=ResponseKind.CODE, invitation=code, satisfaction=s, happiness=h)
        for code, (s, h) in zip(codes, pairs, strict=True)
    )


def inspect(cycle: ReviewCycle, project: Project, score: str, by) -> Inspection:
    inspection = Inspection.objects.create(
        cycle=cycle, project=project, inspected_on=date(2026, 9, 20), representative_count=3, score=Decimal(score)
    )
    return services.inspection_sign_off(inspection=inspection, by=by)


@pytest.fixture(autouse=True)
def _english():
    """Messages asserted in English (the site default is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Department reports are written to a throwaway media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
