"""Rollups: the public figures read day rows, never the reports (docs/performance.md, "Rollups").

Each report has a tally (`ReportTally`): the day of its submission in the city's time zone, its
department, district, category and place, and what the figures count of it (answered, on time,
within 48 hours, its counted rating, reopened, "is it fixed?"). Three tables sum the tallies:

- `DayFigures`: per day × department × district, the counts behind `selectors.report_counts`;
- `MonthHandling`: per month × department × district × whole hour of handling, how many answered
  reports and the sum of their exact handling times — the histogram the medians come from (the
  figures' periods are whole months and quarters);
- `DayCell`: per day, and per month, × hotspot cell (every size of `hotspot_params.CELL_SIZES`) ×
  category, and × all categories (category 0), the public located reports — what the hotspots count.

The figures are those of the reports submitted in a period, in their current state; so a tally is
the report's current state, and a change anywhere in a report moves its contribution: `sync`
subtracts the stored tally and adds the new one, in the same transaction as the change (a
`post_save` of the report, and of a reopening event). Exact, no lag, about five small statements
per change. `rebuild` recomputes everything from the reports (`manage.py rebuild_rollups`).

The reads (`figures`, `quarterly_figures`, `cell_counts`, `period_counts`) sum day rows: their
cost grows with the days and groups of the period, not with the reports. The direct computations
they replace stay as the oracle: `selectors.figures_direct`, `selectors.quarterly_figures_direct`,
`hotspots.cell_counts_direct`.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractQuarter, ExtractYear, Floor, TruncDate, TruncMonth
from django.utils import timezone

from civicworks import bulkload
from civicworks.accounts.models import DEPARTMENT_ROLES, Role

from .hotspot_params import CELL_SIZES
from .models import (
    DONE_STATUSES,
    DayCell,
    DayFigures,
    EventKind,
    FixedAnswer,
    MonthHandling,
    Report,
    ReportEvent,
    ReportKind,
    ReportTally,
)

HOUR_US = 3_600_000_000
FAST_HANDLING = timedelta(hours=48)  # as selectors.FAST_HANDLING
TALLY_FIELDS = [f.attname for f in ReportTally._meta.concrete_fields if f.attname != "report_id"]
FIGURE_KEYS = ["day", "department_id", "district_id"]
FIGURE_COUNTS = [
    "reports",
    "done",
    "resolved",
    "on_time",
    "fast",
    "rating_sum",
    "rated",
    "satisfied",
    "complaints",
    "reopened",
    "asked_fixed",
    "said_fixed",
    "said_not_fixed",
]
HANDLING_KEYS = ["month", "department_id", "district_id", "hour"]
CELL_KEYS = ["size", "category_id", "month", "day", "x", "y"]


def size_key(size: float) -> int:
    """A cell size as stored: millionths of a degree."""
    return round(size * 1_000_000)


# --- Tallies ---------------------------------------------------------------------------------------


READ = [
    "submitted_at",
    "department_id",
    "district_id",
    "category_id",
    "latitude",
    "longitude",
    "is_hidden",
    "status",
    "kind",
    "resolved_at",
    "due_at",
    "fixed_asked_at",
    "fixed_answer",
]


# The fields of a report its tally reads (READ, and the rating with what decides whether it counts:
# the reporter and the grid worker): a save whose update_fields hold none of them changes no figure.
COUNTED_FIELDS = frozenset(
    name for field in [*READ, "rating", "reporter_id", "grid_worker_id"] for name in (field, field.removesuffix("_id"))
)


def _tally(report: dict, rating: int | None, satisfied: bool, reopened: bool) -> dict:
    """The tally of a report's fields (READ), given its counted rating and whether it was reopened."""
    submitted, resolved, due = report["submitted_at"], report["resolved_at"], report["due_at"]
    handling = (resolved - submitted) // timedelta(microseconds=1) if resolved is not None else None
    return {
        "day": timezone.localtime(submitted, timezone.get_default_timezone()).date(),
        "department_id": report["department_id"] or 0,
        "district_id": report["district_id"] or 0,
        "category_id": report["category_id"] or 0,
        "latitude": report["latitude"],
        "longitude": report["longitude"],
        "public": not report["is_hidden"],
        "done": int(report["status"] in DONE_STATUSES),
        "resolved": int(resolved is not None),
        "on_time": int(resolved is not None and due is not None and resolved <= due),
        "fast": int(resolved is not None and resolved <= submitted + FAST_HANDLING),
        "rating": rating,
        "satisfied": int(satisfied),
        "complaint": int(report["kind"] == ReportKind.PROBLEM),
        "reopened": int(reopened),
        "asked_fixed": int(report["fixed_asked_at"] is not None),
        "said_fixed": int(report["fixed_answer"] == FixedAnswer.FIXED),
        "said_not_fixed": int(report["fixed_answer"] == FixedAnswer.NOT_FIXED),
        "handling_us": handling,
        "hour": handling // HOUR_US if handling is not None else None,
    }


