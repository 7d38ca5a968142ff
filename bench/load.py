"""Load through gunicorn on 127.0.0.1: an asyncio HTTP/1.1 client (standard library only).

Closed loop (`closed`): N keep-alive connections, each sends its next request when the last
is answered, for a fixed time: capacity. Open loop (`open_loop`): requests start at a fixed
rate whatever the server does (a slow server shows as latency): dispatch latency.
"""

import asyncio
import io
import json
import os
import random
import statistics
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PHOTO_BYTES = 3 * 1024 * 1024


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


# --- the client ---------------------------------------------------------------------------------------


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader = self.writer = None

    async def request(self, raw: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(raw)
        await self.writer.drain()
        status = int((await self.reader.readline()).split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        await self.reader.readexactly(length)
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def http_post(path: str, body: bytes, content_type: str) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.ok = self.errors = 0
        self.statuses: dict[int, int] = {}

    def add(self, status: int | None, seconds: float) -> None:
        self.statuses[status or 0] = self.statuses.get(status or 0, 0) + 1
        if status is not None and 200 <= status < 300:
            self.ok += 1
            self.latencies.append(seconds * 1000)
        else:
            self.errors += 1

    async def send(self, connection: Connection, raw: bytes) -> None:
        start = time.perf_counter()
        try:
            status = await asyncio.wait_for(connection.request(raw), 30)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            connection.close()
            status = None
        self.add(status, time.perf_counter() - start)

    def figures(self, seconds: float) -> dict:
        return {
            "requests_per_s": round(self.ok / seconds, 1),
            "p50_ms": round(percentile(self.latencies, 0.5), 1),
            "p95_ms": round(percentile(self.latencies, 0.95), 1),
            "answered_2xx": self.ok,
            "errors": self.errors,
            "statuses": self.statuses,
        }


async def closed(port: int, connections: int, seconds: float, make_request) -> tuple[Tally, float]:
    tally, deadline = Tally(), time.perf_counter() + seconds

    async def client(n: int) -> None:
        connection, i = Connection(port), 0
        while time.perf_counter() < deadline:
            await tally.send(connection, make_request(n, i))
            i += 1
        connection.close()

    start = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(connections)))
    return tally, time.perf_counter() - start


async def open_loop(port: int, rate: float, seconds: float, make_request) -> Tally:
    tally = Tally()

    # A fresh connection per request: an idle keep-alive connection is closed by gunicorn
    # after 2 s, and a request sent on it then fails on the client's side, not the server's.
    async def one(i: int) -> None:
        connection = Connection(port)
        await tally.send(connection, make_request(0, i))
        connection.close()

    start, tasks = time.perf_counter(), []
    for i in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    return tally


# --- what is sent ------------------------------------------------------------------------------------------


def report_json(marker: str):
    categories = ["road", "streetlight", "garbage", "greenery", "noise"]

    def make(n: int, i: int) -> bytes:
        rng = random.Random(n * 1_000_003 + i)
        body = {
            "category": rng.choice(categories),
            "text": f"{marker} {n}-{i}：路灯不亮，晚上很黑，请尽快维修。",
            "latitude": round(30.61 + rng.random() * 0.1, 6),
            "longitude": round(103.99 + rng.random() * 0.14, 6),
        }
        return json.dumps(body, ensure_ascii=False).encode()

    return make


