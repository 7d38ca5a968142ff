"""Scores and grades against values computed by hand (docs/evaluation.md has the rules)."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civicworks.rounding import round_half_up, sql_round
from evaluation import services
from evaluation.models import Grade, IndicatorKind, IndicatorValue, ManualIndicator, Scorecard, as_score
from feedback.models import Report, ReportKind, ServiceCategory
from projects.models import Community, Expenditure, Milestone
from tests import factories

from .conftest import EARLY, answer, inspect

D = Decimal


def spend_and_plan(project):
    Expenditure.objects.create(
        project=project, date=date(2026, 8, 1), amount=D("600000"), payee="施工方", purpose="进度款"
    )
    Expenditure.objects.create(
        project=project, date=date(2026, 10, 15), amount=D("100000"), payee="施工方", purpose="下季度"
    )
    Milestone.objects.create(
        project=project, title="开工", planned_date=date(2026, 7, 1), actual_date=date(2026, 6, 30)
    )
    Milestone.objects.create(
        project=project, title="主体完工", planned_date=date(2026, 9, 1), actual_date=date(2026, 9, 10)
    )
    Milestone.objects.create(project=project, title="验收", planned_date=date(2026, 11, 30))


def setup_quarter(cycle, project, other_project, evaluator):
    spend_and_plan(project)
    ManualIndicator.objects.create(
        cycle=cycle, project=project, name="绿化覆盖率", unit="%", target=D("40"), actual=D("32")
    )
    # Per response 17.5 × (s − 1) + 3 × h: 97, 76.5, 53 → mean 75.5.
    answer(cycle, project, (5, 9), (4, 8), (3, 6))
    answer(cycle, other_project, (5, 10))  # one response: below min_responses (2), so missing
    inspect(cycle, project, "80", evaluator)
    inspect(cycle, other_project, "70", evaluator)


def test_weighted_score_grade_and_reweighting(cycle, project, other_project, evaluator):
    setup_quarter(cycle, project, other_project, evaluator)

    services.cycle_compute(cycle=cycle, by=evaluator)

    card = Scorecard.objects.get(cycle=cycle, project=project)
    # Indicators: complaints 0→0 = 100, budget 600k/1.2M = 50, milestones 1 of 2 on time = 50,
    # green coverage 32/40 = 80; closure and on-time have no report: absent → mean 70.
    assert card.indicators_score == D("70.00")
    assert card.satisfaction_score == D("75.50")
    assert card.acceptance_score == D("80.00")
    assert card.satisfied_share == D("66.67")
    # 0.4 × 75.5 + 0.3 × 80 + 0.3 × 70 = 75.2
    assert card.total == D("75.20")
    assert card.grade == Grade.GOOD

    other = Scorecard.objects.get(cycle=cycle, project=other_project)
    assert other.satisfaction_score is None  # too few responses: missing, not zero
    assert other.response_count == 1
    # Indicators: complaints 100, budget 0 of 300k = 0 → 50. Satisfaction re-weighted away:
    # (30 × 70 + 30 × 50) / 60 = 60 → exactly the pass mark.
    assert other.indicators_score == D("50.00")
    assert other.total == D("60.00")
    assert other.grade == Grade.PASS
    assert (card.rank_in_category, card.rank_in_district) == (1, 1)


def test_a_project_without_any_part_is_not_rated(cycle, project, other_project, evaluator):
    other_project.budget = D("0")
    other_project.save()
    IndicatorValue.objects.all().delete()
    services.cycle_compute(cycle=cycle, by=evaluator)
    card = Scorecard.objects.get(cycle=cycle, project=other_project)
    # Only the complaints indicator (0→0 = 100) exists: the total is that part alone.
    assert card.total == D("100.00")
    assert card.indicators_score == D("100.00")


def at(y, m, d, h=10):
    return timezone.make_aware(datetime(y, m, d, h))


def test_report_based_indicators(cycle, project, other_project, evaluator, lead_department):
    setup_quarter(cycle, project, other_project, evaluator)
    category = ServiceCategory.objects.create(code="lift", name="电梯", department=lead_department)
    wangjiang = project.community
    elsewhere = Community.objects.get(name="柳荫社区")

    def report(
        submitted, *, linked=True, community=wangjiang, resolved=None, due=None, kind=ReportKind.PROBLEM, status=None
    ):
        return Report.objects.create(
            category=category,
            text="电梯施工噪音扰民",
            kind=kind,
            project=project if linked else None,
            district=community.district,
            community=community,
            submitted_at=submitted,
            resolved_at=resolved,
            due_at=due,
            status=status or ("closed" if resolved else "submitted"),
        )

    for day in (5, 10, 15, 20):  # Q2: four complaints about the project
        report(at(2026, 5, day))
    report(at(2026, 7, 3), resolved=at(2026, 7, 4), due=at(2026, 7, 5))  # closed on time
    report(at(2026, 8, 3), resolved=at(2026, 8, 9), due=at(2026, 8, 5))  # closed late
    report(at(2026, 9, 3), linked=False)  # unlinked, same community: counts, still open
    report(at(2026, 9, 4), linked=False, community=elsewhere)  # another community: ignored
    # Two questions: one answered on time, one answered but reopened by the resident (not closed).
    report(at(2026, 9, 5), kind=ReportKind.QUESTION, resolved=at(2026, 9, 6), due=at(2026, 9, 7))
    report(at(2026, 9, 8), kind=ReportKind.QUESTION, resolved=at(2026, 9, 9), due=at(2026, 9, 10), status="reopened")

    services.cycle_compute(cycle=cycle, by=evaluator)

    values = {v.kind: v for v in IndicatorValue.objects.filter(cycle=cycle, project=project)}
    assert values[IndicatorKind.COMPLAINT_CHANGE].raw_value == D("-25.00")  # 4 → 3
    assert values[IndicatorKind.COMPLAINT_CHANGE].score == D("62.50")  # 50 + 25/2
    assert values[IndicatorKind.CLOSURE_RATE].score == D("60.00")  # 3 of 5 (the reopened one is not closed)
    assert values[IndicatorKind.ON_TIME_RATE].score == D("66.67")  # 2 of 3
    card = Scorecard.objects.get(cycle=cycle, project=project)
    # (62.5 + 60 + 66.67 + 50 + 50 + 80) / 6 = 61.5283; 0.4 × 75.5 + 0.3 × 80 + 0.3 × 61.5283 = 72.6585
    assert card.indicators_score == D("61.53")
    assert card.total == D("72.66")
    assert card.grade == Grade.PASS


def test_recomputing_changes_nothing(cycle, project, other_project, evaluator):
    setup_quarter(cycle, project, other_project, evaluator)
    services.cycle_compute(cycle=cycle, by=evaluator)
    first = list(Scorecard.objects.order_by("pk").values())
    indicators = list(IndicatorValue.objects.order_by("pk").values())

    services.cycle_compute(cycle=cycle, by=evaluator)

    assert list(Scorecard.objects.order_by("pk").values()) == first
    assert list(IndicatorValue.objects.order_by("pk").values()) == indicators
    assert Scorecard.objects.count() == 2


def test_change_against_last_quarter(scheme, cycle, project, other_project, evaluator):
    setup_quarter(cycle, project, other_project, evaluator)
    services.cycle_compute(cycle=cycle, by=evaluator)
    services.cycle_close(cycle=cycle, by=evaluator, reason=EARLY)
    q4 = services.cycle_create(year=2026, quarter=4, by=evaluator, scheme=scheme)
    q4.projects.set([project])
    services.cycle_open(cycle=q4, by=evaluator)
    answer(q4, project, (5, 10), (5, 10))  # 100 each
    inspect(q4, project, "90", evaluator)

    services.cycle_compute(cycle=q4, by=evaluator)

    card = Scorecard.objects.get(cycle=q4, project=project)
    assert card.previous_total == D("75.20")
    assert card.change == card.total - D("75.20")


def test_grade_bands(cycle, project, other_project, evaluator):
    for target, expected in (("90", Grade.EXCELLENT), ("89.99", Grade.GOOD), ("59.99", Grade.FAIL)):
        ManualIndicator.objects.update_or_create(
            cycle=cycle, project=project, name="亮灯率", defaults={"target": D("100"), "actual": D(target)}
        )
        # Only the manual indicator and the complaints indicator (100) … so pin them alone:
        project.budget = D("0")
        project.save()
        services.cycle_compute(cycle=cycle, by=evaluator)
        IndicatorValue.objects.filter(cycle=cycle, project=project).update(score=None)
        from evaluation.services import scorecards_store

        scorecards_store(cycle=cycle)
        card = Scorecard.objects.get(cycle=cycle, project=project)
        assert card.total == D(target)
        assert card.grade == expected


def counted_compute(cycle, evaluator) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        services.cycle_compute(cycle=cycle, by=evaluator)
    # SQLite caps a statement at 999 parameters, so Django splits a bulk INSERT into batches
    # there; PostgreSQL sends one statement. Every other query is counted as is.
    batched = connection.vendor == "sqlite"
    return [q["sql"].split()[0] for q in context.captured_queries if not (batched and q["sql"].startswith("INSERT"))]


def test_scorecard_query_count_does_not_grow(cycle, evaluator, lead_department, django_assert_max_num_queries):
    cycle.projects.add(*factories.projects(5, lead_unit=lead_department))
    services.surveys_ensure(cycle=cycle)
    with_7 = counted_compute(cycle, evaluator)

    more = factories.projects(45, lead_unit=lead_department)
    cycle.projects.add(*more)
    services.surveys_ensure(cycle=cycle)
    for p in more[:3]:
        answer(cycle, p, (4, 7), (5, 8))
    with django_assert_max_num_queries(20):
        with_52 = counted_compute(cycle, evaluator)

    assert with_52 == with_7
    assert Scorecard.objects.filter(cycle=cycle).count() == 52
    ranks = sorted(Scorecard.objects.filter(cycle=cycle, project__in=more).values_list("rank_in_category", flat=True))
    assert ranks[0] == 1 and ranks[-1] <= 52


def test_whole_number_indicator_scores_are_averaged_not_divided_as_integers(cycle, project, other_project, evaluator):
    """The demo's MX-2026-014: indicators 0, 100 and 91 are 63.67 on every database, not 63.

    SQLite keeps a whole-number decimal as an integer, so SUM / COUNT was an integer division
    there (63.00 and total 59.85, a failing grade) while PostgreSQL gave 63.67 and 60.18.
    """
    services.cycle_compute(cycle=cycle, by=evaluator)
    IndicatorValue.objects.filter(cycle=cycle, project=project).delete()
    IndicatorValue.objects.create(cycle=cycle, project=project, kind=IndicatorKind.BUDGET_EXECUTION, score=D("0"))
    IndicatorValue.objects.create(cycle=cycle, project=project, kind=IndicatorKind.COMPLAINT_CHANGE, score=D("100"))
    # A manual indicator beside objective ones: both sums whole numbers (91 of 100 lamps lit).
    ManualIndicator.objects.create(cycle=cycle, project=project, name="亮灯率", target=D("100"), actual=D("91"))
    inspect(cycle, project, "57", evaluator)  # a whole-number acceptance too
    answer(cycle, project, (4, 6), (3, 5))  # 70.5 and 50 → 60.25

    services.scorecards_store(cycle=cycle)

    card = Scorecard.objects.get(cycle=cycle, project=project)
    assert card.indicators_score == D("63.67")
    assert card.acceptance_score == D("57.00")
    assert card.satisfaction_score == D("60.25")
    # 0.4 × 60.25 + 0.3 × 57 + 0.3 × 63.6667 = 60.3
    assert card.total == D("60.30")
    assert card.grade == Grade.PASS


def test_a_project_with_whole_number_indicators_alone_is_graded_on_the_exact_mean(
    cycle, project, other_project, evaluator
):
    """Indicators 59, 60, 60 → 59.67 and 60, 60, 61 → 60.33 (integer division made them 59 and 60)."""
    services.cycle_compute(cycle=cycle, by=evaluator)
    IndicatorValue.objects.filter(cycle=cycle).delete()
    kinds = (IndicatorKind.BUDGET_EXECUTION, IndicatorKind.COMPLAINT_CHANGE)
    for p, scores in ((project, ("59", "60", "60")), (other_project, ("60", "60", "61"))):
        for kind, score in zip(kinds, scores[:2], strict=True):
            IndicatorValue.objects.create(cycle=cycle, project=p, kind=kind, score=D(score))
        ManualIndicator.objects.create(cycle=cycle, project=p, name="绿化覆盖率", target=D("100"), actual=D(scores[2]))

    services.scorecards_store(cycle=cycle)

    cards = {c.project_id: c for c in Scorecard.objects.filter(cycle=cycle)}
    assert (cards[project.pk].total, cards[project.pk].grade) == (D("59.67"), Grade.FAIL)
    assert (cards[other_project.pk].total, cards[other_project.pk].grade) == (D("60.33"), Grade.PASS)


def test_the_total_is_rounded_half_up_on_every_database(cycle, project, other_project, evaluator):
    """Acceptance 1.99 and indicators 74.38: (30 × 1.99 + 30 × 74.38) / 60 = 38.185 exactly → 38.19.

    In floating point the sum is 38.18499999999999; PostgreSQL reads it to 15 digits (38.185)
    and rounds half up, SQLite's round() cut it to 38.18.
    """
    services.cycle_compute(cycle=cycle, by=evaluator)
    IndicatorValue.objects.filter(cycle=cycle, project=project).delete()
    IndicatorValue.objects.create(cycle=cycle, project=project, kind=IndicatorKind.CLOSURE_RATE, score=D("74.38"))
    inspect(cycle, project, "1.99", evaluator)

    services.scorecards_store(cycle=cycle)

    card = Scorecard.objects.get(cycle=cycle, project=project)
    assert (card.acceptance_score, card.indicators_score, card.satisfaction_score) == (D("1.99"), D("74.38"), None)
    assert card.total == D("38.19")


def test_sql_rounding_is_postgresqls_rule_on_this_database(db):
    """civicworks_round (SQLite) and round(CAST(… AS NUMERIC)) (PostgreSQL) agree with round_half_up."""
    values = [38.18499999999999, 78.71499999999997, 35.32499999999999, 0.285, 1.005, 2.675, 60.175, 99.995, 59.995]
    with connection.cursor() as cursor:
        for value in values:
            cursor.execute(f"SELECT {sql_round('CAST(%s AS DOUBLE PRECISION)', 2, connection.vendor)}", [value])
            assert (
                as_score(cursor.fetchone()[0])
                == round_half_up(value)
                == D(f"{value:.3f}").quantize(D("0.01"), ROUND_HALF_UP)
            )
        cursor.execute(f"SELECT {sql_round('CAST(NULL AS DOUBLE PRECISION)', 2, connection.vendor)}")
        assert cursor.fetchone()[0] is None


def test_the_budget_basis_reads_the_same_on_every_database(cycle, project, other_project, evaluator):
    """The basis of budget execution read "600000/1200000.00" on SQLite (a float sum) and
    "600000.00/1200000.00" on PostgreSQL."""
    spend_and_plan(project)

    services.cycle_compute(cycle=cycle, by=evaluator)

    budget = IndicatorValue.objects.get(cycle=cycle, project=project, kind=IndicatorKind.BUDGET_EXECUTION)
    assert (budget.basis, budget.raw_value, budget.score) == ("600000.00/1200000.00", D("50.00"), D("50.00"))