def tallies(reports: QuerySet) -> Iterator[tuple[int, dict]]:
    """(report id, tally) of each report, in one query. The rating rule and the reopening are the
    figures' own SQL (selectors.COUNTED_RATING, SATISFIED_RATING, the REOPENED event)."""
    from .selectors import COUNTED_RATING, SATISFIED_RATING

    rows = (
        reports.order_by()
        .annotate(
            tally_rating=COUNTED_RATING,
            tally_satisfied=SATISFIED_RATING,
            tally_reopened=Exists(ReportEvent.objects.filter(report=OuterRef("pk"), kind=EventKind.REOPENED)),
        )
        .values("pk", *READ, "tally_rating", "tally_satisfied", "tally_reopened")
    )
    for row in rows:
        yield row["pk"], _tally(row, row["tally_rating"], row["tally_satisfied"] is not None, row["tally_reopened"])


def _rated_by_handler(report: Report) -> bool:
    """selectors.RATED_BY_HANDLER for one report in memory (SQL's NULL never equals anything)."""
    if report.reporter_id is None:
        return False
    reporter = report.reporter
    return (
        reporter.role == Role.CITY_ADMIN
        or reporter.is_superuser
        or (
            reporter.role in DEPARTMENT_ROLES
            and reporter.department_id is not None
            and reporter.department_id == report.department_id
        )
        or report.reporter_id == report.grid_worker_id
    )


def tally_of(report: Report, *, reopened: bool) -> dict:
    """The tally of a report in memory, without a query (but for its reporter, once it is rated)."""
    rating = None if report.rating is None or _rated_by_handler(report) else report.rating
    fields = {name: getattr(report, name) for name in READ}
    for name in ("latitude", "longitude"):  # as stored (a form may have set a string or a Decimal)
        fields[name] = None if fields[name] is None else float(fields[name])
    return _tally(fields, rating, rating is not None and rating >= 4, reopened)


def _figure_counts(tally: dict) -> list[int]:
    rated = tally["rating"] is not None
    return [
        1,
        tally["done"],
        tally["resolved"],
        tally["on_time"],
        tally["fast"],
        tally["rating"] if rated else 0,
        int(rated),
        tally["satisfied"],
        tally["complaint"],
        tally["reopened"],
        tally["asked_fixed"],
        tally["said_fixed"],
        tally["said_not_fixed"],
    ]


def _cells(tally: dict) -> list[tuple]:
    if not tally["public"] or tally["latitude"] is None or tally["longitude"] is None:
        return []
    lat, lng, day, category = tally["latitude"], tally["longitude"], tally["day"], tally["category_id"]
    # The hotspots' own arithmetic (floor of the IEEE quotient), so each report falls in the same cell.
    spans = ((False, day), (True, day.replace(day=1)))  # its day's row and its month's
    return [
        (size_key(s), c, month, first, math.floor(lng / s), math.floor(lat / s))
        for s in CELL_SIZES
        for c in (category, 0)  # 0: all categories
        for month, first in spans
    ]


