"""The scorecard query: every project in scope weighted, graded and ranked in one SQL statement.

Rules (docs/evaluation.md):
1. Satisfaction part = mean over responses of 17.5 × (satisfaction − 1) + 3 × happiness
   (70 % overall satisfaction on 1–5 → 0–100, 30 % happiness index on 0–10 → 0–100);
   missing when the survey has fewer than `scheme.min_responses` responses.
2. Acceptance part = the score of the signed-off on-site acceptance; missing when none.
3. Indicators part = mean of every objective and manual indicator score present; missing when none.
4. Total = Σ weight × part / Σ weight over the parts present (missing parts are re-weighted
   away, never counted as zero); no part at all → no total, grade "not rated".
5. Grade from the total rounded to 0.01; ranks (1 = best) within category and district.
"""

from django.db.models import (
    Avg,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, NullIf, Rank, Round

from projects.models import Project

from .models import Grade, IndicatorValue, Inspection, ManualIndicator, ReviewCycle, Scorecard, SurveyResponse

FLOAT = FloatField()


def per_project(queryset: QuerySet, expression, group: str = "project") -> Subquery:
    """A correlated subquery: `expression` aggregated over this project's rows of `queryset`."""
    rows = queryset.filter(**{group: OuterRef("pk")}).values(group).annotate(v=expression).values("v")
    return Subquery(rows, output_field=FLOAT)


def weighted(part: str, weight) -> tuple:
    """(weight × part or 0, weight or 0): the numerator and denominator terms of one part."""
    present = Q(**{f"{part}__isnull": False})
    return (
        Coalesce(F(part) * Value(float(weight)), Value(0.0), output_field=FLOAT),
        Case(When(present, then=Value(float(weight))), default=Value(0.0), output_field=FLOAT),
    )


def grade_case(scheme) -> Case:
    return Case(
        When(total__isnull=True, then=Value(Grade.UNRATED)),
        When(total__gte=float(scheme.excellent_mark), then=Value(Grade.EXCELLENT)),
        When(total__gte=float(scheme.good_mark), then=Value(Grade.GOOD)),
        When(total__gte=float(scheme.pass_mark), then=Value(Grade.PASS)),
        default=Value(Grade.FAIL),
    )


def rank_within(field: str) -> Window:
    return Window(Rank(), partition_by=[F(field)], order_by=[F("total").desc(nulls_last=True), F("code").asc()])


def scorecard_queryset(cycle: ReviewCycle) -> QuerySet:
    scheme = cycle.scheme
    responses = SurveyResponse.objects.filter(survey__cycle=cycle)
    per_response = ExpressionWrapper(17.5 * (F("satisfaction") - 1) + 3.0 * F("happiness"), output_field=FLOAT)
    satisfied = Case(When(satisfaction__gte=4, then=Value(100.0)), default=Value(0.0), output_field=FLOAT)
    objective = IndicatorValue.objects.filter(cycle=cycle, score__isnull=False)
    manual = ManualIndicator.objects.filter(cycle=cycle)
    prev_year, prev_quarter = cycle.previous_key
    previous = Scorecard.objects.filter(cycle__year=prev_year, cycle__quarter=prev_quarter, project=OuterRef("pk"))
    qs = (
        Project.objects.filter(review_cycles=cycle)
        .annotate(
            response_count=Coalesce(per_project(responses, Count("id"), "survey__project"), Value(0.0)),
            satisfaction_raw=per_project(responses, Avg(per_response), "survey__project"),
            satisfied_share=per_project(responses, Avg(satisfied), "survey__project"),
            happiness_index=per_project(responses, Avg("happiness"), "survey__project"),
            acceptance_score=per_project(
                Inspection.objects.filter(cycle=cycle, signed_off_at__isnull=False), Avg("score")
            ),
            indicator_sum=Coalesce(per_project(objective, Sum("score")), Value(0.0))
            + Coalesce(per_project(manual, Sum("score")), Value(0.0)),
            indicator_count=Coalesce(per_project(objective, Count("id")), Value(0.0))
            + Coalesce(per_project(manual, Count("id")), Value(0.0)),
        )
        .annotate(
            satisfaction_score=Case(
                When(response_count__gte=scheme.min_responses, then=F("satisfaction_raw")),
                default=None,
                output_field=FLOAT,
            ),
            indicators_score=ExpressionWrapper(
                F("indicator_sum") / NullIf(F("indicator_count"), 0.0), output_field=FLOAT
            ),
        )
    )
    parts = [
        weighted("satisfaction_score", scheme.satisfaction_weight),
        weighted("acceptance_score", scheme.acceptance_weight),
        weighted("indicators_score", scheme.indicators_weight),
    ]
    numerator = parts[0][0] + parts[1][0] + parts[2][0]
    denominator = parts[0][1] + parts[1][1] + parts[2][1]
    qs = qs.annotate(total=Round(ExpressionWrapper(numerator / NullIf(denominator, 0.0), output_field=FLOAT), 2))
    return qs.annotate(
        grade=grade_case(scheme),
        rank_in_category=rank_within("category_id"),
        rank_in_district=rank_within("district_id"),
        previous_total=Subquery(previous.values("total")[:1]),
    )


SCORECARD_FIELDS = (
    "satisfaction_score",
    "acceptance_score",
    "indicators_score",
    "response_count",
    "satisfied_share",
    "happiness_index",
    "total",
    "grade",
    "rank_in_category",
    "rank_in_district",
    "previous_total",
)
