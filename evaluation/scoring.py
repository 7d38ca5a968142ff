"""The scorecard query: every project in scope weighted, graded and ranked in one SQL statement.

Rules (docs/evaluation.md):
1. Satisfaction part = mean over the responses that count (`SurveyResponseQuerySet.counted`:
   signed-in, invitation code or third-party, not excluded; anonymous ones only if the scheme
   says so and not suspicious) of 17.5 × (satisfaction − 1) + 3 × happiness
   (70 % overall satisfaction on 1–5 → 0–100, 30 % happiness index on 0–10 → 0–100);
   missing when fewer than `scheme.min_responses` responses count. The anonymous answers held
   apart and the excluded ones are counted beside it, for the pages.
2. Acceptance part = the score of the signed-off on-site acceptance; missing when none.
3. Indicators part = mean of every objective and manual indicator score present; missing when none.
4. Total = Σ weight × part / Σ weight over the parts present (missing parts are re-weighted
   away, never counted as zero); no part at all → no total, grade "not rated".
5. Grade from the total rounded to 0.01; ranks (1 = best) within category and district.
"""

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from civicworks.rounding import sql_round
from projects.models import Project

from .models import Grade, IndicatorValue, Inspection, ManualIndicator, ReviewCycle, SurveyResponse

FLOAT = FloatField()


def per_project(queryset: QuerySet, expression, group: str = "project") -> Subquery:
    """A correlated subquery: `expression` aggregated over this project's rows of `queryset`, as a double.

    Cast, because SQLite keeps a whole-number decimal as an integer: SUM and COUNT of whole
    indicator scores were integers there and their mean an integer division ((0 + 100 + 91) / 3
    = 63, not 63.67), while PostgreSQL computed the same data right.
    """
    rows = queryset.filter(**{group: OuterRef("pk")}).values(group).annotate(v=Cast(expression, FLOAT)).values("v")
    return Subquery(rows, output_field=FLOAT)


def scorecard_parts(cycle: ReviewCycle) -> QuerySet:
    """Per project in scope: the survey, acceptance and indicator aggregates, each computed once."""
    answers = SurveyResponse.objects.filter(survey__cycle=cycle)
    responses = answers.counted(cycle.scheme)
    per_response = ExpressionWrapper(17.5 * (F("satisfaction") - 1) + 3.0 * F("happiness"), output_field=FLOAT)
    satisfied = Case(When(satisfaction__gte=4, then=Value(100.0)), default=Value(0.0), output_field=FLOAT)
    objective = IndicatorValue.objects.filter(cycle=cycle, score__isnull=False)
    manual = ManualIndicator.objects.filter(cycle=cycle)
    return Project.objects.filter(review_cycles=cycle).annotate(
        response_count=Coalesce(per_project(responses, Count("id"), "survey__project"), Value(0.0)),
        anonymous_count=Coalesce(
            per_project(answers.held_apart(cycle.scheme), Count("id"), "survey__project"), Value(0.0)
        ),
        excluded_count=Coalesce(per_project(answers.excluded(), Count("id"), "survey__project"), Value(0.0)),
        satisfaction_raw=per_project(responses, Avg(per_response), "survey__project"),
        satisfied_share=per_project(responses, Avg(satisfied), "survey__project"),
        happiness_index=per_project(responses, Avg("happiness"), "survey__project"),
        acceptance_score=per_project(Inspection.objects.filter(cycle=cycle, signed_off_at__isnull=False), Avg("score")),
        indicator_sum=Coalesce(per_project(objective, Sum("score")), Value(0.0))
        + Coalesce(per_project(manual, Sum("score")), Value(0.0)),
        indicator_count=Coalesce(per_project(objective, Count("id")), Value(0.0))
        + Coalesce(per_project(manual, Count("id")), Value(0.0)),
    )


PART_FIELDS = ("response_count", "anonymous_count", "excluded_count", "satisfaction_raw", "satisfied_share",
               "happiness_index", "acceptance_score", "indicator_sum", "indicator_count")  # fmt: skip

# Rules 1 and 3-5 over the parts. A CTE, not chained annotations: an annotation that refers to
# another is inlined with all its subqueries, and total appears in the grade and both ranks, so
# the chained version ran each aggregate ~80 times per project (6.7 s for 500 projects; now ~0.1 s).
# Portable SQL (CAST, not ::): the same statement runs on SQLite, the zero-configuration default.
# Every part is a double on both databases (`per_project`), and the total is rounded by
# PostgreSQL's rule on both (`civicworks.rounding.sql_round`): scores never depend on the database.
SCORECARD_SQL = """
WITH parts AS ({parts}),
scored AS (
  SELECT *, CASE WHEN response_count >= %s THEN satisfaction_raw END AS satisfaction_score,
         indicator_sum / NULLIF(indicator_count, 0.0) AS indicators_score
  FROM parts),
weighted AS (
  SELECT *, (coalesce(satisfaction_score * %s, 0) + coalesce(acceptance_score * %s, 0)
             + coalesce(indicators_score * %s, 0))
            / NULLIF(CASE WHEN satisfaction_score IS NULL THEN 0 ELSE %s END
                     + CASE WHEN acceptance_score IS NULL THEN 0 ELSE %s END
                     + CASE WHEN indicators_score IS NULL THEN 0 ELSE %s END, 0) AS unrounded_total
  FROM scored),
totals AS (SELECT *, {rounded_total} AS total FROM weighted)
SELECT id AS pk, satisfaction_score, acceptance_score, indicators_score, response_count, anonymous_count,
       excluded_count, satisfied_share, happiness_index, total,
       CASE WHEN total IS NULL THEN %s WHEN total >= %s THEN %s WHEN total >= %s THEN %s WHEN total >= %s THEN %s
            ELSE %s END AS grade,
       rank() OVER (PARTITION BY category_id ORDER BY total DESC NULLS LAST, code) AS rank_in_category,
       rank() OVER (PARTITION BY district_id ORDER BY total DESC NULLS LAST, code) AS rank_in_district,
       (SELECT s.total FROM evaluation_scorecard s JOIN evaluation_reviewcycle c ON c.id = s.cycle_id
        WHERE s.project_id = totals.id AND c.year = %s AND c.quarter = %s) AS previous_total
FROM totals
"""


def scorecard_rows(cycle: ReviewCycle) -> list[dict]:
    """Every project in scope weighted, graded and ranked in one SQL statement (rows as dicts)."""
    scheme = cycle.scheme
    parts, params = (
        scorecard_parts(cycle).values("id", "code", "category_id", "district_id", *PART_FIELDS).query.sql_with_params()
    )
    weights = [float(scheme.satisfaction_weight), float(scheme.acceptance_weight), float(scheme.indicators_weight)]
    grades = [Grade.UNRATED, float(scheme.excellent_mark), Grade.EXCELLENT, float(scheme.good_mark), Grade.GOOD,
              float(scheme.pass_mark), Grade.PASS, Grade.FAIL]  # fmt: skip
    params = [*params, float(scheme.min_responses), *weights, *weights, *grades, *cycle.previous_key]
    with connection.cursor() as cursor:
        rounded_total = sql_round("unrounded_total", 2, connection.vendor)
        cursor.execute(SCORECARD_SQL.format(parts=parts, rounded_total=rounded_total), params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


SCORECARD_FIELDS = (
    "satisfaction_score",
    "acceptance_score",
    "indicators_score",
    "response_count",
    "anonymous_count",
    "excluded_count",
    "satisfied_share",
    "happiness_index",
    "total",
    "grade",
    "rank_in_category",
    "rank_in_district",
    "previous_total",
)
