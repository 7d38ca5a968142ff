"""The rollups (feedback.rollups) against the direct counts over the reports, on both databases.

A random sequence of submissions, transfers, answers, closes, reopenings, ratings, "is it fixed?"
answers and hidings, all through the services, leaves day rows whose figures, quarterly figures and
hotspots equal the direct computations (`*_direct`, the former reads, kept as the oracle); a rebuild
from scratch gives the same rows as the incremental path; and the reads take as many queries for
200 reports as for 10.
"""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicworks.errors import DomainError
from feedback import fixed, rollups, selectors, services
from feedback.hotspot_params import HotspotQuery, snap
from feedback.hotspots import cell_counts, cell_counts_direct
from feedback.models import DayCell, DayFigures, MonthHandling, Report, ReportStatus, ReportTally
from opendata.departments import Quarter, league
from tests import factories

REFUSED = (PermissionDenied, ValidationError, DomainError)
CODES = ["road", "streetlight", "garbage"]


def _rows() -> dict:
    """Every non-zero rollup row (the incremental path may leave rows that fell back to zero)."""
    figures = {
        (r.pop("day"), r.pop("department_id"), r.pop("district_id")): r
        for r in DayFigures.objects.values(*rollups.FIGURE_KEYS, *rollups.FIGURE_COUNTS)
        if r["reports"]
    }
    handling = {
        tuple(r[k] for k in rollups.HANDLING_KEYS): (r["reports"], r["handling_us"])
        for r in MonthHandling.objects.values()
        if r["reports"]
    }
    cells = {tuple(r[k] for k in rollups.CELL_KEYS): r["reports"] for r in DayCell.objects.values() if r["reports"]}
    tallies = {t.pop("report_id"): t for t in ReportTally.objects.values()}
    return {"figures": figures, "handling": handling, "cells": cells, "tallies": tallies}


def _months(days: list[date]) -> list[selectors.Period]:
    found = {(d.year, d.month) for d in days}
    return [selectors.month_period(y, m) for y, m in sorted(found)]


def _without_median(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "median_hours"}


def _same_median(a: float | None, b: float | None) -> bool:
    """The histogram's median is exact unless the middle hour holds several handling times; then
    it is their bucket's mean, within that hour (docs/performance.md)."""
    return (a is None) == (b is None) and (a is None or abs(a - b) <= 1.05)


def _assert_same_figures(rollup: list[dict], direct: list[dict]) -> None:
    assert [_without_median(r) for r in rollup] == [_without_median(r) for r in direct]
    for mine, theirs in zip(rollup, direct, strict=True):
        assert _same_median(mine["median_hours"], theirs["median_hours"]), (mine, theirs)


def assert_rollups_equal_direct() -> None:
    days = [timezone.localtime(s).date() for s in Report.objects.values_list("submitted_at", flat=True)]
    if not days:
        return
    departments = [None, *Report.objects.exclude(department=None).values_list("department_id", flat=True).distinct()]
    for period in _months(days):
        for department in departments:  # the console scopes an official's figures to their department
            mine = selectors.figures(period=period, department_id=department)
            theirs = selectors.figures_direct(period=period, department_id=department)
            _assert_same_figures(mine["by_department"], theirs["by_department"])
            _assert_same_figures(mine["by_district"], theirs["by_district"])
    quarters = sorted({Quarter.of(d) for d in days})
    periods = [q.period for q in quarters]
    for group, scope in [((), None), (("department_id",), None), (("department_id",), departments[-1])]:
        mine = selectors.quarterly_figures(periods, *group, department_id=scope)
        theirs = selectors.quarterly_figures_direct(periods, *group, department_id=scope)
        assert {k: _without_median(v) for k, v in mine.items()} == {k: _without_median(v) for k, v in theirs.items()}
        assert all(_same_median(mine[k]["median_hours"], theirs[k]["median_hours"]) for k in mine)
    until = max(days)
    for cell in (0.002, 0.01, 0.1):
        for category in [None, *Report.objects.values_list("category_id", flat=True).distinct()[:1]]:
            query = HotspotQuery(
                since_date=until - timedelta(days=9), until_date=until, cell=cell, bbox=None, category_id=category
            )
            assert cell_counts(query) == cell_counts_direct(query)
        # 45 days and more: whole months read from the month rows, their edges from the day rows.
        for start in (min(days) - timedelta(days=45), until.replace(day=1), date(until.year - 1, 12, 31)):
            query = HotspotQuery(since_date=start, until_date=until, cell=cell, bbox=None, category_id=None)
            assert cell_counts(query) == cell_counts_direct(query)
        bbox = snap((103.98, 30.68, 104.0, 30.7), cell)  # as the filters snap it
        query = HotspotQuery(since_date=min(days), until_date=until, cell=cell, bbox=bbox, category_id=None)
        assert cell_counts(query) == cell_counts_direct(query)


