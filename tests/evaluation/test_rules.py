"""Database constraints and service guardrails that the pages rely on."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from evaluation import services
from evaluation.models import (
    Inspection,
    ManualIndicator,
    OrderStatus,
    ReviewCycle,
    Survey,
    SurveyResponse,
    WeightingScheme,
)

from .conftest import EARLY, answer, inspect


def test_one_response_per_device_and_per_user_in_the_database(cycle, project, resident):
    survey = Survey.objects.get(cycle=cycle, project=project)
    SurveyResponse.objects.create(survey=survey, device_token="abc", satisfaction=4, happiness=7)
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(survey=survey, device_token="abc", satisfaction=5, happiness=9)
    SurveyResponse.objects.create(survey=survey, user=resident, kind="account", satisfaction=4, happiness=7)
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(survey=survey, user=resident, kind="account", satisfaction=5, happiness=9)
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(survey=survey, device_token="xyz", satisfaction=6, happiness=9)


def test_one_cycle_per_quarter_and_ordered_grade_bands(scheme):
    ReviewCycle.objects.create(year=2027, quarter=1, scheme=scheme)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewCycle.objects.create(year=2027, quarter=1, scheme=scheme)
    with pytest.raises(IntegrityError), transaction.atomic():
        WeightingScheme.objects.create(name="乱序", pass_mark=80, good_mark=70)


def test_sign_off_needs_a_score(cycle, project, evaluator):
    inspection = Inspection.objects.create(cycle=cycle, project=project, inspected_on=date(2026, 9, 1))
    with pytest.raises(services.EvaluationError):
        services.inspection_sign_off(inspection=inspection, by=evaluator)
    inspection.refresh_from_db()
    assert inspection.signed_off_at is None


def test_manual_indicator_normalisation(cycle, project):
    def score(target, actual, higher=True):
        return ManualIndicator(
            target=Decimal(target), actual=Decimal(actual), higher_is_better=higher
        ).normalised_score()

    assert score("40", "32") == Decimal("80.00")
    assert score("40", "50") == Decimal("100.00")  # above target is capped
    assert score("0", "5") == Decimal("100.00")
    assert score("2", "1", higher=False) == Decimal("100.00")
    assert score("2", "8", higher=False) == Decimal("25.00")


def test_rectified_order_is_closed_in_the_next_cycle(
    scheme, cycle, project, other_project, evaluator, official, django_capture_on_commit_callbacks
):
    answer(cycle, project, (1, 1), (2, 2))
    inspect(cycle, project, "30", evaluator)
    inspect(cycle, other_project, "90", evaluator)
    services.cycle_compute(cycle=cycle, by=evaluator)
    (order,) = services.orders_issue(cycle=cycle, by=evaluator)
    assert services.orders_issue(cycle=cycle, by=evaluator) == []  # idempotent
    with pytest.raises(services.EvaluationError):
        services.order_verify(order=order, cycle=cycle, by=evaluator, rectified=True, note="")  # same cycle
    services.order_answer(order=order, by=official, response="已整改")
    with django_capture_on_commit_callbacks(execute=True):
        services.cycle_close(cycle=cycle, by=evaluator, reason=EARLY)
    q4 = services.cycle_create(year=2026, quarter=4, by=evaluator, scheme=scheme)
    services.cycle_open(cycle=q4, by=evaluator)
    services.order_verify(order=order, cycle=q4, by=evaluator, rectified=True, note="复查合格")
    order.refresh_from_db()
    assert (order.status, order.verified_in) == (OrderStatus.CLOSED, q4)
    assert not hasattr(order, "accountability")
    with pytest.raises(services.EvaluationError):
        services.order_answer(order=order, by=official, response="再次反馈")


def test_publish_only_after_close(cycle, evaluator):
    with pytest.raises(services.EvaluationError):
        services.cycle_publish(cycle=cycle, by=evaluator)
    with pytest.raises(services.EvaluationError):
        services.cycle_close(cycle=cycle, by=evaluator)  # not computed yet
    cycle.refresh_from_db()
    assert cycle.state == "open"


def test_complaint_change_rule():
    from evaluation.indicators import complaint_change

    assert complaint_change(0, 0).score == Decimal("100.00")
    assert complaint_change(2, 4).score == Decimal("75.00")  # halved
    assert complaint_change(4, 4).score == Decimal("50.00")
    assert complaint_change(9, 4).score == Decimal("0.00")  # more than doubled: clamped
    assert complaint_change(3, 0).score is None  # no baseline: missing, not zero
