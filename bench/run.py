"""The benchmark of a large city: `make bench` (full size) and `make bench-quick` (1/20).

One run: (re)build the city in PostgreSQL with seed_demo's size options, then measure
1. the map (street zoom, a district box; whole city zoomed out, clusters),
2. the project list (filtered page, deep page by OFFSET and by cursor, API and HTML) and a project with 100 updates and 1,000
   expenditures (API and page),
3. intake through gunicorn (JSON reports; reports with a 3 MB photo) against a minimal view,
4. dispatch latency with a real Celery worker and Redis at a steady 20 reports/s,
5. a quarter's scorecards,
6. peak memory of the web and worker processes,
7. the figures, hotspots and league table (from the rollups) for a month, a quarter, a year and
   the whole period, and the report list's first and deep pages (HTML and API),
8. 1,000 open tracking pages polling every 5 s while intake runs at 100 reports/s;
and write bench/results.json and bench/RESULTS.md. Every figure is a ratio to a lower bound
measured in the same run (timings on a shared machine are noisy); nothing asserts a time.
"""

import argparse
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZES = {
    "full": {"projects": 100_000, "reports": 1_000_000, "responses": 200_000, "runs": 10, "load_seconds": 60},
    "quick": {"projects": 5_000, "reports": 50_000, "responses": 10_000, "runs": 8, "load_seconds": 15},
    # Not in CI: about an hour to build (docs/performance.md, "The province").
    "province": {"projects": 100_000, "reports": 10_000_000, "responses": 1_000_000, "runs": 10, "load_seconds": 60},
}
OUT = {"full": "", "quick": "quick", "province": "province"}
POLL_PAGES, POLL_INTERVAL, POLL_INTAKE_RATE = 1000, 5.0, 100.0
BENCH_PROJECT = "MX-BENCH-0001"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed(fn, runs: int, warmup: int = 2) -> dict:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": round(statistics.median(times), 2), "p95_ms": round(percentile(times, 0.95), 2)}


def environment(args) -> dict:
    media = Path(tempfile.mkdtemp(prefix="cw-bench-media-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "DJANGO_", "CELERY_"))}
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.database}",
        REDIS_URL=f"redis://127.0.0.1:6379/{args.redis_db}",
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-only-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        DJANGO_MEDIA_ROOT=str(media),
        DJANGO_LOG_LEVEL="WARNING",
        CIVICWORKS_HOTSPOT_CACHE_SECONDS="0",  # the hotspots are measured counting, not read from Redis
        CELERY_TASK_ALWAYS_EAGER="0",
        PYTHONPATH=str(ROOT),
    )
    return env


# --- 0. the city ---------------------------------------------------------------------------------


def build_city(args, size: dict, env: dict) -> dict:
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-v", "ON_ERROR_STOP=1"]
    subprocess.run([*psql, "-c", f"DROP DATABASE IF EXISTS {args.database}"], check=True)
    subprocess.run([*psql, "-c", f"CREATE DATABASE {args.database}"], check=True)
    manage = [sys.executable, "manage.py"]
    env = {**env, "DJANGO_SETTINGS_MODULE": "civicworks.settings"}  # see bench/settings.py
    start = time.perf_counter()
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    migrated = time.perf_counter()
    seed = [*manage, "seed_demo", "--quiet-logins", "-v", "2", "--projects", str(size["projects"])]
    seed += ["--reports", str(size["reports"]), "--responses", str(size["responses"])]
    out, peak_kb = run_measured(seed, env)
    seeded = time.perf_counter()
    subprocess.run([*psql, "-d", args.database, "-c", "VACUUM ANALYZE"], check=True)
    lines = out.strip().splitlines()
    log("\n".join(lines))
    # "timing <step> <seconds> s" lines (seed_demo -v 2): each app's step, and the rollups' rebuild.
    steps = {line.split()[1]: float(line.split()[2]) for line in lines if line.startswith("timing ")}
    return {
        "migrate_s": round(migrated - start, 1),
        "seed_s": round(seeded - migrated, 1),
        "seed_steps_s": steps,
        "rollups_s": steps.get("rollups"),
        "seed_peak_rss_mb": round(peak_kb / 1024, 1),
        "vacuum_analyze_s": round(time.perf_counter() - seeded, 1),
        "seed_output": [line for line in lines if not line.startswith("timing ")],
    }