def assert_rebuild_gives_the_same_rows() -> None:
    incremental = _rows()
    rollups.rebuild(batch=7)  # several batches; a rebuild of live rollups keeps their indexes
    assert _rows() == incremental
    for model in (DayCell, MonthHandling, DayFigures, ReportTally):
        model.objects.all().delete()
    rollups.rebuild(batch=7)  # a first build: on PostgreSQL, indexes and keys made at the end
    assert _rows() == incremental


STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "submit",
                "submit",
                "backdate",
                "accept",
                "transfer",
                "resolve",
                "resolve",
                "close",
                "confirm",
                "reopen",
                "rate",
                "ask_fixed",
                "fixed",
                "not_fixed",
                "hide",
                "delete",
            ]
        ),
        st.integers(min_value=0, max_value=50),
        st.integers(min_value=0, max_value=2000),
    ),
    min_size=1,
    max_size=25,
)


class City:
    """What the random steps act on: the demo categories, two departments, a resident, the city admin."""

    def __init__(self, categories, city_admin, resident, departments):
        self.categories = [categories[c] for c in CODES]
        self.admin, self.resident, self.departments = city_admin, resident, departments

    def step(self, reports: list[Report], name: str, pick: int, value: int) -> None:
        if name == "submit":
            where = (30.68 + (value % 97) * 0.0003, 103.98 + (value % 89) * 0.0003)
            reporter = self.resident if value % 3 == 0 else None
            kind = ["problem", "problem", "question", "suggestion", "praise"][value % 5]
            category = self.categories[pick % len(self.categories)]
            reports.append(factories.report(category=category, at=where, reporter=reporter, kind=kind))
            return
        if not reports:
            return
        report = Report.objects.get(pk=reports[pick % len(reports)].pk)
        user = self.resident if report.reporter_id else AnonymousUser()
        code = report.tracking_code
        if name == "backdate":  # a report taken on paper and typed in later: a bulk write, then sync
            Report.objects.filter(pk=report.pk).update(submitted_at=report.submitted_at - timedelta(hours=value % 900))
            rollups.sync([report.pk])
        elif name == "accept":
            services.report_accept(report=report, by=self.admin)
        elif name == "transfer":
            to = next(d for d in self.departments if d.pk != report.department_id)
            services.report_transfer(report=report, by=self.admin, department=to, reason="不属本部门")
        elif name == "resolve":
            services.report_resolve(report=report, by=self.admin, answer="已修复。")
        elif name == "close":
            services.report_close(report=report, by=self.admin)
        elif name == "confirm":
            services.report_confirm(report=report, user=user, tracking_code=code)
        elif name == "reopen":
            services.report_reopen(report=report, user=user, tracking_code=code, reason="还没修好")
        elif name == "rate":
            services.report_rate(report=report, user=user, tracking_code=code, rating=1 + value % 5)
        elif name == "ask_fixed":
            if report.status in [ReportStatus.RESOLVED, ReportStatus.CONFIRMED, ReportStatus.CLOSED]:
                fixed.fixed_question_ask(report_id=report.pk, now=timezone.now())
        elif name in ("fixed", "not_fixed"):
            services.report_fixed_answer(report=report, user=user, fixed=name == "fixed", reason="还是坏的")
        elif name == "hide":
            services.report_hide(report=report, by=self.admin, reason="广告")
        elif name == "delete" and value % 4 == 0:
            report.delete()
            reports.remove(reports[pick % len(reports)])


@pytest.fixture
def town(categories, city_admin, resident, lead_department, other_department) -> City:
    return City(categories, city_admin, resident, [lead_department, other_department])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(steps=STEPS)