class _Deltas:
    """What a set of tally changes adds to (+1) or takes from (−1) each rollup row."""

    def __init__(self) -> None:
        self.figures: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(FIGURE_COUNTS))
        self.handling: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
        self.cells: dict[tuple, list[int]] = defaultdict(lambda: [0])

    def add(self, tally: dict, sign: int) -> None:
        key = (tally["day"], tally["department_id"], tally["district_id"])
        row = self.figures[key]
        for i, n in enumerate(_figure_counts(tally)):
            row[i] += sign * n
        if tally["hour"] is not None:
            month = tally["day"].replace(day=1)
            bucket = self.handling[(month, tally["department_id"], tally["district_id"], tally["hour"])]
            bucket[0] += sign
            bucket[1] += sign * tally["handling_us"]
        for cell in _cells(tally):
            self.cells[cell][0] += sign

    def write(self) -> None:
        _add(DayFigures, FIGURE_KEYS, FIGURE_COUNTS, self.figures)
        _add(MonthHandling, HANDLING_KEYS, ["reports", "handling_us"], self.handling)
        _add(DayCell, CELL_KEYS, ["reports"], self.cells)


def _add(model, keys: list[str], counts: list[str], rows: dict[tuple, list[int]]) -> None:
    """INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n (PostgreSQL and SQLite ≥ 3.24), rows in
    key order (two transactions touching the same rows lock them in the same order)."""
    changed = sorted((key, values) for key, values in rows.items() if any(values))
    if not changed:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*keys, *counts]
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sets = ", ".join(f"{quote(c)} = {table}.{quote(c)} + EXCLUDED.{quote(c)}" for c in counts)
    names, values = ", ".join(quote(c) for c in columns), ", ".join([one] * len(changed))
    conflict = ", ".join(quote(k) for k in keys)
    # Table and column names from the models, values as parameters.
    sql = f"INSERT INTO {table} ({names}) VALUES {values} ON CONFLICT ({conflict}) DO UPDATE SET {sets}"  # noqa: S608
    params = []
    for key, values in changed:
        params.extend([connection.ops.adapt_datefield_value(k) if isinstance(k, date) else k for k in key])
        params.extend(values)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- The incremental path ----------------------------------------------------------------------------


def sync(report_ids: Iterable[int], *, gone: bool = False) -> None:
    """Bring the rollups up to date with the reports `report_ids` as they are now (`gone`: as deleted).

    Call inside the transaction that changed them; `post_save` does for every `Report.save()`. A
    bulk write that bypasses `save()` (`QuerySet.update`, `bulk_update`) calls this itself."""
    ids = sorted(set(report_ids))
    if not ids:
        return
    if (batch := _batch.get()) and not gone:
        batch.reread.update(ids)  # at the batch's end, once
        return
    with transaction.atomic(savepoint=False):
        new = {} if gone else dict(tallies(Report.objects.filter(pk__in=ids)))
        _apply(ids, _stored(ids), new)


def _stored(ids: list[int]) -> dict[int, dict]:
    rows = ReportTally.objects.filter(report_id__in=ids).values("report_id", *TALLY_FIELDS)
    return {row.pop("report_id"): row for row in rows}


def _apply(ids: list[int], old: dict[int, dict], new: dict[int, dict]) -> None:
    """Move each report's contribution from its `old` tally to its `new` one (None: none)."""
    deltas, changed = _Deltas(), []
    for pk in ids:
        before, after = old.get(pk), new.get(pk)
        if before == after:
            continue
        if before is not None:
            deltas.add(before, -1)
        if after is not None:
            deltas.add(after, +1)
            changed.append(ReportTally(report_id=pk, **after))
    deltas.write()
    if changed:
        ReportTally.objects.bulk_create(
            changed, update_conflicts=True, unique_fields=["report"], update_fields=TALLY_FIELDS
        )
    if gone := [pk for pk in old if pk not in new]:
        ReportTally.objects.filter(report_id__in=gone).delete()


class _Batch:
    """The reports saved (and reopened) inside `together()`, counted once at its end."""

    def __init__(self) -> None:
        self.saved: dict[int, tuple[Report, bool]] = {}
        self.reread: set[int] = set()


_batch: ContextVar[_Batch | None] = ContextVar("rollups_batch", default=None)


@contextmanager
def together():
    """Count the reports saved inside once, when the block ends (not if it raises).

    A submission saves its report twice (created, then routed): counted once, its rollup rows are
    written once, last in its transaction, so they are locked for the least time (every submission
    of a day adds to the same day rows). Use inside the transaction: `with atomic(), together():`."""
    if _batch.get() is not None:
        yield
        return
    batch = _Batch()
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
    for pk, (instance, created) in batch.saved.items():
        if pk not in batch.reread:
            _count(instance, created)
    sync(batch.reread)


