"""Departments held to account in public (部门): the league table per quarter and each one's trend.

Every figure is computed in SQL, in a fixed number of queries whatever the number of
departments, reports and projects (tests/opendata/test_departments.py pins it):

1. the departments and the public projects each leads (`projects.selectors.department_list`);
2. reports per department and quarter, and 3. their median handling time
   (`feedback.selectors.quarterly_figures`: the figures page's own definitions of on time,
   closure, satisfaction and "is it fixed?");
4. the same for the whole city (reports no department holds yet count there), and 5. its median;
6. the published scores of the projects each leads (`evaluation.selectors`);
7. their milestones overdue at each quarter's end (`projects.selectors.overdue_on`);
8. open rectification orders of each published quarter, and 9. accountability records (问责).

A quarter's row also carries the same quarter a year earlier: complaints then and now, and the
share of satisfied residents then and now, the comparisons the city's headline figures make.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicworks.rounding import round_half_up
from evaluation import selectors as evaluation_selectors
from feedback.selectors import Period, quarter_period, quarterly_figures, share
from projects.models import Department, Project
from projects.selectors import department_list, overdue_milestones_by_lead

TREND_QUARTERS = 8


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls) -> "Quarter":
        return cls.of(timezone.localdate())

    @classmethod
    def default(cls) -> "Quarter":
        """The last complete quarter: the one a league table compares fairly with a year earlier."""
        return cls.current().previous()

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def query(self) -> str:
        return f"year={self.year}&quarter={self.quarter}"

    @property
    def period(self) -> Period:
        return quarter_period(self.year, self.quarter)

    @property
    def key(self) -> tuple[int, int]:
        return (self.year, self.quarter)

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)

    def year_before(self) -> "Quarter":
        return Quarter(self.year - 1, self.quarter)

    def last_day_counted(self) -> date:
        """The day on which milestones are judged: the quarter's last, or today while it runs."""
        return min(self.period.end - timedelta(days=1), timezone.localdate())

    def is_running(self) -> bool:
        return self == Quarter.current()


def quarters_until(last: Quarter, count: int) -> list[Quarter]:
    """`count` quarters ending with `last`, oldest first."""
    quarters = [last]
    while len(quarters) < count:
        quarters.insert(0, quarters[0].previous())
    return quarters


# (key, label, kind): the columns of the league table, in the page's, the API's and the CSV's order.
# kind: "count", "percent" (0–100, one decimal), "hours", "stars" (mean of 1–5), "score" (0–100).
COLUMNS = [
    ("reports", _("Reports received"), "count"),
    ("on_time_rate", _("On time (%)"), "percent"),
    ("closure_rate", _("Closure rate (%)"), "percent"),
    ("fast_rate", _("Answered within 48 hours (%)"), "percent"),
    ("median_hours", _("Median handling time (hours)"), "hours"),
    ("fixed_rate", _("Residents say fixed (%)"), "percent"),
    ("satisfied_rate", _("Satisfied residents (%)"), "percent"),
    ("satisfaction", _("Average rating (1–5)"), "stars"),
    ("reopen_rate", _("Reopened (%)"), "percent"),
    ("projects_led", _("Projects led"), "count"),
    ("average_score", _("Average score of its projects"), "score"),
    ("overdue_milestones", _("Overdue milestones"), "count"),
    ("open_orders", _("Open rectification orders"), "count"),
    ("accountability", _("Accountability records"), "count"),
    ("complaints", _("Complaints"), "count"),
    ("complaints_year_before", _("Complaints a year earlier"), "count"),
    ("complaints_change", _("Complaints against a year earlier (%)"), "percent"),
    ("satisfied_rate_year_before", _("Satisfied residents a year earlier (%)"), "percent"),
]
COLUMN_KEYS = [key for key, _label, _kind in COLUMNS]
EMPTY_REPORTS = {
    "reports": 0,
    "closure_rate": None,
    "on_time_rate": None,
    "fast_rate": None,
    "median_hours": None,
    "said_fixed": 0,
    "said_not_fixed": 0,
    "satisfied_rate": None,
    "satisfaction": None,
    "reopen_rate": None,
    "complaints": 0,
}


def percent(fraction: float | None) -> Decimal | None:
    return None if fraction is None else round_half_up(fraction * 100, 1)


def change(now: int, before: int) -> Decimal | None:
    """Now against before, in percent (−40.0 when complaints fell from 10 to 6)."""
    return None if not before else round_half_up((now - before) * 100 / before, 1)