def run_measured(command: list[str], env: dict) -> tuple[str, int]:
    """Run `command` to the end: its output and its peak RSS in KiB (wait4's rusage of that one process)."""
    with tempfile.NamedTemporaryFile(mode="w+", prefix="cw-bench-seed-", suffix=".log") as output:
        log(f"{' '.join(command[1:])} (its output so far: {output.name})")
        child = subprocess.Popen(command, cwd=ROOT, env={**env, "PYTHONUNBUFFERED": "1"}, stdout=output)
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            raise subprocess.CalledProcessError(child.returncode, command)
        output.seek(0)
        return output.read(), usage.ru_maxrss


def bench_project() -> str:
    """One project with 100 progress updates and 1,000 expenditures (the project page case)."""
    from decimal import Decimal

    from django.utils import timezone

    from projects.models import Expenditure, ProgressUpdate, Project

    if Project.objects.filter(code=BENCH_PROJECT).exists():
        return BENCH_PROJECT
    project = Project.objects.filter(code__startswith="MX-B0", stage="construction").order_by("code").first()
    project.pk, project.id, project.code = None, None, BENCH_PROJECT
    project.budget = Decimal("50000000")
    project.save()
    now, today = timezone.now(), timezone.localdate()
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(project=project, stage="construction", percent_complete=min(99, i), text=f"第{i + 1}次进度更新",
                       created_at=now - timedelta(days=100 - i))
        for i in range(100)
    )  # fmt: skip
    Expenditure.objects.bulk_create(
        Expenditure(project=project, date=today - timedelta(days=i % 300), amount=Decimal("12345.67"),
                    payee="锦川市第一建筑工程有限公司", purpose="工程进度款", voucher_number=f"BENCH-{i:05d}")
        for i in range(1000)
    )  # fmt: skip
    return BENCH_PROJECT


# --- 1, 2, 5: in-process measurements against their lower bounds ---------------------------------------