def test_rollups_equal_a_direct_count_after_random_steps(town, steps):
    with transaction.atomic():  # each example starts from the same (empty) city
        reports: list[Report] = []
        for name, pick, value in steps:
            try:
                with transaction.atomic():
                    town.step(reports, name, pick, value)
            except REFUSED:
                pass  # a step the report's state or the user's role does not allow
        assert_rollups_equal_direct()
        assert_rebuild_gives_the_same_rows()
        assert_rollups_equal_direct()
        transaction.set_rollback(True)


def test_a_rating_counts_once_its_handler_reporter_is_erased(road, official):
    """A rating from the handling department's own account does not count; erasing the account's
    reports (my data) makes it anonymous, and it counts — through bulk_update, synced."""
    from feedback.mydata import erase

    report = factories.report(category=road, reporter=official)
    report.status, report.resolved_at, report.rating = ReportStatus.RESOLVED, timezone.now(), 2
    report.save()  # the tally from the instance in memory: the same rule as the SQL's
    period = selectors.month_period(timezone.localdate().year, timezone.localdate().month)
    (row,) = selectors.figures(period=period)["by_department"]
    assert row["satisfaction"] is None
    erase(official)
    (row,) = selectors.figures(period=period)["by_department"]
    assert row["satisfaction"] == 2
    assert selectors.figures(period=period) == selectors.figures_direct(period=period)
    assert_rebuild_gives_the_same_rows()


def test_rebuild_command_is_idempotent(road, official):
    for hours in (3, 30):
        made = factories.report(category=road)
        Report.objects.filter(pk=made.pk).update(
            status="resolved", resolved_at=made.submitted_at + timedelta(hours=hours)
        )
    # No sync: the command catches up with the bulk writes, and a second run changes nothing.
    call_command("rebuild_rollups")
    first = _rows()
    call_command("rebuild_rollups", "--batch", "1")
    assert _rows() == first
    assert sum(n for n, _us in first["handling"].values()) == 2
    assert_rollups_equal_direct()


def test_a_submission_writes_its_rollup_rows_once_and_last(road):
    """Created, then routed: one tally, each rollup table written once, at the end of the
    transaction (the day rows every submission adds to are locked for the least time)."""
    factories.report(category=road)  # the day's rows exist: the next one adds to them
    with CaptureQueriesContext(connection) as queries:
        report = factories.report(category=road)
    statements = [q["sql"] for q in queries.captured_queries]
    rollup_tables = ("feedback_dayfigures", "feedback_daycell", "feedback_reporttally")
    writes = [i for i, sql in enumerate(statements) if any(t in sql.split("(")[0] for t in rollup_tables)]
    assert [statements[i].split("(")[0].split('"')[1] for i in writes] == list(rollup_tables)
    others = [i for i, sql in enumerate(statements) if sql.startswith(("INSERT", "UPDATE")) and i not in writes]
    assert max(others) < min(writes), "the rollup rows are written after every other row of the submission"
    assert report.department_id is not None
    assert_rollups_equal_direct()


def test_together_counts_a_report_changed_reopened_or_deleted_inside_it_once(road, official):
    kept = factories.report(category=road)
    with transaction.atomic(), rollups.together():
        made = factories.report(category=road)
        made.status, made.resolved_at = ReportStatus.RESOLVED, timezone.now()
        made.save()
        services.report_reopen(report=made, user=AnonymousUser(), tracking_code=made.tracking_code, reason="没修好")
        gone = factories.report(category=road)
        gone.delete()
        kept.status, kept.resolved_at = ReportStatus.RESOLVED, timezone.now()
        kept.save()
        with rollups.together():  # nested: the outer block counts
            kept.save()
        assert not ReportTally.objects.filter(report=made).exists(), "counted at the end, not before"
    assert ReportTally.objects.get(report=made).reopened
    assert not ReportTally.objects.filter(report_id=gone.pk).exists()
    assert_rollups_equal_direct()
    assert_rebuild_gives_the_same_rows()