def phone_photo() -> bytes:
    """A 12-megapixel JPEG of about 3 MB (noise over a gradient compresses like a photo)."""
    from PIL import Image

    rng = random.Random(3)
    width, height = 4032, 3024
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    noise = Image.frombytes("RGB", (width // 4, height // 4), rng.randbytes(width * height * 3 // 16))
    image = Image.blend(base, noise.resize((width, height)), 0.35)
    for quality in (90, 85, 80, 75, 70, 60, 50):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        if out.tell() <= PHOTO_BYTES * 1.1:
            break
    return out.getvalue()


BOUNDARY = "civicworks-bench-" + "7" * 20


def multipart(fields: dict, photo: bytes, boundary: str = BOUNDARY) -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="IMG_0001.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + photo
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


# --- memory ------------------------------------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class MemorySampler:
    """Peak RSS of a process's children (gunicorn and Celery workers), sampled every 0.5 s."""

    def __init__(self, parent_pid: int) -> None:
        self.parent, self.peak_worker, self.peak_total = parent_pid, 0.0, 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def loop(self) -> None:
        while not self.stop.is_set():
            sizes = [rss_mb(pid) for pid in children(self.parent)] or [0.0]
            self.peak_worker = max(self.peak_worker, max(sizes))
            self.peak_total = max(self.peak_total, sum(sizes) + rss_mb(self.parent))
            self.stop.wait(0.5)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def figures(self) -> dict:
        return {"peak_worker_rss_mb": round(self.peak_worker, 1), "peak_total_rss_mb": round(self.peak_total, 1)}


# --- 3. intake -----------------------------------------------------------------------------------------------


def stored(marker: str) -> int:
    from feedback.models import Report

    return Report.objects.filter(text__startswith=marker).count()


def tallied(marker: str) -> int:
    """Reports counted in the rollups (each has its tally, written in the report's transaction)."""
    from feedback.models import ReportTally

    return ReportTally.objects.filter(report__text__startswith=marker).count()


def one_intake(name, port, web, seconds, connections, path, make_body, content_type, marker) -> dict:
    log(f"load: {name}, {connections} connections, {seconds:.0f} s")
    load_before = os.getloadavg()[0]

    def make(n, i):
        return http_post(path, make_body(n, i), content_type)

    with MemorySampler(web.popen.pid) as memory:
        tally, elapsed = asyncio.run(closed(port, connections, seconds, make))
    row = {"name": name, "url": f"POST {path}", "seconds": round(elapsed, 1), **tally.figures(elapsed)}
    row["rows_stored"], row["rows_tallied"] = stored(marker), tallied(marker)
    row.update(memory.figures())
    row["load_avg"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return row


def intake(port: int, web, seconds: float) -> list[dict]:
    run = uuid.uuid4().hex[:8]
    warm = report_json(f"bench-{run}-warm")
    asyncio.run(closed(port, 6, 3, lambda n, i: http_post("/api/v1/reports/", warm(n, i), "application/json")))
    rows = []
    marker = f"bench-{run}-json"
    rows.append(
        one_intake("intake, JSON report (no photo)", port, web, seconds, 8, "/api/v1/reports/",
                   report_json(marker), "application/json", marker)
    )  # fmt: skip
    marker = f"bench-{run}-minimal"
    rows.append(
        one_intake("intake, minimal Django view (same row)", port, web, seconds, 8, "/bench/minimal/reports/",
                   report_json(marker), "application/json", marker)
    )  # fmt: skip
    rows[0]["minimal_rps"] = rows[1]["requests_per_s"]
    rows[0]["ratio_to_minimal"] = round(rows[0]["requests_per_s"] / max(rows[1]["requests_per_s"], 0.1), 2)
    photo = phone_photo()
    marker = f"bench-{run}-photo"
    as_json = report_json(marker)
    rows.append(
        one_intake("intake, report with one 3 MB phone photo", port, web, seconds, 4, "/api/v1/reports/",
                   lambda n, i: multipart(json.loads(as_json(n, i)), photo),
                   f"multipart/form-data; boundary={BOUNDARY}", marker)
    )  # fmt: skip
    rows[-1]["photo_bytes"] = len(photo)
    return rows


def steady_intake(port: int, rate: float, seconds: float) -> dict:
    """Reports at a fixed rate (open loop): answers, p95, and the rows stored and tallied in the rollups."""
    marker = f"bench-{uuid.uuid4().hex[:8]}-steady"
    body = report_json(marker)
    tally = asyncio.run(
        open_loop(port, rate, seconds, lambda n, i: http_post("/api/v1/reports/", body(n, i), "application/json"))
    )
    figures = tally.figures(seconds)
    return {**figures, "rows_stored": stored(marker), "rows_tallied": tallied(marker)}


# --- 4. dispatch latency -----------------------------------------------------------------------------------------


class Receiver:
    """The departments' webhook: when each delivery (outbox id) arrived."""

    def __init__(self, port: int) -> None:
        self.arrived: dict[int, float] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 — http.server's name
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.arrived.setdefault(int(self.headers["X-CivicWorks-Delivery"]), time.time())
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{port}/dispatch"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def dispatch(port: int, hook_port: int, web, worker, seconds: float, rate: float = 20.0) -> dict:
    from feedback.models import DispatchOutbox, Report
    from projects.models import Department

    receiver = Receiver(hook_port)
    Department.objects.update(dispatch_webhook=receiver.url)
    run = uuid.uuid4().hex[:8]
    marker = f"bench-{run}-dispatch"
    body = report_json(marker)
    log(f"load: dispatch latency, open loop {rate:.0f} reports/s, {seconds:.0f} s")
    load_before = os.getloadavg()[0]
    try:
        with MemorySampler(worker.popen.pid) as memory:
            tally = asyncio.run(
                open_loop(
                    port, rate, seconds, lambda n, i: http_post("/api/v1/reports/", body(n, i), "application/json")
                )
            )
            ids = set(Report.objects.filter(text__startswith=marker).values_list("pk", flat=True))
            # Webhook deliveries only: each notice (e-mail, webhook) is its own outbox row.
            webhook = DispatchOutbox.objects.filter(report_id__in=ids, channel="webhook")
            outbox = dict(webhook.values_list("pk", "created_at"))
            deadline = time.time() + 120
            while time.time() < deadline and len(set(outbox) & set(receiver.arrived)) < len(outbox):
                time.sleep(0.5)
        latencies = [
            (receiver.arrived[pk] - created.timestamp()) * 1000
            for pk, created in outbox.items()
            if pk in receiver.arrived
        ]
    finally:
        Department.objects.update(dispatch_webhook="")
        receiver.close()
    return {
        "name": f"dispatch latency, {rate:.0f} reports/s (commit → department webhook)",
        "url": "POST /api/v1/reports/ → Celery → webhook",
        "seconds": seconds,
        "answered_2xx": tally.ok,
        "errors": tally.errors,
        "statuses": tally.statuses,
        "rows_stored": len(ids),
        "notified": len(latencies),
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
        "intake_p95_ms": round(percentile(tally.latencies, 0.95), 1),
        **{f"worker_{k}": v for k, v in memory.figures().items()},
        "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