class InProcess:
    def __init__(self, runs: int) -> None:
        import psycopg2
        from django.conf import settings
        from django.test import Client

        self.runs = runs
        self.client = Client(HTTP_HOST="127.0.0.1")
        db = settings.DATABASES["default"]
        # The lower bounds' connection: the server settings the product's own has (no JIT).
        options = db.get("OPTIONS", {}).get("options", "")
        self.raw = psycopg2.connect(
            dbname=db["NAME"], host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], options=options
        )
        self.raw.autocommit = True

    def queries(self, fn) -> int:
        """Statements run by fn (an execute wrapper: the naive baselines pass the 9,000 of query capture)."""
        from django.db import connection

        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            fn()
        return count

    def get(self, url: str):
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return response

    def endpoint(self, name: str, url: str, lower, naive_url: str | None = None, naive_runs: int = 3) -> dict:
        log(f"measuring {name}")
        load_before = os.getloadavg()[0]
        body = self.get(url).content
        row = {"name": name, "url": url, **timed(lambda: self.get(url), self.runs)}
        row["queries"] = self.queries(lambda: self.get(url))
        row["bytes"], row["gzip_bytes"] = len(body), len(gzip.compress(body))
        with self.raw.cursor() as cursor:
            row["lower_ms"] = timed(lambda: lower(cursor), self.runs)["median_ms"]
        row["ratio"] = round(row["median_ms"] / row["lower_ms"], 2)
        if naive_url:
            row["naive_ms"] = timed(lambda: self.get(naive_url), naive_runs, warmup=1)["median_ms"]
            row["naive_queries"] = self.queries(lambda: self.get(naive_url))
            row["naive_ratio"] = round(row["naive_ms"] / row["lower_ms"], 2)
        row["load_avg"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        return row

    def call(self, name: str, label: str, fn, lower) -> dict:
        """A selector called in-process (a period no page offers), against its lower bound."""
        log(f"measuring {name}")
        load_before = os.getloadavg()[0]
        row = {"name": name, "url": label, **timed(fn, self.runs)}
        row["queries"] = self.queries(fn)
        with self.raw.cursor() as cursor:
            row["lower_ms"] = timed(lambda: lower(cursor), self.runs)["median_ms"]
        row["ratio"] = round(row["median_ms"] / row["lower_ms"], 2)
        row["load_avg"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        return row


def map_boxes() -> dict:
    """A box of about a tenth of the city's projects (10,000 of 100,000) inside one district, and the city."""
    from django.db.models import Max, Min

    from projects.models import Project

    public = Project.objects.public()
    city = public.aggregate(w=Min("longitude"), s=Min("latitude"), e=Max("longitude"), n=Max("latitude"))
    west, south, east, north = city["w"], city["s"], city["e"], city["n"]
    target, width = public.count() // 10, east - west
    box = (west, south, west + width * 0.1, north)
    for share in [x / 100 for x in range(10, 101, 2)]:
        box = (west, south, west + width * share, north)
        if public.filter(longitude__lte=box[2]).count() >= target:
            break
    in_view = public.filter(longitude__gte=box[0], longitude__lte=box[2]).count()
    return {"street": box, "city": (west, south, east, north), "in_view": in_view}


def measure_reads(runs: int, naive_runs: int) -> list[dict]:
    bench = InProcess(runs)
    rows = [*measure_map(bench, naive_runs), *measure_projects(bench, naive_runs), measure_scorecards(bench)]
    return [*rows, *measure_rollup_reads(bench), *measure_report_pages(bench)]


def measure_map(bench: InProcess, naive_runs: int) -> list[dict]:
    from bench import lower
    from projects.api import MAX_POINTS

    boxes = map_boxes()
    street = ",".join(f"{x:.6f}" for x in boxes["street"])
    city = ",".join(f"{x:.6f}" for x in boxes["city"])
    url = f"/api/v1/projects/map/?bbox={street}&zoom=15"
    points = bench.endpoint(
        "map, street zoom (15), district box",
        url,
        lambda c: lower.map_points(c, boxes["street"], MAX_POINTS),
        f"/bench/naive/map/?bbox={street}&zoom=15",
        naive_runs,
    )
    returned = len(json.loads(bench.get(url).content)["features"])
    points["note"] = (
        f"{boxes['in_view']:,} projects in view, {returned:,} returned (at most MAX_POINTS = {MAX_POINTS:,})"
    )
    zoom = 11
    cell = 360 / 2**zoom / 4
    clusters = bench.endpoint(
        "map, whole city zoomed out (11), clusters",
        f"/api/v1/projects/map/?bbox={city}&zoom={zoom}",
        lambda c: lower.map_clusters(c, boxes["city"], cell),
        f"/bench/naive/map/?bbox={city}&zoom={zoom}",
        naive_runs,
    )
    return [points, clusters]


def measure_projects(bench: InProcess, naive_runs: int) -> list[dict]:
    from bench import lower
    from projects.models import Project
    from projects.views import PAGE_EXPENDITURES

    last = max(1, (Project.objects.public().count() + 49) // 50)
    code = bench_project()
    small = Project.objects.filter(code__startswith="MX-2").exclude(stage="planned").order_by("code").first()
    rows = [
        bench.endpoint(
            "project list, district + stage, page 1",
            "/api/v1/projects/?district=linjiang&stage=construction",
            lambda c: lower.list_page(c, district="linjiang", stage="construction", offset=0),
            "/bench/naive/projects/?district__code=linjiang&stage=construction",
            naive_runs,
        ),
        # Our API serves numbered pages up to 50 only: the deep page by OFFSET is the naive baseline's.
        *measure_cursor_pages(bench, last, naive_runs),
        bench.endpoint(
            "project API, 100 updates + 1,000 expenditures",
            f"/api/v1/projects/{code}/",
            lambda c: lower.hub(c, code),
            f"/bench/naive/projects/{code}/",
            naive_runs,
        ),
        bench.endpoint(
            "project page (HTML), 100 updates + 1,000 expenditures (20 newest shown)",
            f"/projects/{code}/",
            lambda c: lower.hub(c, code, expenditures=PAGE_EXPENDITURES + 1),
        ),
    ]
    rows[-1]["breakdown"] = page_breakdown(bench, code, PAGE_EXPENDITURES + 1, rows[-1]["median_ms"])
    # "Query count constant": the same statements for a small project as for the large one.
    spent = small.expenditures.count()
    for row, url in zip(rows[4:], [f"/api/v1/projects/{small.code}/", f"/projects/{small.code}/"], strict=True):
        row["note"] = f"{bench.queries(lambda u=url: bench.get(u))} queries for a project with {spent} expenditures"
    return rows


def page_breakdown(bench: InProcess, code: str, expenditures: int, page_ms: float) -> dict:
    """Where the project page's time goes: the project with its chain and money (projects), the
    panels of the other apps (evaluation, feedback, participation), and the rest (the template,
    the middleware), by difference."""
    from projects import panels, selectors

    project = selectors.project_detail(code=code, expenditures=expenditures)
    parts = {
        "project": (lambda: selectors.project_detail(code=code, expenditures=expenditures)),
        "panels": (lambda: panels.fill(project)),
    }
    found = {}
    for name, fn in parts.items():
        found[f"{name}_ms"] = timed(fn, bench.runs)["median_ms"]
        found[f"{name}_queries"] = bench.queries(fn)
    found["rest_ms"] = round(page_ms - found["project_ms"] - found["panels_ms"], 2)
    return found


def measure_cursor_pages(bench: InProcess, last: int, naive_runs: int) -> list[dict]:
    """The deep page again, by cursor (same rows, no filter): the API's and the HTML list's."""
    from bench import lower
    from civicworks import keyset
    from projects import selectors

    ordered = selectors.project_list().order_by("-year", "code")
    before = ordered[max(0, (last - 1) * 50 - 1)]  # the row before the deep page (OFFSET once, to find it)
    token = keyset.cursor_after(ordered, before)
    after = (before.year, before.code)
    return [
        bench.endpoint(
            f"project list, deep page ({last}) by cursor",
            f"/api/v1/projects/?cursor={token}",
            lambda c: lower.list_page(c, district=None, stage=None, offset=0, after=after),
            f"/bench/naive/projects/?page={last}",
            naive_runs,
        ),
        bench.endpoint(
            "project list page (HTML), page 1",
            "/projects/",
            lambda c: lower.list_page(c, district=None, stage=None, offset=0),
        ),
        bench.endpoint(
            "project list page (HTML), deep page by cursor",
            f"/projects/?cursor={token}",
            lambda c: lower.list_page(c, district=None, stage=None, offset=0, after=after),
        ),
    ]


def measure_scorecards(bench: InProcess) -> dict:
    from bench import lower
    from civicworks.accounts.models import Role, User
    from evaluation import services
    from evaluation.indicators import start_of
    from evaluation.models import CycleState, ReviewCycle

    log("measuring scorecards")
    cycle = ReviewCycle.objects.filter(state=CycleState.OPEN).order_by("-year", "-quarter").first()
    evaluator = User.objects.filter(role=Role.EVALUATOR).order_by("pk").first()
    previous = ReviewCycle(year=cycle.previous_key[0], quarter=cycle.previous_key[1])
    params = {
        "cycle": cycle.pk,
        "start": start_of(cycle.starts_on),
        "end": start_of(cycle.ends_on + timedelta(days=1)),
        "prev_start": start_of(previous.starts_on),
    }

    def compute():
        services.cycle_compute(cycle=cycle, by=evaluator)

    runs = max(3, bench.runs // 2)
    load_before = os.getloadavg()[0]
    row = {"name": f"quarterly scorecards ({cycle.projects.count():,} projects)", "url": "cycle_compute()"}
    row.update(timed(compute, runs, warmup=1))
    row["queries"] = bench.queries(compute)
    with bench.raw.cursor() as cursor:
        row["lower_ms"] = timed(lambda: lower.scorecards_with_writes(cursor, params), runs, warmup=1)["median_ms"]
    row["ratio"] = round(row["median_ms"] / row["lower_ms"], 2)
    row["load_avg"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    row["note"] = (
        "lower bound: the scorecards' input numbers in one SELECT, then the cycle's indicator values and "
        "scorecards upserted in one statement per table"
    )
    return row


# --- 7: the rollups' reads and the report list -------------------------------------------------------------


def periods() -> dict:
    """The last complete month and quarter, the last twelve complete months, and every day of the city
    (Period's "previous" of a long period is the one as long before it)."""
    from django.db.models import Min
    from django.utils import timezone

    from feedback.models import DayFigures
    from feedback.selectors import Period, period_from
    from opendata.departments import Quarter

    today = timezone.localdate()
    this_month = today.replace(day=1)
    year_ago = this_month.replace(year=this_month.year - 1)
    first = DayFigures.objects.aggregate(first=Min("day"))["first"] or today
    return {
        "month": period_from(""),
        "quarter": Quarter.default().period,
        "year": Period(year_ago, this_month, f"{year_ago:%Y-%m}…{this_month - timedelta(days=1):%Y-%m}"),
        "whole period": Period(first, today + timedelta(days=1), f"{first}…{today}"),
    }


def measure_rollup_reads(bench: InProcess) -> list[dict]:
    from bench import lower
    from feedback import selectors

    rows = []
    for span, period in periods().items():
        before = period.previous().start
        figures_lower = lambda c, p=period, b=before: lower.figures(c, p.start, p.end, b)  # noqa: E731
        if span in ("month", "quarter"):  # the page's ?period= takes a month or a quarter
            url = f"/reports/figures/?period={period.label}"
            rows.append(bench.endpoint(f"figures page, {span} ({period.label})", url, figures_lower))
        else:
            rows.append(
                bench.call(
                    f"figures, {span} ({period.label}, selector)",
                    "feedback.selectors.figures(period=…)",
                    lambda p=period: selectors.figures(period=p),
                    figures_lower,
                )
            )
    rows += measure_hotspots(bench)
    rows += measure_league(bench)
    return rows


def measure_hotspots(bench: InProcess) -> list[dict]:
    from bench import lower
    from feedback.hotspot_params import DEFAULT_CELL, MAX_DAYS
    from feedback.hotspots import MAX_CELLS
    from feedback.rollups import size_key

    rows = []
    for span, period in periods().items():
        since, until = period.start, period.end - timedelta(days=1)
        if (until - since).days + 1 > MAX_DAYS:
            continue  # the hotspots serve periods of at most MAX_DAYS days (the whole period is longer)
        url = f"/api/v1/reports/hotspots/?since={since}&until={until}"
        row = bench.endpoint(
            f"hotspots API, whole city, {span} ({since}…{until})",
            url,
            lambda c, a=since, b=until: lower.hotspots(c, a, b, size_key(DEFAULT_CELL), MAX_CELLS),
        )
        row["note"] = f"cell {DEFAULT_CELL}°, at most {MAX_CELLS:,} cells; the page's cache is off (bench)"
        rows.append(row)
    quarter = periods()["quarter"]
    since, until = quarter.start, quarter.end - timedelta(days=1)
    rows.append(
        bench.endpoint(
            f"hotspots page (HTML), quarter ({since}…{until})",
            f"/hotspots/?since={since}&until={until}",
            lambda c: lower.hotspots(c, since, until, size_key(DEFAULT_CELL), MAX_CELLS),
        )
    )
    return rows


def measure_league(bench: InProcess) -> list[dict]:
    """The league table is per quarter (the only period its page and API offer)."""
    from bench import lower
    from opendata.departments import Quarter

    quarter = Quarter.default()
    earlier = quarter.year_before().period
    args = (quarter.period.start, quarter.period.end, earlier.start, earlier.end)
    rows = [
        bench.endpoint(
            f"league table page (HTML), quarter ({quarter.label})",
            f"/departments/?{quarter.query}",
            lambda c: lower.league_reports(c, *args),
        ),
        bench.endpoint(
            f"league table API, quarter ({quarter.label})",
            f"/api/v1/departments/league/?{quarter.query}",
            lambda c: lower.league_reports(c, *args),
        ),
    ]
    rows[0]["note"] = "lower bound: the report columns in one SELECT; the page also reads scores, milestones, orders"
    return rows


def measure_report_pages(bench: InProcess) -> list[dict]:
    """The public report list, page 1 and a page near its end by cursor: HTML (25 a page) and API (50)."""
    from bench import lower
    from civicworks import keyset
    from feedback import selectors
    from feedback.models import Report
    from feedback.views import PAGE_SIZE

    ordered = selectors.public_reports().order_by("-submitted_at")
    # The row before the last pages, found from the other end (no OFFSET over millions of rows).
    before = Report.objects.public().order_by("submitted_at", "id")[100]
    token, after = keyset.cursor_after(ordered, before), (before.submitted_at, before.pk)
    rows = []
    for kind, path, size in (("HTML", "/reports/", PAGE_SIZE), ("API", "/api/v1/reports/", 50)):
        first = bench.endpoint(f"report list ({kind}), page 1", path, lambda c, n=size: lower.report_page(c, n))
        deep = bench.endpoint(
            f"report list ({kind}), deep page by cursor",
            f"{path}?cursor={token}",
            lambda c, n=size: lower.report_page(c, n, after),
        )
        deep["page1_ms"] = first["median_ms"]
        deep["to_page1"] = round(deep["median_ms"] / first["median_ms"], 2)
        deep["note"] = f"{deep['to_page1']}× page 1 ({first['median_ms']} ms); the cursor is 100 rows from the end"
        rows += [first, deep]
    return rows


# --- 3, 4, 6: through gunicorn and Celery ----------------------------------------------------------------


def run_services(args, size: dict, env: dict) -> list[dict]:
    from bench import load
    from tests.integration import procs

    logs = Path(tempfile.mkdtemp(prefix="cw-bench-logs-"))
    port, hook_port = args.port, args.port + 1
    web = procs.gunicorn(port, env, logs)
    web.start()
    rows = []
    try:
        assert procs.wait_until(lambda: procs.port_open(port), 60), "gunicorn did not start"
        rows += load.intake(port, web, size["load_seconds"])
        rows.append(polls_during_intake(args, port, web, size["load_seconds"], logs))
        worker = celery_worker(env, logs)
        try:
            rows.append(load.dispatch(port, hook_port, web, worker, size["load_seconds"]))
        finally:
            worker.stop()
    finally:
        web.stop()
    return rows


def polls_during_intake(args, port: int, web, seconds: float, logs: Path) -> dict:
    """POLL_PAGES open tracking pages polling every POLL_INTERVAL s (bench/live_poll.py, its own process,
    open loop) while reports arrive at POLL_INTAKE_RATE a second (open loop)."""
    from bench import load
    from feedback.models import Report

    codes = Report.objects.public().order_by("-pk").values_list("tracking_code", flat=True)[:POLL_PAGES]
    urls = logs / "poll_urls.txt"
    urls.write_text("".join(f"/track/{code}/live/\n" for code in codes))
    poller = [sys.executable, str(ROOT / "bench" / "live_poll.py"), "run", "--base", f"http://127.0.0.1:{port}",
              "--urls", str(urls), "--pages", str(POLL_PAGES), "--interval", str(POLL_INTERVAL),
              "--duration", str(seconds), "--server-pid", str(web.popen.pid), "--database", args.database, "--json"]  # fmt: skip
    log(f"load: {POLL_PAGES:,} pages polling every {POLL_INTERVAL:g} s, intake {POLL_INTAKE_RATE:g}/s, {seconds:.0f} s")
    load_before = os.getloadavg()[0]
    polling = subprocess.Popen(poller, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    intake = load.steady_intake(port, POLL_INTAKE_RATE, seconds)
    polls = json.loads(polling.communicate(timeout=seconds + 120)[0].strip().splitlines()[-1])
    answered = sum(n for status, n in polls["statuses"].items() if status in ("200", "304"))
    return {
        "name": f"live polls, {POLL_PAGES:,} tracking pages every {POLL_INTERVAL:g} s, intake at "
        f"{POLL_INTAKE_RATE:g}/s",
        "url": "GET /track/<code>/live/ (If-None-Match) + POST /api/v1/reports/",
        "seconds": polls["seconds"],
        "requests_per_s": polls["req_per_s"],
        "p50_ms": polls["p50_ms"],
        "p95_ms": polls["p95_ms"],
        "p99_ms": polls["p99_ms"],
        "lag_p95_ms": polls["lag_p95_ms"],
        "answered_2xx": answered,
        "errors": polls["errors"] + polls["requests"] - answered,
        "statuses": polls["statuses"],
        "server_cpu_percent_of_one_core": polls["server_cpu_percent_of_one_core"],
        **{f"intake_{k}": v for k, v in intake.items()},
        "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def celery_worker(env: dict, logs: Path):
    from tests.integration import procs

    subprocess.run(["redis-cli", "-n", env["REDIS_URL"].rsplit("/", 1)[1], "FLUSHDB"], check=True, capture_output=True)
    args = [sys.executable, "-m", "celery", "-A", "civicworks", "worker", "--concurrency", "2",
            "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "INFO"]  # fmt: skip
    worker = procs.Proc("worker", args, env, logs)
    worker.start()
    log_file = logs / f"worker.{worker.starts}.log"
    assert procs.wait_until(lambda: "ready." in log_file.read_text(errors="replace"), 60), "worker did not start"
    return worker


# --- results -----------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument("--database", default="civicworks_bench")
    parser.add_argument("--redis-db", type=int, default=4)
    parser.add_argument("--port", type=int, default=8750)
    parser.add_argument("--reuse", action="store_true", help="Keep the database of an earlier run (no seed).")
    parser.add_argument("--out", help="Folder for results.json and RESULTS.md (bench/, bench/quick/, bench/province/).")
    args = parser.parse_args()
    size = SIZES[args.size]
    env = environment(args)
    os.environ.update(env)
    started = time.perf_counter()
    results = {
        "size": args.size,
        "city": {k: size[k] for k in ("projects", "reports", "responses")},
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_avg_start": os.getloadavg()},
    }
    log(f"size {args.size}: {results['city']}")
    results["build"] = None if args.reuse else build_city(args, size, env)
    static = [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"]
    subprocess.run(static, cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "civicworks.settings"}, check=True)
    import django

    import civicworks  # noqa: F401 — before bench.settings, see there

    django.setup()
    results["measurements"] = measure_reads(size["runs"], naive_runs=2 if args.size == "full" else 3)
    results["measurements"] += run_services(args, size, env)
    results["machine"]["load_avg_end"] = os.getloadavg()
    results["total_s"] = round(time.perf_counter() - started, 1)
    out = Path(args.out or ROOT / "bench" / OUT[args.size])
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
    from bench.report import markdown

    (out / "RESULTS.md").write_text(markdown(results))
    log(f"done in {results['total_s']} s: {out / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
