"""The several-node shape survives losing a node: `make cluster`'s script, faults under load.

deploy/cluster/run.sh starts HAProxy, two gunicorn nodes, PgBouncer (transaction pooling), a
primary and a streaming replica, Redis, two Celery workers and a beat, on free loopback ports
in a temporary folder. While clients submit reports through HAProxy (each retrying with its
Idempotency-Key), one web node is killed (-9) and restarted, one worker is killed, and the
replica is stopped for CIVICWORKS_CLUSTER_REPLICA_DOWN seconds. Then: 2xx = rows = dispatches
= notifications; a reporter's tracking page shows the report on the very next request; the
public pages answered while the replica was down. Figures: docs/reliability/figures/cluster_faults.json.

Size: CIVICWORKS_CLUSTER_LOAD submissions (default 5000) from CIVICWORKS_CLUSTER_CLIENTS
clients (default 50).
"""

import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2
import pytest

from . import procs
from .test_faults import SEED, Receiver, p95, write_figures

pytestmark = [
    pytest.mark.faults,
    pytest.mark.integration,
    pytest.mark.skipif(os.environ.get("CIVICWORKS_FAULTS") != "1", reason="fault tests: `make reliability`"),
]

SCRIPT = procs.ROOT / "deploy" / "cluster" / "run.sh"
PUBLIC_PAGES = ["/projects/", "/reports/", "/reports/map.json", "/api/v1/projects/map/", "/open-data/"]


def free_base() -> int:
    """A base port whose 14 ports nothing holds, below the kernel's range for outgoing connections.

    A port of that range may be the local end of a client connection (or one in TIME_WAIT) after
    the earlier fault tests' thousands of requests: nothing listens there, yet a server cannot bind
    it (Redis once failed to start so). Each port is tried with a real bind.
    """
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(10000, low - 20)
        if all(bindable(base + i) for i in range(14)):
            return base
    raise RuntimeError("no free port range")


def bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Cluster:
    def __init__(self, folder) -> None:
        self.receiver = Receiver()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "DJANGO_", "CELERY_"))},
            "CLUSTER_DIR": str(folder),
            "CLUSTER_PORT": str(free_base()),
            "CLUSTER_VENV": str(procs.VENV_BIN.parent),
            # Test speed knobs, as in test_faults (docs/reliability.md).
            "CIVICWORKS_SWEEP_GRACE_SECONDS": "20",
            "CIVICWORKS_SWEEP_INTERVAL_SECONDS": "5",
            "CIVICWORKS_RETRY_FIRST_SECONDS": "10",
            "CIVICWORKS_RETRY_LATER_SECONDS": "30",
        }
        started = self.run("start")
        self.port = int(self.env["CLUSTER_PORT"])
        assert started.stdout.strip() == f"http://localhost:{self.port}/"
        self.app_env = dict(self.env)
        for line in (folder / "cluster.env").read_text().splitlines():
            key, _, value = line.partition("=")
            self.app_env[key] = value
        self.primary_url = self.app_env["CLUSTER_PRIMARY_URL"]
        self.replica_url = self.app_env["DATABASE_REPLICA_URL"]
        seeding = {**self.app_env, "DATABASE_URL": self.primary_url}
        self.token = procs.manage(seeding, "shell", "-c", SEED % {"url": self.receiver.url}).strip().splitlines()[-1]
        assert procs.wait_until(self.warm, 90, step=0.5), "the cluster does not answer"

    def run(self, *args: str) -> subprocess.CompletedProcess:
        done = subprocess.run(["bash", str(SCRIPT), *args], env=self.env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"run.sh {' '.join(args)}: {done.stderr}"
        return done

    def warm(self) -> bool:
        try:
            return all(get(self, "/api/v1/reports/").status == 200 for _ in range(8))
        except OSError:
            return False

    def node_up(self, name: str) -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", self.port + 3, timeout=2)
        try:
            conn.request("GET", "/;csv")
            rows = conn.getresponse().read().decode().splitlines()
        finally:
            conn.close()
        return any(r.startswith(f"web,{name},") and r.split(",")[17] == "UP" for r in rows)

    def sql(self, url: str, query: str, args: tuple = ()) -> list[tuple]:
        conn = psycopg2.connect(url, connect_timeout=3)
        try:
            with conn.cursor() as cur:
                cur.execute(query, args)
                return cur.fetchall()
        finally:
            conn.close()

    def close(self) -> None:
        self.run("destroy")
        self.receiver.server.shutdown()


@pytest.fixture(scope="module")
def cluster():
    lacking = procs.missing_programs()
    for program in ("haproxy", "pgbouncer"):
        if not any((d / program).exists() for d in (Path("/usr/sbin"), Path("/usr/bin"))):
            lacking.append(f"{program} (apt-get install {program})")
    if lacking:  # never a skip: `make reliability` stops and says what to install
        pytest.fail(f"the cluster cannot start; missing: {'; '.join(lacking)}", pytrace=False)
    # Not under pytest's own temporary folder: PostgreSQL runs as its own user and must reach it.
    folder = Path(tempfile.mkdtemp(prefix="cw-cluster-"))
    c = Cluster(folder)
    yield c
    c.close()
    shutil.rmtree(folder, ignore_errors=True)


class Answer:
    def __init__(self, status: int, body: bytes, seconds: float, headers: list, tries: int = 1) -> None:
        self.status, self.body, self.seconds, self.headers, self.tries = status, body, seconds, headers, tries

    def cookie(self, name: str) -> str:
        for key, value in self.headers:
            if key.lower() == "set-cookie" and value.startswith(f"{name}="):
                return value.split(";", 1)[0]
        return ""


def call(cluster, method, path, body=None, key="", cookie="", timeout=15.0) -> Answer:
    headers = {"Authorization": f"Token {cluster.token}", "Accept": "application/json"} if method == "POST" else {}
    headers["Host"] = "127.0.0.1"
    if body is not None:
        headers["Content-Type"] = "application/json"
    if key:
        headers["Idempotency-Key"] = key
    if cookie:
        headers["Cookie"] = cookie
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=timeout)
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        return Answer(response.status, response.read(), time.monotonic() - started, response.getheaders())
    finally:
        conn.close()