@pytest.mark.parametrize(
    "handling",
    [timedelta(0), timedelta(microseconds=1), timedelta(hours=1) - timedelta(microseconds=1), timedelta(hours=1),
     timedelta(hours=48), timedelta(hours=48, microseconds=1), timedelta(hours=901, microseconds=123)],
)  # fmt: skip
def test_the_database_computes_each_tally_as_python_does(road, official, resident, handling):
    """The rebuild's tallies (SQL, `rollups.tally_rows`) equal the incremental path's (`_tally`), to
    the microsecond and at each bucket's edge, for answered, rated, hidden, reopened reports."""
    made = [factories.report(category=road, reporter=who) for who in (None, resident, official, None)]
    reopened = made[3]
    reopened.status, reopened.resolved_at = ReportStatus.RESOLVED, timezone.now()
    reopened.save()
    services.report_reopen(report=reopened, user=AnonymousUser(), tracking_code=reopened.tracking_code, reason="没修好")
    for i, report in enumerate(made[:3]):
        Report.objects.filter(pk=report.pk).update(
            status=ReportStatus.CLOSED,
            resolved_at=F("submitted_at") + handling,
            due_at=F("submitted_at") + handling - timedelta(microseconds=i),  # on time by 0 or late by 1 µs
            rating=2 + i,
            is_hidden=i == 1,
            fixed_asked_at=timezone.now(),
            fixed_answer=["fixed", "not_fixed", ""][i],
        )
    ids = [r.pk for r in made]
    in_python = dict(rollups.tallies(Report.objects.filter(pk__in=ids)))
    in_sql = {
        row[0]: dict(zip(rollups.TALLY_FIELDS, row[1:], strict=True))
        for row in rollups.tally_rows(Report.objects.filter(pk__in=ids))
    }
    for values in in_sql.values():
        values["public"] = bool(values["public"])
    assert in_sql == in_python


def test_nothing_is_counted_when_the_block_raises(road):
    before = _rows()
    with pytest.raises(RuntimeError), transaction.atomic(), rollups.together():
        factories.report(category=road)
        raise RuntimeError
    assert _rows() == before


# --- Reads in a fixed number of queries -------------------------------------------------------------


def _load(count: int, road, department) -> None:
    """`count` reports over 60 days, loaded in bulk (as the demo and the benchmark do), then rebuilt."""
    now = timezone.now()
    Report.objects.bulk_create(
        Report(
            category=road,
            text="路面坑洼",
            latitude=30.68 + (i % 13) * 0.001,
            longitude=103.98 + (i % 17) * 0.001,
            department=department,
            status="resolved" if i % 2 else "dispatched",
            submitted_at=now - timedelta(hours=1 + 11 * i % 1440),
            resolved_at=now - timedelta(minutes=i) if i % 2 else None,
            due_at=now,
            rating=1 + i % 5 if i % 2 else None,
        )
        for i in range(count)
    )
    rollups.rebuild()


def _queries(client, count: int, road, department) -> dict:
    Report.objects.all().delete()
    _load(count, road, department)
    today = timezone.localdate()
    month = selectors.month_period(today.year, today.month)
    query = HotspotQuery(
        since_date=today - timedelta(days=30), until_date=today, cell=0.01, bbox=None, category_id=None
    )
    reads = {
        "figures": lambda: selectors.figures(period=month),
        "quarterly": lambda: selectors.quarterly_figures([Quarter.current().period], "department_id"),
        "league": lambda: league(quarter=Quarter.current()),
        "hotspots": lambda: cell_counts(query),
        "figures page": lambda: client.get(reverse("feedback:figures") + f"?period={month.label}"),
        "league page": lambda: client.get(reverse("opendata:departments") + f"?{Quarter.current().query}"),
        "hotspots API": lambda: client.get(reverse("feedback-api-hotspots")),
    }
    counted = {}
    for name, read in reads.items():
        with CaptureQueriesContext(connection) as queries:
            result = read()
        assert getattr(result, "status_code", 200) == 200, name
        counted[name] = len(queries)
    return counted


def test_reads_take_as_many_queries_for_200_reports_as_for_10(client, road, lead_department, settings):
    settings.CIVICWORKS_HOTSPOT_CACHE_SECONDS = 0
    assert _queries(client, 10, road, lead_department) == _queries(client, 200, road, lead_department)
    assert_rollups_equal_direct()
