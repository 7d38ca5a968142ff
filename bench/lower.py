"""Lower bounds: one hand-written SQL statement through psycopg, fetching the same data, plus json.dumps.

Each function returns the JSON text, so its cost includes moving the rows into Python and
encoding them, as the endpoint must; nothing else (no framework, no HTTP).
"""

import json
from datetime import timedelta

OPEN_STAGES = ("planned", "approved", "design", "tendering", "construction", "acceptance")

MAP_POINTS = """
SELECT p.code, p.title, p.stage, p.percent_complete, p.expected_completion, p.latitude, p.longitude,
       c.name, d.name
FROM projects_project p
JOIN projects_projectcategory c ON c.id = p.category_id
JOIN projects_district d ON d.id = p.district_id
WHERE p.is_public AND p.longitude BETWEEN %s AND %s AND p.latitude BETWEEN %s AND %s
LIMIT %s
"""

MAP_CLUSTERS = """
SELECT count(*), avg(latitude), avg(longitude)
FROM projects_project
WHERE is_public AND longitude BETWEEN %s AND %s AND latitude BETWEEN %s AND %s
GROUP BY floor(longitude / %s), floor(latitude / %s)
"""

LIST_PAGE = """
SELECT p.code, p.title, p.year, p.stage, p.percent_complete, c.code, c.name, d.code, d.name, cm.name, l.name,
       p.latitude, p.longitude, p.planned_start, p.planned_end, p.expected_completion, p.actual_completion,
       p.budget, p.last_progress_at,
       (SELECT coalesce(sum(e.amount), 0) FROM projects_expenditure e WHERE e.project_id = p.id) AS spent,
       (SELECT coalesce(sum(a.amount), 0) FROM projects_budgetallocation a WHERE a.project_id = p.id),
       CASE WHEN p.stage IN %s THEN (SELECT count(*) FROM projects_milestone m WHERE m.project_id = p.id
            AND m.actual_date IS NULL AND m.planned_date < current_date) ELSE 0 END,
       count(*) OVER ()
FROM projects_project p
JOIN projects_projectcategory c ON c.id = p.category_id
JOIN projects_district d ON d.id = p.district_id
JOIN projects_department l ON l.id = p.lead_unit_id
LEFT JOIN projects_community cm ON cm.id = p.community_id
WHERE p.is_public {where}
ORDER BY p.year DESC, p.code
LIMIT 50 OFFSET %s
"""

DETAIL = """
SELECT p.code, p.title, p.description, p.year, p.stage, p.percent_complete, p.budget, p.funding_sources,
       p.beneficiaries, p.latitude, p.longitude, p.planned_start, p.planned_end, p.expected_completion,
       c.name, d.name, l.name,
       (SELECT coalesce(sum(amount), 0) FROM projects_expenditure WHERE project_id = p.id),
       (SELECT coalesce(sum(amount), 0) FROM projects_budgetallocation WHERE project_id = p.id),
       (SELECT json_agg(n.name) FROM projects_project_co_organisers co
          JOIN projects_department n ON n.id = co.department_id WHERE co.project_id = p.id),
       (SELECT json_agg(x) FROM (SELECT r.role, r.name, r.title, r.contact_is_public, r.phone, r.email
          FROM projects_responsibleperson r WHERE r.project_id = p.id ORDER BY r.role, r.name) x),
       (SELECT json_agg(x) FROM (SELECT id, title, planned_date, actual_date, "order"
          FROM projects_milestone WHERE project_id = p.id ORDER BY "order", planned_date) x),
       (SELECT json_agg(x) FROM (SELECT id, created_at, stage, percent_complete, text
          FROM projects_progressupdate WHERE project_id = p.id ORDER BY created_at DESC LIMIT 10) x),
       (SELECT json_agg(x) FROM (SELECT date, amount, source
          FROM projects_budgetallocation WHERE project_id = p.id ORDER BY date) x),
       (SELECT json_agg(x) FROM (SELECT id, date, amount, payee, purpose, voucher_number
          FROM projects_expenditure WHERE project_id = p.id ORDER BY date DESC, id DESC LIMIT %s) x)
FROM projects_project p
JOIN projects_projectcategory c ON c.id = p.category_id
JOIN projects_district d ON d.id = p.district_id
JOIN projects_department l ON l.id = p.lead_unit_id
WHERE p.code = %s AND p.is_public
"""

