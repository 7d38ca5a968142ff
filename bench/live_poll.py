"""Cost of live updates: N open pages polling fragment endpoints with If-None-Match.

    # 1. a database with a few projects and reports to poll (idempotent)
    DATABASE_URL=... .venv/bin/python bench/live_poll.py setup --out /tmp/live_urls.txt
    # 2. gunicorn on 127.0.0.1 (see docs/performance.md, "Live updates"), then
    .venv/bin/python bench/live_poll.py run --base http://127.0.0.1:8611 --urls /tmp/live_urls.txt \
        --pages 1000 --interval 5 --duration 60 --server-pid <gunicorn master pid>
    # 3. capacity: as fast as K connections can go (closed loop)
    .venv/bin/python bench/live_poll.py run ... --saturate 16 --duration 30

Open-loop mode models real pages: page i polls at offset (i / pages) * interval, then every
`interval` seconds, whatever the server's speed; a late answer shows up as latency and lag,
not as fewer requests. Only the standard library is used (http.client in threads).
"""

import argparse
import heapq
import http.client
import json
import os
import queue
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]


# --- setup (Django) ---------------------------------------------------------------------------


def setup(out: Path, projects: int, reports: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicworks.settings")
    import django

    django.setup()
    from datetime import date, timedelta

    from django.utils import timezone

    from feedback.demo import seed_categories
    from feedback.models import Report, ReportStatus, ServiceCategory
    from projects.demo import seed_directory
    from projects.models import Community, Department, ProgressUpdate, Project, ProjectCategory

    seed_directory()
    seed_categories()
    rng = random.Random(7)
    communities = list(Community.objects.select_related("district"))
    department = Department.objects.get(name="市住房和城乡建设局")
    category = ProjectCategory.objects.first()
    for i in range(projects):
        community = communities[i % len(communities)]
        project, created = Project.objects.get_or_create(
            code=f"BENCH-{i:03d}",
            defaults={
                "title": f"{community.name}基础设施改造（压测）", "category": category, "district": community.district,
                "community": community, "latitude": 30.66, "longitude": 104.06, "year": 2026, "stage": "construction",
                "percent_complete": 30, "planned_start": date(2026, 3, 1), "lead_unit": department,
            },
        )  # fmt: skip
        if created:
            for k in range(5):
                ProgressUpdate.objects.create(
                    project=project, stage="construction", percent_complete=10 + k * 5, text=f"第{k + 1}次进展（压测）"
                )
    road = ServiceCategory.objects.get(code="road")
    have = Report.objects.filter(text__startswith="压测").count()
    now = timezone.now()
    Report.objects.bulk_create(
        Report(
            category=road, text="压测诉求", latitude=30.6 + 0.12 * rng.random(), longitude=103.98 + 0.16 * rng.random(),
            status=ReportStatus.DISPATCHED, department=department, dispatched_at=now, due_at=now + timedelta(hours=48),
            submitted_at=now - timedelta(days=rng.uniform(0, 60)),
        )
        for _ in range(max(0, reports - have))
    )  # fmt: skip
    codes = Report.objects.filter(text__startswith="压测").values_list("tracking_code", flat=True)[:reports]
    urls = [f"/projects/BENCH-{i:03d}/live/" for i in range(projects)] + [f"/track/{c}/live/" for c in codes]
    out.write_text("\n".join(urls) + "\n")
    print(f"{len(urls)} fragment URLs written to {out}")


# --- measuring --------------------------------------------------------------------------------


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of the processes (and their threads), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def family(pid: int) -> list[int]:
    """The gunicorn master and its workers."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    children.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                pass
    return [pid, *children]


def postgres_backends(database: str) -> list[int]:
    """Server processes of our database only (other databases share this PostgreSQL)."""
    import subprocess

    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc",
         f"select pid from pg_stat_activity where datname = '{database}' and pid <> pg_backend_pid()"],
        capture_output=True, text=True, check=False,
    ).stdout  # fmt: skip
    return [int(line) for line in out.split() if line.strip().isdigit()]


class Client(threading.local):
    """One keep-alive connection per thread, like a browser tab's connection to the site."""

    def __init__(self, host: str, port: int):
        self.connection = http.client.HTTPConnection(host, port, timeout=10)

    def get(self, path: str, etag: str | None) -> tuple[int, str | None]:
        headers = {"If-None-Match": etag} if etag else {}
        for attempt in range(2):
            try:
                self.connection.request("GET", path, headers=headers)
                response = self.connection.getresponse()
                response.read()
                return response.status, response.getheader("ETag")
            except (http.client.HTTPException, OSError):
                self.connection.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.lags: list[float] = []
        self.statuses: dict[int, int] = {}
        self.errors = 0

    def add(self, status: int, latency: float, lag: float) -> None:
        with self.lock:
            self.latencies.append(latency)
            self.lags.append(lag)
            self.statuses[status] = self.statuses.get(status, 0) + 1


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def open_loop(args, urls: list[str], host: str, port: int, stats: Stats) -> None:
    """Pages poll on their own clock; worker threads carry the requests out."""
    pages = [{"url": urls[i % len(urls)], "etag": None} for i in range(args.pages)]
    start = time.monotonic()
    due = [(start + args.interval * i / args.pages, i) for i in range(args.pages)]
    heapq.heapify(due)
    jobs: queue.Queue = queue.Queue()
    stop = start + args.duration

    def worker():
        client = Client(host, port)
        while (job := jobs.get()) is not None:
            scheduled, i = job
            sent = time.monotonic()
            try:
                status, etag = client.get(pages[i]["url"], pages[i]["etag"])
            except (http.client.HTTPException, OSError):
                with stats.lock:
                    stats.errors += 1
                continue
            if etag:
                pages[i]["etag"] = etag
            stats.add(status, time.monotonic() - sent, sent - scheduled)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.threads)]
    for t in threads:
        t.start()
    while due and due[0][0] < stop:
        when, i = heapq.heappop(due)
        time.sleep(max(0.0, when - time.monotonic()))
        jobs.put((when, i))
        heapq.heappush(due, (when + args.interval, i))
    for _ in threads:
        jobs.put(None)
    for t in threads:
        t.join()