def report_saved(sender, instance: Report, created: bool, raw: bool = False, update_fields=None, **kwargs) -> None:
    """post_save: the tally from the saved instance (no query for it), moved from the stored one."""
    if raw or (update_fields is not None and not COUNTED_FIELDS.intersection(update_fields)):
        return
    if batch := _batch.get():
        earlier = batch.saved.get(instance.pk)
        batch.saved[instance.pk] = (instance, created or bool(earlier and earlier[1]))
        return
    _count(instance, created)


def _count(instance: Report, created: bool) -> None:
    if instance.get_deferred_fields().intersection(READ):
        sync([instance.pk])  # a partly loaded instance: read the report rather than each field
        return
    with transaction.atomic(savepoint=False):
        old = {} if created else _stored([instance.pk])
        if not created and not old:
            sync([instance.pk])  # never tallied (loaded before the rollups, not rebuilt since)
            return
        # Reopened stays reopened (events are not deleted); event_saved sets it.
        reopened = bool(old and old[instance.pk]["reopened"])
        _apply([instance.pk], old, {instance.pk: tally_of(instance, reopened=reopened)})


def report_deleted(sender, instance: Report, **kwargs) -> None:
    if batch := _batch.get():
        batch.saved.pop(instance.pk, None)
        batch.reread.discard(instance.pk)
    sync([instance.pk], gone=True)


def event_saved(sender, instance: ReportEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw and instance.kind == EventKind.REOPENED:
        if batch := _batch.get():
            batch.reread.add(instance.report_id)  # read back from the table at the batch's end
        else:
            sync([instance.report_id])


# --- Rebuild ---------------------------------------------------------------------------------------


def rebuild(*, batch: int = 20_000, log=None) -> int:
    """Recompute every rollup from the reports, in one transaction (readers see the old rows until it
    commits; on PostgreSQL concurrent changes of reports wait for it). Idempotent. Returns the reports."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {connection.ops.quote_name(ReportTally._meta.db_table)} IN EXCLUSIVE MODE")
        first_build = not ReportTally.objects.exists()
        for model in (DayCell, MonthHandling, DayFigures, ReportTally):
            model.objects.all().delete()
        # A first build (a loaded city: nobody reads the empty tables) makes the tables' indexes and
        # keys once at the end; a rebuild keeps them, so that readers go on reading the old rows.
        tables = (ReportTally, DayFigures, MonthHandling, DayCell)
        with bulkload.indexes_deferred(*tables) if first_build else nullcontext():
            counted, top = 0, Report.objects.aggregate(top=Max("pk"))["top"] or 0
            for first in range(1, top + 1, batch):  # id ranges: the log tells how far a long rebuild is
                counted += _insert_select(
                    ReportTally,
                    ["report_id", *TALLY_FIELDS],
                    tally_rows(Report.objects.filter(pk__gte=first, pk__lt=first + batch)),
                )
                if log:
                    log(f"rollups: {counted} reports tallied")
            _sum_tallies()
    return counted


def _insert_select(model, columns: list[str], rows: QuerySet) -> int:
    """INSERT INTO model (columns) SELECT … — the query's columns in `columns` order. Returns the rows."""
    sql, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) {sql}", params
        )
        return cursor.rowcount


class _Microseconds(Func):
    """`later − earlier` in whole microseconds, exactly (Python's `// timedelta(microseconds=1)`)."""

    output_field = BigIntegerField()
    arity = 2

    def as_postgresql(self, compiler, connection, **extra):
        (later, p1), (earlier, p2) = (compiler.compile(e) for e in self.source_expressions)
        epoch = "(EXTRACT(EPOCH FROM {}) * 1000000)::bigint"
        return f"({epoch.format(later)} - {epoch.format(earlier)})", (*p1, *p2)

    def as_sqlite(self, compiler, connection, **extra):
        (later, p1), (earlier, p2) = (compiler.compile(e) for e in self.source_expressions)
        return f"django_timestamp_diff({later}, {earlier})", (*p1, *p2)  # Django's own, in microseconds