# The project's page is a hub: besides the project, the panels of four other apps (projects.panels).
# The same answer in one statement: DETAIL's columns and each panel's rows.
PANELS = """,
       (SELECT json_agg(x) FROM (SELECT s.*, c.year, c.quarter FROM evaluation_scorecard s
          JOIN evaluation_reviewcycle c ON c.id = s.cycle_id
          WHERE s.project_id = p.id AND c.state = 'published' ORDER BY c.year, c.quarter) x),
       (SELECT json_agg(x) FROM (SELECT v.token, c.year, c.quarter, c.survey_closes_on FROM evaluation_survey v
          JOIN evaluation_reviewcycle c ON c.id = v.cycle_id
          WHERE v.project_id = p.id AND c.state = 'open' ORDER BY c.year DESC, c.quarter DESC) x),
       (SELECT json_agg(x) FROM (SELECT o.*, c.year, c.quarter, dep.name, a.person, a.reason, a.recorded_at
          FROM evaluation_rectificationorder o JOIN evaluation_reviewcycle c ON c.id = o.cycle_id
          JOIN projects_department dep ON dep.id = o.department_id
          LEFT JOIN evaluation_accountabilityrecord a ON a.order_id = o.id
          WHERE o.project_id = p.id AND c.state = 'published' ORDER BY c.year DESC, c.quarter DESC) x),
       (SELECT json_object_agg(status, n) FROM (SELECT status, count(*) AS n FROM feedback_report
          WHERE project_id = p.id AND NOT is_hidden GROUP BY status) x),
       (SELECT json_agg(x) FROM (SELECT r.tracking_code, r.kind, r.status, r.submitted_at, r.text, r.text_is_public,
          sc.name FROM feedback_report r JOIN feedback_servicecategory sc ON sc.id = r.category_id
          WHERE r.project_id = p.id AND NOT r.is_hidden ORDER BY r.submitted_at DESC, r.id DESC LIMIT 5) x),
       (SELECT json_agg(x) FROM (SELECT n.id, n.title, n.status, n.created_at,
          (SELECT count(*) FROM participation_needsupport u WHERE u.need_id = n.id) AS supports
          FROM participation_need n JOIN participation_needproject np ON np.need_id = n.id
          WHERE np.project_id = p.id AND NOT n.is_hidden ORDER BY n.created_at DESC) x),
       (SELECT row_to_json(x) FROM (SELECT cc.*, w.title FROM participation_cocreation cc
          LEFT JOIN participation_designoption w ON w.id = cc.winner_id
          WHERE cc.project_id = p.id ORDER BY cc.opens_at DESC LIMIT 1) x)
FROM projects_project p"""