def closed_loop(args, urls: list[str], host: str, port: int, stats: Stats) -> None:
    """K connections, each sending the next conditional request as soon as the last is answered."""
    warm = Client(host, port)
    etags = {url: warm.get(url, None)[1] for url in urls}  # as if every page had loaded once
    stop = time.monotonic() + args.duration

    def worker(k: int):
        client = Client(host, port)
        i = k
        while time.monotonic() < stop:
            url = urls[i % len(urls)]
            i += args.saturate
            sent = time.monotonic()
            status, etag = client.get(url, etags[url])
            etags[url] = etag or etags[url]
            stats.add(status, time.monotonic() - sent, 0.0)

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(args.saturate)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def run(args) -> None:
    base = urlsplit(args.base)
    urls = [line.strip() for line in Path(args.urls).read_text().splitlines() if line.strip()]
    server = family(args.server_pid) if args.server_pid else []
    backends_before = postgres_backends(args.database) if args.database else []
    stats = Stats()
    load_before = os.getloadavg()[0]
    cpu_server, cpu_db = cpu_seconds(server), cpu_seconds(backends_before)
    cpu_self = time.process_time()
    wall = time.monotonic()
    (closed_loop if args.saturate else open_loop)(args, urls, base.hostname, base.port or 80, stats)
    wall = time.monotonic() - wall
    backends = sorted(set(backends_before) | set(postgres_backends(args.database) if args.database else []))
    server_cpu = cpu_seconds(family(args.server_pid) if args.server_pid else []) - cpu_server
    # Approximate: a backend that exits during the run takes its CPU time with it.
    db_cpu = max(0.0, cpu_seconds(backends) - cpu_db)
    total = len(stats.latencies)
    report = {
        "mode": f"closed loop, {args.saturate} connections"
        if args.saturate
        else f"open loop, {args.pages} pages every {args.interval}s, {args.threads} client threads",
        "seconds": round(wall, 1),
        "machine_load_1min_before_after": (round(load_before, 1), round(os.getloadavg()[0], 1)),
        "requests": total,
        "errors": stats.errors,
        "statuses": stats.statuses,
        "req_per_s": round(total / wall, 1),
        "p50_ms": round(1000 * percentile(stats.latencies, 50), 1),
        "p95_ms": round(1000 * percentile(stats.latencies, 95), 1),
        "p99_ms": round(1000 * percentile(stats.latencies, 99), 1),
        "lag_p95_ms": round(1000 * percentile(stats.lags, 95), 1),
        "mean_ms": round(1000 * statistics.fmean(stats.latencies), 1) if total else None,
        "server_cpu_percent_of_one_core": round(100 * server_cpu / wall, 1),
        "postgres_cpu_percent_of_one_core": round(100 * db_cpu / wall, 1),
        "client_cpu_percent_of_one_core": round(100 * (time.process_time() - cpu_self) / wall, 1),
        "server_cpu_ms_per_request": round(1000 * server_cpu / total, 2) if total else None,
    }
    if args.json:  # for bench/run.py: one line
        print(json.dumps(report))
        return
    for key, value in report.items():
        print(f"{key:34} {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "live_urls.txt")
    s.add_argument("--projects", type=int, default=20)
    s.add_argument("--reports", type=int, default=200)
    r = sub.add_parser("run")
    r.add_argument("--base", default="http://127.0.0.1:8611")
    r.add_argument("--urls", default=str(Path(tempfile.gettempdir()) / "live_urls.txt"))
    r.add_argument("--pages", type=int, default=1000)
    r.add_argument("--interval", type=float, default=5.0)
    r.add_argument("--duration", type=float, default=60.0)
    r.add_argument("--threads", type=int, default=32)
    r.add_argument("--saturate", type=int, default=0, help="closed loop with this many connections")
    r.add_argument("--server-pid", type=int, default=0, help="gunicorn master pid (CPU of it and its workers)")
    r.add_argument("--database", default="", help="PostgreSQL database name (CPU of its backends)")
    r.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    args = parser.parse_args()
    if args.command == "setup":
        setup(args.out, args.projects, args.reports)
    else:
        run(args)


if __name__ == "__main__":
    main()