class _FloorDiv(Func):
    """floor(value / divisor) for integers of either sign (SQL's integer division truncates)."""

    output_field = BigIntegerField()
    arity = 1

    def __init__(self, expression, divisor: int, **extra):
        super().__init__(expression, **extra)
        self.divisor = divisor

    def as_sql(self, compiler, connection, **extra):
        value, params = compiler.compile(self.source_expressions[0])
        n = int(self.divisor)
        return f"(CASE WHEN {value} >= 0 THEN {value} / {n} ELSE -((-({value}) + {n - 1}) / {n}) END)", (*params,) * 3


def tally_rows(reports: QuerySet) -> QuerySet:
    """The tallies of `reports`, computed by the database (the rebuild's path): the same values as
    `_tally` for each (tests/feedback/test_rollups.py rebuilds after random steps and compares)."""
    from .selectors import COUNTED_RATING, RATED_BY_HANDLER

    one, zero = Value(1), Value(0)

    def flag(*conditions, **lookups):
        return Case(When(*conditions, then=one, **lookups), default=zero, output_field=IntegerField())

    answered = Q(resolved_at__isnull=False)
    handling = _Microseconds("resolved_at", "submitted_at")
    reopened = Exists(ReportEvent.objects.filter(report=OuterRef("pk"), kind=EventKind.REOPENED))
    columns = {
        "t_report": F("pk"),
        "t_day": TruncDate("submitted_at", tzinfo=timezone.get_default_timezone()),
        "t_department": Coalesce("department_id", zero),
        "t_district": Coalesce("district_id", zero),
        "t_category": Coalesce("category_id", zero),
        "t_latitude": F("latitude"),
        "t_longitude": F("longitude"),
        "t_public": Case(When(is_hidden=True, then=Value(False)), default=Value(True), output_field=BooleanField()),
        "t_done": flag(status__in=sorted(DONE_STATUSES)),
        "t_resolved": flag(answered),
        "t_on_time": flag(answered, due_at__isnull=False, resolved_at__lte=F("due_at")),
        "t_fast": flag(answered, resolved_at__lte=F("submitted_at") + FAST_HANDLING),
        "t_rating": COUNTED_RATING,
        "t_satisfied": Case(
            When(RATED_BY_HANDLER, then=zero), When(rating__gte=4, then=one), default=zero, output_field=IntegerField()
        ),
        "t_complaint": flag(kind=ReportKind.PROBLEM),
        "t_reopened": Case(When(reopened, then=one), default=zero, output_field=IntegerField()),
        "t_asked_fixed": flag(fixed_asked_at__isnull=False),
        "t_said_fixed": flag(fixed_answer=FixedAnswer.FIXED),
        "t_said_not_fixed": flag(fixed_answer=FixedAnswer.NOT_FIXED),
        "t_handling": handling,
        "t_hour": _FloorDiv(handling, HOUR_US),
    }
    return reports.order_by().annotate(**columns).values_list(*columns)


def _sum_tallies() -> None:
    """The three day tables as GROUP BY of the tallies, in the database."""
    tallies_ = ReportTally.objects.order_by()
    _insert_select(
        DayFigures,
        [*FIGURE_KEYS, *FIGURE_COUNTS],
        tallies_.values(*FIGURE_KEYS).annotate(
            n_reports=Count("pk"),
            n_done=Sum("done"),
            n_resolved=Sum("resolved"),
            n_on_time=Sum("on_time"),
            n_fast=Sum("fast"),
            n_rating_sum=Coalesce(Sum("rating"), 0),
            n_rated=Count("rating"),
            n_satisfied=Sum("satisfied"),
            n_complaints=Sum("complaint"),
            n_reopened=Sum("reopened"),
            n_asked_fixed=Sum("asked_fixed"),
            n_said_fixed=Sum("said_fixed"),
            n_said_not_fixed=Sum("said_not_fixed"),
        ),
    )
    _insert_select(
        MonthHandling,
        [*HANDLING_KEYS, "reports", "handling_us"],
        tallies_.filter(hour__isnull=False)
        .annotate(month=TruncMonth("day"))
        .values(*HANDLING_KEYS)
        .annotate(n_reports=Count("pk"), n_handling=Sum("handling_us")),
    )
    located = tallies_.filter(public=True, latitude__isnull=False, longitude__isnull=False)
    for size in CELL_SIZES:
        step = Value(size, output_field=FloatField())
        cells = located.annotate(
            cell_size=Value(size_key(size)), cx=Floor(F("longitude") / step), cy=Floor(F("latitude") / step)
        )
        for category in (F("category_id"), Value(0)):  # each category, and all of them
            for month, first in ((False, F("day")), (True, TruncMonth("day"))):
                _insert_select(
                    DayCell,
                    [*CELL_KEYS, "reports"],
                    cells.annotate(cell_category=category, cell_month=Value(month), cell_day=first)
                    .values("cell_size", "cell_category", "cell_month", "cell_day", "cx", "cy")
                    .annotate(n_reports=Count("pk")),
                )