# Every input number of a quarter's scorecards: report counts (linked to the project, or unlinked
# in its community, else district), spending and milestones by the quarter's end, survey,
# acceptance and manual indicators. The product also normalises, weights, ranks and upserts them.
SCORECARD_INPUTS = """
WITH scope AS (
  SELECT p.id, p.district_id, p.community_id, p.budget FROM projects_project p
  JOIN evaluation_reviewcycle_projects s ON s.project_id = p.id WHERE s.reviewcycle_id = %(cycle)s),
linked AS (
  SELECT project_id, COUNTS
  FROM feedback_report
  WHERE submitted_at >= %(prev_start)s AND submitted_at < %(end)s AND project_id IN (SELECT id FROM scope)
  GROUP BY project_id),
area AS (
  SELECT district_id, community_id, COUNTS
  FROM feedback_report
  WHERE submitted_at >= %(prev_start)s AND submitted_at < %(end)s AND project_id IS NULL
  GROUP BY district_id, community_id),
district_area AS (
  SELECT district_id, sum(complaints) AS complaints, sum(complaints_before) AS complaints_before,
         sum(received) AS received, sum(handled) AS handled, sum(on_time) AS on_time
  FROM area GROUP BY district_id),
spent AS (SELECT project_id, sum(amount) AS spent FROM projects_expenditure
          WHERE project_id IN (SELECT id FROM scope) AND date < %(end)s GROUP BY project_id),
ms AS (SELECT project_id, count(*) AS due,
              count(*) FILTER (WHERE actual_date <= planned_date) AS on_time
       FROM projects_milestone WHERE project_id IN (SELECT id FROM scope) AND planned_date < %(end)s
       GROUP BY project_id),
survey AS (SELECT v.project_id, count(*) FILTER (WHERE COUNTED) AS n,
                  avg(17.5 * (r.satisfaction - 1) + 3.0 * r.happiness) FILTER (WHERE COUNTED) AS raw,
                  avg(CASE WHEN r.satisfaction >= 4 THEN 100.0 ELSE 0 END) FILTER (WHERE COUNTED) AS share,
                  avg(r.happiness) FILTER (WHERE COUNTED) AS happy,
                  count(*) FILTER (WHERE r.kind = 'anonymous' AND NOT r.excluded) AS held_apart,
                  count(*) FILTER (WHERE r.excluded) AS excluded
           FROM evaluation_surveyresponse r JOIN evaluation_survey v ON v.id = r.survey_id
           WHERE v.cycle_id = %(cycle)s GROUP BY v.project_id),
acceptance AS (SELECT project_id, avg(score) AS score FROM evaluation_inspection
               WHERE cycle_id = %(cycle)s AND signed_off_at IS NOT NULL GROUP BY project_id),
manual AS (SELECT project_id, sum(score) AS total, count(*) AS n FROM evaluation_manualindicator
           WHERE cycle_id = %(cycle)s GROUP BY project_id)
SELECT s.id, s.budget,
  l.complaints, l.complaints_before, l.received, l.handled, l.on_time,
  coalesce(a.complaints, da.complaints), coalesce(a.complaints_before, da.complaints_before),
  coalesce(a.received, da.received), coalesce(a.handled, da.handled), coalesce(a.on_time, da.on_time),
  spent.spent, ms.due, ms.on_time, survey.n, survey.raw, survey.share, survey.happy, survey.held_apart,
  survey.excluded, acceptance.score,
  manual.total, manual.n
FROM scope s
LEFT JOIN linked l ON l.project_id = s.id
LEFT JOIN area a ON a.district_id = s.district_id AND a.community_id = s.community_id
LEFT JOIN district_area da ON s.community_id IS NULL AND da.district_id = s.district_id
LEFT JOIN spent ON spent.project_id = s.id
LEFT JOIN ms ON ms.project_id = s.id
LEFT JOIN survey ON survey.project_id = s.id
LEFT JOIN acceptance ON acceptance.project_id = s.id
LEFT JOIN manual ON manual.project_id = s.id
""".replace(
    # The answers that count under the default scheme (evaluation.models.counted_condition).
    "COUNTED",
    "NOT r.excluded AND r.kind <> 'anonymous'",
).replace(
    "COUNTS",
    """count(*) FILTER (WHERE submitted_at >= %(start)s AND kind = 'problem') AS complaints,
    count(*) FILTER (WHERE submitted_at < %(start)s AND kind = 'problem') AS complaints_before,
    count(*) FILTER (WHERE submitted_at >= %(start)s) AS received,
    count(*) FILTER (WHERE submitted_at >= %(start)s AND resolved_at < %(end)s
                     AND status IN ('resolved', 'confirmed', 'closed')) AS handled,
    count(*) FILTER (WHERE submitted_at >= %(start)s AND resolved_at < %(end)s
                     AND status IN ('resolved', 'confirmed', 'closed') AND resolved_at <= due_at) AS on_time""",
)


def _dump(cursor, sql: str, params) -> str:
    cursor.execute(sql, params)
    return json.dumps(cursor.fetchall(), default=str, ensure_ascii=False)


def map_points(cursor, bbox, limit: int) -> str:
    west, south, east, north = bbox
    return _dump(cursor, MAP_POINTS, (west, east, south, north, limit))


def map_clusters(cursor, bbox, cell: float) -> str:
    west, south, east, north = bbox
    return _dump(cursor, MAP_CLUSTERS, (west, east, south, north, cell, cell))


def list_page(cursor, *, district: str | None, stage: str | None, offset: int, after: tuple | None = None) -> str:
    """A page of 50 by OFFSET, or (`after`: the previous page's last (year, code)) by keyset."""
    where, params = "", [OPEN_STAGES]
    if after:
        where += " AND p.year <= %s AND (p.year < %s OR (p.year = %s AND p.code > %s))"
        params += [after[0], after[0], after[0], after[1]]
    if district:
        where += " AND d.code = %s"
        params.append(district)
    if stage:
        where += " AND p.stage = %s"
        params.append(stage)
    return _dump(cursor, LIST_PAGE.format(where=where), (*params, offset))


