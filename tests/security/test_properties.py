"""Hypothesis properties of the rules that must never drift: routing, scoring, money.

Each database property runs its examples inside a savepoint that is rolled back, so every
example starts from the same small city. Examples are bounded and derandomized for CI.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation import indicators
from evaluation.models import IndicatorKind, IndicatorValue, Inspection, ResponseKind, Survey, SurveyResponse
from evaluation.scoring import scorecard_rows
from feedback.models import Report, RoutingRule, ServiceCategory
from feedback.services import report_route
from projects.models import Department, District, Expenditure, Project
from projects.selectors import with_figures
from tests.evaluation.conftest import cycle, scheme  # noqa: F401 — fixtures

PURE = settings(max_examples=300, deadline=None, derandomize=True, database=None)
DB = settings(
    max_examples=40, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
score = st.decimals(min_value=0, max_value=100, places=2)
counts = st.integers(min_value=0, max_value=10_000)


def _total(review_cycle, project) -> float | None:
    """The project's weighted total as the scorecard computation gives it."""
    total = next(row["total"] for row in scorecard_rows(review_cycle) if row["pk"] == project.pk)
    return None if total is None else float(total)


class Rollback(Exception):
    """Raised at the end of an example to undo its rows."""


def in_savepoint(check) -> None:
    try:
        with transaction.atomic():
            check()
            raise Rollback
    except Rollback:
        pass


# --- Scoring: pure normalisation rules -----------------------------------------------------------


@PURE
@given(closed=counts, extra=counts)
def test_rates_are_within_0_100_and_grow_with_the_numerator(closed, extra):
    received = closed + extra
    for rule in (indicators.closure_rate, indicators.on_time_rate, indicators.milestone_punctuality):
        measured = rule(closed, received)
        if received == 0:
            assert measured.score is None
            continue
        assert Decimal(0) <= measured.score <= Decimal(100)
        if extra:
            assert rule(closed + 1, received).score >= measured.score


@PURE
@given(current=counts, previous=counts)
def test_complaint_change_is_within_0_100_and_fewer_complaints_never_score_lower(current, previous):
    measured = indicators.complaint_change(current, previous)
    if measured.score is None:
        assert previous == 0 and current > 0
        return
    assert Decimal(0) <= measured.score <= Decimal(100)
    if current > 0 and previous > 0:
        assert indicators.complaint_change(current - 1, previous).score >= measured.score


@PURE
@given(
    spent=st.decimals(min_value=0, max_value=10**9, places=2),
    budget=st.decimals(min_value=0, max_value=10**9, places=2),
)
def test_budget_execution_score_is_within_0_100_and_peaks_at_the_budget(spent, budget):
    measured = indicators.budget_execution(spent, budget)
    if budget == 0:
        assert measured.score is None
        return
    assert Decimal(0) <= measured.score <= Decimal(100)
    if spent <= budget:
        assert indicators.budget_execution(budget, budget).score >= measured.score


# --- Scoring: the scorecard SQL ------------------------------------------------------------------

weights = st.tuples(*[st.integers(min_value=0, max_value=100)] * 3)
answers = st.lists(st.tuples(st.integers(1, 5), st.integers(0, 10)), max_size=4)


def _score_parts(cycle, project, answers, acceptance, indicator_scores, by) -> None:  # noqa: F811
    survey = Survey.objects.get(cycle=cycle, project=project)
    SurveyResponse.objects.bulk_create(
        # Counted answers (signed-in, code or third party; anonymous ones are held apart).
        SurveyResponse(
            survey=survey,
            kind=ResponseKind.THIRD_PARTY,
            source="import",
            external_ref=f"p{i}",
            satisfaction=s,
            happiness=h,
        )
        for i, (s, h) in enumerate(answers)
    )
    if acceptance is not None:
        Inspection.objects.create(
            cycle=cycle,
            project=project,
            inspected_on=date(2026, 9, 1),
            score=acceptance,
            signed_off_at=cycle.opened_at,
            signed_off_by=by,
        )
    kinds = list(IndicatorKind.values)
    IndicatorValue.objects.bulk_create(
        IndicatorValue(cycle=cycle, project=project, kind=kinds[i], score=s) for i, s in enumerate(indicator_scores)
    )


def _expected(scheme, answers, acceptance, indicator_scores) -> tuple[float | None, list[float]]:  # noqa: F811
    parts = []
    if len(answers) >= scheme.min_responses:
        parts.append(
            (float(scheme.satisfaction_weight), sum(17.5 * (s - 1) + 3 * h for s, h in answers) / len(answers))
        )
    if acceptance is not None:
        parts.append((float(scheme.acceptance_weight), float(acceptance)))
    if indicator_scores:
        parts.append((float(scheme.indicators_weight), float(sum(indicator_scores)) / len(indicator_scores)))
    total_weight = sum(w for w, _ in parts)
    if not total_weight:
        return None, []
    return sum(w * p for w, p in parts) / total_weight, [p for w, p in parts if w]