# --- Reads -----------------------------------------------------------------------------------------


def _totals() -> dict:
    return {f"n_{name}": Sum(name) for name in FIGURE_COUNTS}


def counts(row: dict) -> dict:
    """A summed DayFigures row as a row of `selectors.report_counts` (what `report_rates` reads)."""
    found = {name: row[f"n_{name}"] or 0 for name in FIGURE_COUNTS}
    return {
        "reports": found["reports"],
        "done": found["done"],
        "resolved": found["resolved"],
        "on_time": found["on_time"],
        "fast": found["fast"],
        "satisfaction": found["rating_sum"] / found["rated"] if found["rated"] else None,
        "rated": found["rated"],
        "satisfied": found["satisfied"],
        "complaints": found["complaints"],
        "reopened": found["reopened"],
        "asked_fixed": found["asked_fixed"],
        "said_fixed": found["said_fixed"],
        "said_not_fixed": found["said_not_fixed"],
    }


def _in_periods(periods, field: str = "day") -> Q:
    """Rows of the periods; by "month", the months they cover (periods are whole months or quarters)."""
    within = Q(pk__in=[])  # no period, no row
    for period in periods:
        within |= Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})
    return within


def _id(value: int):
    return value or None  # 0 is "none" in the rollups, NULL in the reports