def detail(cursor, code: str, expenditures: int | None = None) -> str:
    """The project with its chain, milestones, updates and money; `expenditures`: the newest n (None: all)."""
    return _dump(cursor, DETAIL, (expenditures, code))


def hub(cursor, code: str, expenditures: int | None = None) -> str:
    """`detail` and the panels of the other apps, as the API detail and the project page give them."""
    return _dump(cursor, DETAIL.replace("\nFROM projects_project p", PANELS, 1), (expenditures, code))


def scorecard_inputs(cursor, params: dict) -> str:
    return _dump(cursor, SCORECARD_INPUTS, params)


# The writes of a computation, at their least: every indicator value and scorecard of the cycle
# upserted in one statement per table, server-side (the rows as the product stored them: a
# recomputation of unchanged data changes no row, in the product as here).
REWRITE = """
INSERT INTO {table} ({columns}) SELECT {columns} FROM {table} WHERE cycle_id = %(cycle)s
ON CONFLICT ({keys}) DO UPDATE SET {sets} WHERE {changed}
"""
REWRITTEN = {
    "evaluation_indicatorvalue": (["cycle_id", "project_id", "kind"], ["raw_value", "score", "basis"]),
    "evaluation_scorecard": (
        ["cycle_id", "project_id"],
        ["satisfaction_score", "acceptance_score", "indicators_score", "response_count", "anonymous_count",
         "excluded_count", "satisfied_share", "happiness_index", "total", "grade", "rank_in_category",
         "rank_in_district", "previous_total", "change"],
    ),
}  # fmt: skip


def scorecards_with_writes(cursor, params: dict) -> str:
    """The inputs in one SELECT, then the rows written back in one statement per table, committed."""
    text = scorecard_inputs(cursor, params)
    for table, (keys, fields) in REWRITTEN.items():
        quoted = [f'"{f}"' for f in fields]
        cursor.execute(
            REWRITE.format(
                table=table,
                columns=", ".join([*keys, *quoted]),
                keys=", ".join(keys),
                sets=", ".join(f"{f} = EXCLUDED.{f}" for f in quoted),
                changed=" OR ".join(f"{table}.{f} IS DISTINCT FROM EXCLUDED.{f}" for f in quoted),
            ),
            params,
        )
    cursor.connection.commit()
    return text


# --- The rollups' reads: figures, hotspots, league table (feedback/rollups.py) ------------------------

FIGURE_SUMS = """sum(reports) FILTER (WHERE day >= %(start)s), sum(done) FILTER (WHERE day >= %(start)s),
  sum(resolved) FILTER (WHERE day >= %(start)s), sum(on_time) FILTER (WHERE day >= %(start)s),
  sum(fast) FILTER (WHERE day >= %(start)s), sum(rating_sum) FILTER (WHERE day >= %(start)s),
  sum(rated) FILTER (WHERE day >= %(start)s), sum(satisfied) FILTER (WHERE day >= %(start)s),
  sum(complaints) FILTER (WHERE day >= %(start)s), sum(reopened) FILTER (WHERE day >= %(start)s),
  sum(asked_fixed) FILTER (WHERE day >= %(start)s), sum(said_fixed) FILTER (WHERE day >= %(start)s),
  sum(said_not_fixed) FILTER (WHERE day >= %(start)s), sum(complaints) FILTER (WHERE day < %(start)s)"""

# The figures page's numbers for a period: per department and per district, the period's counts and
# the complaints of the period before, then the handling-time histogram the medians are read from.
FIGURES = f"""
SELECT 'figures', grouping(department_id), department_id, district_id, NULL::int, {FIGURE_SUMS}
FROM feedback_dayfigures WHERE day >= %(before)s AND day < %(end)s
GROUP BY GROUPING SETS ((department_id), (district_id))
UNION ALL
SELECT 'handling', grouping(department_id), department_id, district_id, hour, sum(reports), sum(handling_us),
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM feedback_monthhandling WHERE month >= %(start)s AND month < %(end)s
GROUP BY GROUPING SETS ((department_id, hour), (district_id, hour))
ORDER BY 1, 2, 3, 4, 5
"""