def get(cluster, path, cookie="") -> Answer:
    return call(cluster, "GET", path, cookie=cookie, timeout=10)


def submit(cluster, n: int, retries: int = 8) -> Answer:
    """One report; a dropped connection, a timeout, a 502/503/504 is retried with the same key."""
    key = uuid.uuid4().hex
    body = {"category": "road", "text": f"集群 {n}", "latitude": 30.69, "longitude": 103.99}
    for attempt in range(1, retries + 1):
        try:
            answer = call(cluster, "POST", "/api/v1/reports/", body, key=key)
            answer.tries = attempt
            if answer.status not in (502, 503, 504):
                return answer
        except (TimeoutError, OSError, http.client.HTTPException):
            pass
        time.sleep(0.25 * attempt)
    return Answer(0, b"", 0.0, [], retries)


def test_cluster_loses_a_web_node_a_worker_and_the_replica_and_loses_nothing(cluster):
    total = int(os.environ.get("CIVICWORKS_CLUSTER_LOAD", "5000"))
    clients = int(os.environ.get("CIVICWORKS_CLUSTER_CLIENTS", "50"))
    replica_down = float(os.environ.get("CIVICWORKS_CLUSTER_REPLICA_DOWN", "30"))
    # The faults take about replica_down + 12 s: the submissions are spread over at least that.
    timeline = replica_down + 14
    replica_reads_before = cluster.sql(
        cluster.replica_url, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
    )[0][0]
    events: dict[str, float] = {}
    readers: list[tuple[float, str, int]] = []  # (time, page, status) of the public pages
    refusals: list[str] = []  # "status origin page" of the public reads not answered 200
    tracking: list[tuple[int, int]] = []  # (status without cookie, status with the pin cookie) right after 201
    done = threading.Event()
    started = time.monotonic()

    def at(seconds: float) -> None:
        time.sleep(max(0.0, started + seconds - time.monotonic()))

    def faults() -> None:
        at(2)
        cluster.run("kill", "web1")
        events["web1_killed"] = time.monotonic()
        at(4)
        cluster.run("kill", "worker1")
        events["worker1_killed"] = time.monotonic()
        at(6)
        cluster.run("stop-one", "replica")
        events["replica_stopped"] = time.monotonic()
        at(8)
        cluster.run("start-one", "web1")
        events["web1_restarted"] = time.monotonic()
        procs.wait_until(lambda: cluster.node_up("web1"), 60, step=0.2)
        events["web1_up"] = time.monotonic()
        at(6 + replica_down)
        cluster.run("start-one", "replica")
        events["replica_started"] = time.monotonic()
        primary_lsn = cluster.sql(cluster.primary_url, "SELECT pg_current_wal_lsn()::text")[0][0]

        def caught_up() -> bool:
            query = "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn"
            try:
                return bool(cluster.sql(cluster.replica_url, query, (primary_lsn,))[0][0])
            except psycopg2.Error:
                return False

        procs.wait_until(caught_up, 60, step=0.2)
        events["replica_caught_up"] = time.monotonic()

    def read_public() -> None:
        i = 0
        while not done.is_set():
            page = PUBLIC_PAGES[i % len(PUBLIC_PAGES)]
            try:
                answer = get(cluster, page)
                status = answer.status
                if status != 200:
                    origin = "HAProxy" if b"haproxy" in answer.body.lower() or b"No server" in answer.body else "Django"
                    refusals.append(f"{status} {origin} {page}")
            except (OSError, http.client.HTTPException):
                status = 0
            readers.append((time.monotonic(), page, status))
            i += 1
            time.sleep(0.1)

    def client(n: int) -> Answer:
        at(n * timeline / total)  # spread over the faults' timeline at least
        answer = submit(cluster, n)
        if answer.status == 201 and n % 25 == 0:
            url = json.loads(answer.body)["url"]
            bare = get(cluster, url)
            pinned = get(cluster, url, cookie=answer.cookie("cw_primary"))
            code = json.loads(answer.body)["tracking_code"].encode()
            tracking.append((bare.status if code in bare.body else -bare.status, pinned.status))
        return answer

    fault_thread = threading.Thread(target=faults)
    reader_thread = threading.Thread(target=read_public)
    fault_thread.start()
    reader_thread.start()
    with ThreadPoolExecutor(clients) as pool:
        answers = list(pool.map(client, range(total)))
    load_seconds = time.monotonic() - started
    fault_thread.join(timeout=180)
    done.set()
    reader_thread.join(timeout=30)
    cluster.run("start-one", "worker1")

    ids = {json.loads(a.body)["id"] for a in answers if a.status == 201}
    ok = sum(1 for a in answers if 200 <= a.status < 300)

    def dispatched() -> int:
        query = (
            "SELECT count(*) FROM feedback_dispatchoutbox"
            " WHERE channel = 'webhook' AND sent_at IS NOT NULL AND report_id = ANY(%s)"
        )
        return cluster.sql(cluster.primary_url, query, (list(ids),))[0][0]

    settle_start = time.monotonic()
    settled = procs.wait_until(lambda: dispatched() == len(ids), 300, step=1.0)
    settle_seconds = time.monotonic() - settle_start
    time.sleep(2)
    notified = cluster.receiver.notified(ids)
    stored = cluster.sql(cluster.primary_url, "SELECT count(*) FROM feedback_report WHERE id = ANY(%s)", (list(ids),))
    stored = stored[0][0]
    rows_for_run = cluster.sql(cluster.primary_url, "SELECT count(*) FROM feedback_report WHERE text LIKE '集群 %%'")[
        0
    ][0]
    down_from, down_to = events.get("replica_stopped", 0), events.get("replica_started", 0)
    while_down = [s for t, _p, s in readers if down_from <= t <= down_to]
    replica_reads = (
        cluster.sql(cluster.replica_url, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")[
            0
        ][0]
        - replica_reads_before
    )
    figures = {
        "submissions": total,
        "parallel_clients": clients,
        "shape": "HAProxy, 2 gunicorn nodes, PgBouncer (transaction), primary + streaming replica, Redis, 2 workers, 1 beat",
        "faults": f"web1 kill -9 at 2 s (restarted at 8 s), worker1 kill -9 at 4 s, replica stopped {replica_down:g} s from 6 s",
        "answers_2xx": ok,
        "answers_other": dict(Counter(str(a.status) for a in answers if not 200 <= a.status < 300)),
        "client_retries": sum(a.tries - 1 for a in answers),
        "rows_stored": stored,
        "rows_total_for_run": rows_for_run,
        "dispatched": dispatched(),
        "notifications": len(notified),
        "notified_more_than_once": sum(1 for c in notified.values() if c > 1),
        "load_seconds": round(load_seconds, 1),
        "submissions_per_second": round(total / load_seconds, 1),
        "latency_p95_seconds": round(p95([a.seconds for a in answers if a.status]), 3),
        "tracking_pages_checked": len(tracking),
        "tracking_found_next_request_without_cookie": sum(1 for bare, _ in tracking if bare == 200),
        "tracking_found_next_request_with_pin_cookie": sum(1 for _, pinned in tracking if pinned == 200),
        "public_reads": len(readers),
        "public_reads_not_200": dict(Counter(refusals)),
        "public_reads_while_replica_down": len(while_down),
        "public_reads_while_replica_down_not_200": sum(1 for s in while_down if s != 200),
        "transactions_on_replica_during_run": replica_reads,
        "seconds_web1_restart_to_healthy": round(events["web1_up"] - events["web1_restarted"], 1)
        if "web1_up" in events
        else None,
        "seconds_replica_start_to_caught_up": round(events["replica_caught_up"] - events["replica_started"], 1)
        if "replica_caught_up" in events
        else None,
        "seconds_to_all_dispatched_after_load": round(settle_seconds, 1) if settled else None,
    }
    figures["passed"] = bool(
        ok == total == len(ids) == stored == rows_for_run == len(notified)
        and settled
        and set(notified.values()) == {1}
        and while_down
        and not figures["public_reads_while_replica_down_not_200"]
        and tracking
        and all(t == (200, 200) for t in tracking)
    )
    write_figures("cluster_faults", figures)
    assert ok == total == len(ids), figures["answers_other"]
    assert stored == rows_for_run == len(ids)
    assert settled and dispatched() == len(ids)
    assert len(notified) == len(ids) and set(notified.values()) == {1}
    assert while_down and all(s == 200 for s in while_down), Counter(while_down)
    assert tracking and all(t == (200, 200) for t in tracking), Counter(tracking)
    assert replica_reads > 0  # the public pages did read the replica