@pytest.mark.django_db
@DB
@given(w=weights, answers=answers, acceptance=st.none() | score, indicator_scores=st.lists(score, max_size=3))
def test_the_total_is_the_reweighted_mean_of_the_parts_present(
    cycle,  # noqa: F811
    evaluator,
    project,
    w,
    answers,
    acceptance,
    indicator_scores,
):
    def check():
        cycle.scheme.satisfaction_weight, cycle.scheme.acceptance_weight, cycle.scheme.indicators_weight = w
        cycle.scheme.save()
        _score_parts(cycle, project, answers, acceptance, indicator_scores, evaluator)
        total = _total(cycle, project)
        expected, present = _expected(cycle.scheme, answers, acceptance, indicator_scores)
        if expected is None:
            assert total is None
            return
        assert total == pytest.approx(expected, abs=0.006)
        assert 0 <= total <= 100 and min(present) - 0.006 <= total <= max(present) + 0.006

    in_savepoint(check)


@pytest.mark.django_db
@DB
@given(acceptance=st.decimals(min_value=0, max_value=99, places=2), more=st.decimals(min_value="0.01", max_value=1, places=2),
       indicator_scores=st.lists(score, max_size=3))  # fmt: skip
def test_a_better_part_never_lowers_the_total(cycle, evaluator, project, acceptance, more, indicator_scores):  # noqa: F811
    def check():
        _score_parts(cycle, project, [], acceptance, indicator_scores, evaluator)
        before = _total(cycle, project)
        Inspection.objects.filter(cycle=cycle, project=project).update(score=acceptance + more)
        assert _total(cycle, project) >= before

    in_savepoint(check)


# --- Routing -------------------------------------------------------------------------------------


@pytest.mark.django_db
@DB
@given(data=st.data(), about_project=st.booleans(), with_rule=st.booleans(), category_has_department=st.booleans())
def test_every_report_routes_to_exactly_one_department_by_precedence(
    categories, project, data, about_project, with_rule, category_has_department
):
    def check():
        category = data.draw(st.sampled_from(sorted(ServiceCategory.objects.all(), key=lambda c: c.code)))
        district = data.draw(st.sampled_from(sorted(District.objects.all(), key=lambda d: d.code)))
        departments = list(Department.objects.order_by("pk"))
        rule_department = data.draw(st.sampled_from(departments))
        if with_rule:
            RoutingRule.objects.update_or_create(
                category=category, district=district, defaults={"department": rule_department}
            )
        else:
            RoutingRule.objects.filter(category=category, district=district).delete()
        if not category_has_department:
            ServiceCategory.objects.filter(pk=category.pk).update(department=None)
        category.refresh_from_db()
        report = Report(category=category, district=district, text="x", project=project if about_project else None)
        route = report_route(report=report)
        if about_project:
            expected = project.lead_unit
        elif with_rule:
            expected = rule_department
        elif category_has_department:
            expected = category.department
        else:
            expected = Department.objects.get(is_default_desk=True)
        assert route.department == expected and isinstance(route.department, Department)

    in_savepoint(check)


# --- Money ---------------------------------------------------------------------------------------

amounts = st.lists(st.decimals(min_value="0.01", max_value=10**8, places=2), max_size=8)


@pytest.mark.django_db
@DB
@given(amounts=amounts, budget=st.decimals(min_value=0, max_value=10**9, places=2))
def test_spending_sums_never_lose_a_cent_and_the_execution_rate_is_bounded(project, amounts, budget):
    def check():
        Project.objects.filter(pk=project.pk).update(budget=budget)
        Expenditure.objects.bulk_create(
            Expenditure(project=project, date=date(2026, 6, 1), amount=a, payee="锦川建工", purpose="材料款")
            for a in amounts
        )
        figures = with_figures(Project.objects.filter(pk=project.pk)).get()
        spent = sum(amounts, Decimal("0"))
        assert figures.spent == spent and figures.remaining == budget - spent
        assert figures.over_budget == (spent > budget)
        if budget == 0:
            assert figures.execution_rate is None
        else:
            assert figures.execution_rate == pytest.approx(spent * 100 / budget, rel=Decimal("1e-9"))
            assert figures.execution_rate >= 0 and (figures.execution_rate <= 100) == (spent <= budget)

    in_savepoint(check)