# The league table's report columns: per department (and the whole city) and quarter, the quarter
# and the same quarter a year earlier, with the handling histogram. The page also reads the
# departments, scores, overdue milestones, orders and accountability records (small tables).
LEAGUE_REPORTS = """
SELECT 'counts', department_id, extract(year FROM day)::int AS y, extract(quarter FROM day)::int AS q,
  NULL::int, sum(reports), sum(done), sum(resolved), sum(on_time), sum(fast), sum(rating_sum), sum(rated),
  sum(satisfied), sum(complaints), sum(reopened), sum(asked_fixed), sum(said_fixed), sum(said_not_fixed)
FROM feedback_dayfigures
WHERE (day >= %(start)s AND day < %(end)s) OR (day >= %(before)s AND day < %(before_end)s)
GROUP BY GROUPING SETS ((department_id, y, q), (y, q))
UNION ALL
SELECT 'handling', department_id, extract(year FROM month)::int AS y, extract(quarter FROM month)::int AS q, hour,
  sum(reports), sum(handling_us), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM feedback_monthhandling
WHERE (month >= %(start)s AND month < %(end)s) OR (month >= %(before)s AND month < %(before_end)s)
GROUP BY GROUPING SETS ((department_id, y, q, hour), (y, q, hour))
ORDER BY 1, 2, 3, 4, 5
"""

# The hotspots: the cells of one size over the period and the period before, from whole months'
# rows and the day rows at either end ({spans}), densest first.
HOTSPOTS = """
SELECT x, y, sum(reports) FILTER (WHERE day >= %(since)s) AS n, coalesce(sum(reports) FILTER (WHERE day < %(since)s), 0)
FROM feedback_daycell
WHERE size = %(size)s AND category_id = 0 AND ({spans})
GROUP BY x, y HAVING sum(reports) FILTER (WHERE day >= %(since)s) > 0
ORDER BY n DESC, x, y LIMIT %(limit)s
"""

REPORT_PAGE = """
SELECT r.id, r.kind, c.code, c.name, r.text, r.text_is_public, r.latitude, r.longitude, r.address, d.name, cm.name,
       p.code, p.is_public, r.channel, r.status, dp.name, r.submitted_at, r.dispatched_at, r.due_at, r.resolved_at,
       r.closed_at, r.answer, r.rating
FROM feedback_report r
JOIN feedback_servicecategory c ON c.id = r.category_id
LEFT JOIN projects_district d ON d.id = r.district_id
LEFT JOIN projects_community cm ON cm.id = r.community_id
LEFT JOIN projects_department dp ON dp.id = r.department_id
LEFT JOIN projects_project p ON p.id = r.project_id
WHERE NOT r.is_hidden {where}
ORDER BY r.submitted_at DESC, r.id DESC
LIMIT %s
"""


def figures(cursor, start, end, before) -> str:
    return _dump(cursor, FIGURES, {"start": start, "end": end, "before": before})


def league_reports(cursor, start, end, before, before_end) -> str:
    params = {"start": start, "end": end, "before": before, "before_end": before_end}
    return _dump(cursor, LEAGUE_REPORTS, params)


def _month_after(day):
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _spans(start, end) -> str:
    """Rows summing [start, end) once: day rows outside its whole months, month rows inside."""
    first = start if start.day == 1 else _month_after(start)
    last = end.replace(day=1)
    if first >= last:
        return f"(NOT month AND day >= '{start}' AND day < '{end}')"
    return (
        f"(NOT month AND day >= '{start}' AND day < '{first}') OR (month AND day >= '{first}' AND day < '{last}')"
        f" OR (NOT month AND day >= '{last}' AND day < '{end}')"
    )


def hotspots(cursor, since, until, size: int, limit: int) -> str:
    """Cells of size `size` (millionths of a degree) for [since, until] and as many days before."""
    end, days = until + timedelta(days=1), (until - since).days + 1
    spans = f"{_spans(since - timedelta(days=days), since)} OR {_spans(since, end)}"
    return _dump(cursor, HOTSPOTS.format(spans=spans), {"since": since, "size": size, "limit": limit})


def report_page(cursor, size: int, after: tuple | None = None) -> str:
    """A page of the public reports, newest first; `after`: the previous page's last (submitted_at, id)."""
    where, params = "", []
    if after:
        where = "AND (r.submitted_at, r.id) < (%s, %s)"
        params = list(after)
    return _dump(cursor, REPORT_PAGE.format(where=where), (*params, size))