def medians(rows: QuerySet, *group: str) -> dict[tuple, timedelta]:
    """The median handling time per group from the hour histogram (one query).

    The middle report (or the two middle ones) is found exactly by counting through the buckets in
    order; its handling time is read as the mean of its bucket. Exact when the middle bucket holds
    one report or reports of the same handling time; otherwise within that hour.
    """
    buckets = rows.values(*group, "hour").annotate(n=Sum("reports"), us=Sum("handling_us")).order_by(*group, "hour")
    found: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
    for row in buckets:
        if row["n"]:
            found[tuple(_id(row[g]) if g.endswith("_id") else row[g] for g in group)].append((row["n"], row["us"]))
    result = {}
    for key, histogram in found.items():
        total = sum(n for n, _us in histogram)
        wanted = sorted({(total + 1) // 2, (total + 2) // 2})
        values, seen = [], 0
        for n, us in histogram:
            while wanted and wanted[0] <= seen + n:
                values.append(us / n)
                wanted.pop(0)
            seen += n
        result[key] = timedelta(microseconds=sum(values) / len(values))
    return result


def figures(*, period, department_id: int | None = None) -> dict:
    """selectors.figures from the day rows: per department and per district for one period."""
    previous = period.previous()
    scope = DayFigures.objects.order_by()
    if department_id is not None:
        scope = scope.filter(department_id=department_id)
    rows, before = scope.filter(_in_periods([period])), scope.filter(_in_periods([previous]))
    histogram = MonthHandling.objects.order_by().filter(_in_periods([period], "month"))
    if department_id is not None:
        histogram = histogram.filter(department_id=department_id)
    from projects.models import Department, District

    return {
        "period": period,
        "previous": previous,
        "by_department": _grouped(rows, before, histogram, "department_id", Department),
        "by_district": _grouped(rows, before, histogram, "district_id", District),
    }


def _grouped(rows: QuerySet, before: QuerySet, histogram: QuerySet, group: str, named) -> list[dict]:
    from .selectors import hours, report_rates

    summed = list(rows.values(group).annotate(**_totals()).filter(n_reports__gt=0))
    complaints_before = dict(before.values(group).annotate(n=Sum("complaints")).values_list(group, "n"))
    handling = medians(histogram, group)
    # Named in the database's collation order: the direct query's ORDER BY -reports, name.
    names = dict(
        named.objects.filter(pk__in=[r[group] for r in summed if r[group]]).order_by("name").values_list("pk", "name")
    )
    rank = {pk: i for i, pk in enumerate(names)}
    # NULL (no department or district) sorts last on PostgreSQL, first on SQLite.
    unnamed = len(rank) if connection.vendor == "postgresql" else -1
    result = []
    for row in summed:
        key, found = row[group], counts(row)
        rates = report_rates(found)
        result.append(
            {
                "name": names.get(key) or "—",
                "reports": found["reports"],
                "closure_rate": rates["closure_rate"],
                "on_time_rate": rates["on_time_rate"],
                "median_hours": hours(handling.get((_id(key),))),
                "satisfaction": rates["satisfaction"],
                "complaints": found["complaints"],
                "complaints_before": complaints_before.get(key) or 0,
                "asked_fixed": found["asked_fixed"],
                "said_fixed": found["said_fixed"],
                "said_not_fixed": found["said_not_fixed"],
            }
        )
    order = [(-row["n_reports"], rank.get(row[group], unnamed)) for row in summed]
    return [row for _key, row in sorted(zip(order, result, strict=True), key=lambda pair: pair[0])]


def quarterly_figures(periods, *group: str, department_id: int | None = None) -> dict[tuple, dict]:
    """selectors.quarterly_figures from the day rows: per (*group, year, quarter) of submission."""
    from .selectors import hours, report_rates

    rows = DayFigures.objects.order_by().filter(_in_periods(periods))
    histogram = MonthHandling.objects.order_by().filter(_in_periods(periods, "month"))
    if department_id is not None:
        rows, histogram = rows.filter(department_id=department_id), histogram.filter(department_id=department_id)
    keys = (*group, "year", "quarter")
    handling = medians(histogram.annotate(year=ExtractYear("month"), quarter=ExtractQuarter("month")), *keys)
    when = {"year": ExtractYear("day"), "quarter": ExtractQuarter("day")}
    result = {}
    for row in rows.annotate(**when).values(*keys).annotate(**_totals()).filter(n_reports__gt=0):
        key = tuple(_id(row[k]) if k in group else row[k] for k in keys)
        found = counts(row)
        result[key] = {
            **dict(zip(keys, key, strict=True)),
            **found,
            **report_rates(found),
            "median_hours": hours(handling.get(key)),
        }
    return result


def period_counts(period) -> dict:
    """One row of `selectors.report_counts` for the whole city and `period` (one query)."""
    return counts(DayFigures.objects.filter(_in_periods([period])).aggregate(**_totals()))


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _spans(start: date, end: date) -> Q:
    """The DayCell rows that sum [start, end) once: its whole months' rows, and the day rows of the days
    before the first whole month and after the last."""
    first = start if start.day == 1 else _next_month(start)
    last = end.replace(day=1)  # the end of the whole months
    if first >= last:
        return Q(month=False, day__gte=start, day__lt=end)
    return (
        Q(month=False, day__gte=start, day__lt=first)
        | Q(month=True, day__gte=first, day__lt=last)
        | Q(month=False, day__gte=last, day__lt=end)
    )


def cell_counts(query) -> list[dict]:
    """hotspots.cell_counts from the day rows: [{x, y, count, previous}] densest first, one query."""
    from .hotspots import MAX_CELLS

    since, until = query.since_date, query.until_date + timedelta(days=1)
    rows = DayCell.objects.filter(_spans(since - timedelta(days=query.days), since) | _spans(since, until))
    rows = rows.filter(size=size_key(query.cell))
    rows = rows.filter(category_id=query.category_id or 0)  # 0: the rows of all categories
    if query.bbox:
        # The bbox is snapped to whole cells (hotspot_params.snap): its edges are cell numbers.
        west, south, east, north = (round(edge / query.cell) for edge in query.bbox)
        rows = rows.filter(x__gte=west, x__lt=east, y__gte=south, y__lt=north)
    in_period = Q(day__gte=query.since_date)
    cells = (
        rows.values("x", "y")
        .annotate(
            count=Sum("reports", filter=in_period, default=0), previous=Sum("reports", filter=~in_period, default=0)
        )
        .filter(count__gt=0)
        .order_by("-count", "x", "y")[:MAX_CELLS]
    )
    return [{"x": c["x"], "y": c["y"], "count": c["count"], "previous": c["previous"]} for c in cells]