@dataclass
class Sources:
    """What the queries returned, keyed by (department id or None for the city, year, quarter)."""

    reports: dict
    scores: dict
    milestones: dict
    orders: dict
    accountability: dict
    departments: list[Department]

    def row(self, department: int | None, quarter: Quarter) -> dict:
        key = (department, *quarter.key)
        reports = {**EMPTY_REPORTS, **self.reports.get(key, {})}
        before = {**EMPTY_REPORTS, **self.reports.get((department, *quarter.year_before().key), {})}
        scored, score_sum = self._summed(self.scores, key)
        return {
            "quarter": quarter.label,
            "key": quarter.key,
            "reports": reports["reports"],
            "on_time_rate": percent(reports["on_time_rate"]),
            "closure_rate": percent(reports["closure_rate"]),
            "fast_rate": percent(reports["fast_rate"]),
            "median_hours": reports["median_hours"],
            "fixed_rate": percent(share(reports["said_fixed"], reports["said_fixed"] + reports["said_not_fixed"])),
            "satisfied_rate": percent(reports["satisfied_rate"]),
            "satisfaction": reports["satisfaction"],
            "reopen_rate": percent(reports["reopen_rate"]),
            "projects_led": sum(d.led for d in self.departments if department in (None, d.pk)),
            "average_score": round_half_up(Decimal(str(score_sum)) / scored, 1) if scored else None,
            "overdue_milestones": self._total(self.milestones, department, quarter.label),
            "open_orders": self._count(self.orders, key),
            "accountability": self._count(self.accountability, key),
            "complaints": reports["complaints"],
            "complaints_year_before": before["complaints"],
            "complaints_change": change(reports["complaints"], before["complaints"]),
            "satisfied_rate_year_before": percent(before["satisfied_rate"]),
        }

    # The city's project figures are the sum over departments: every project has one lead unit.
    def _summed(self, rows: dict, key: tuple) -> tuple[int, Decimal]:
        department, *quarter = key
        found = [row for (d, *q), row in rows.items() if q == quarter and department in (None, d)]
        return sum(r["scored"] for r in found), sum((Decimal(str(r["score_sum"] or 0)) for r in found), Decimal(0))

    def _count(self, rows: dict, key: tuple) -> int:
        department, *quarter = key
        return sum(n for (d, *q), n in rows.items() if q == quarter and department in (None, d))

    def _total(self, rows: dict, department: int | None, name: str) -> int:
        return sum(r[name] for d, r in rows.items() if department in (None, d))


def _sources(quarters: list[Quarter], department: Department | None = None) -> Sources:
    """Everything the rows need for `quarters` and the same quarters a year earlier."""
    wanted = sorted(set(quarters) | {q.year_before() for q in quarters})
    keys = [q.key for q in quarters]
    scope = {"department_id": department.pk} if department else {}
    by_department = quarterly_figures([q.period for q in wanted], "department_id", **scope)
    city = {} if department else quarterly_figures([q.period for q in wanted])
    departments = department_list().order_by("name")
    departments = list(departments.filter(pk=department.pk) if department else departments)
    return Sources(
        reports={**by_department, **{(None, *key): row for key, row in city.items()}},
        scores=evaluation_selectors.published_scores_by_lead(keys),
        milestones=overdue_milestones_by_lead({q.label: q.last_day_counted() for q in quarters}),
        orders=evaluation_selectors.open_orders_by_department(keys),
        accountability=evaluation_selectors.accountability_by_department(keys),
        departments=departments,
    )


def league(*, quarter: Quarter) -> dict:
    """One row per department for `quarter` (most reports first), and the city's totals."""
    sources = _sources([quarter])
    rows = [{"department": d, **sources.row(d.pk, quarter)} for d in sources.departments]
    rows.sort(key=lambda row: (-row["reports"], row["department"].name))
    return {"quarter": quarter, "year_before": quarter.year_before(), "rows": rows, "city": sources.row(None, quarter)}


def department_trend(*, department: Department, last: Quarter | None = None) -> list[dict]:
    """The department's rows for the last `TREND_QUARTERS` quarters up to `last` (the running one), oldest first."""
    quarters = quarters_until(last or Quarter.current(), TREND_QUARTERS)
    sources = _sources(quarters, department)
    return [{"running": q.is_running(), **sources.row(department.pk, q)} for q in quarters]


def department_by_code(code: str) -> Department | None:
    return department_list().filter(code=code).first()


def row_values(row: dict) -> list:
    """The quarter and the columns' values of a row: what the CSV writes and the API sends."""
    return [row["quarter"], *(row[key] for key in COLUMN_KEYS)]


def cells(row: dict) -> list[tuple[str, object]]:
    """(kind, value) of each column, for the pages."""
    return [(kind, row[key]) for key, _label, kind in COLUMNS]


def department_projects(department: Department) -> list[dict]:
    """The public projects a department leads, with their published scores (oldest first), in two queries."""
    projects = list(Project.objects.public().filter(lead_unit=department).select_related("district").order_by("code"))
    trends = evaluation_selectors.project_trends([p.pk for p in projects])
    return [{"project": p, "scores": trends.get(p.pk, []), "score": _latest(trends.get(p.pk))} for p in projects]


def _latest(scores: list | None):
    return scores[-1][1] if scores else None
