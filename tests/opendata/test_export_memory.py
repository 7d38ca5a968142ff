"""The web process's memory during an export stays flat as rows grow.

By default 500 vs 2,500 projects (quick, every run). For the figures in docs/open-data.md:
    OPENDATA_EXPORT_ROWS=100000 DATABASE_URL=postgres://... pytest tests/opendata/test_export_memory.py -s
(add OPENDATA_EXPORT_TRACE=0 for timings without tracemalloc's overhead).
"""

import gc
import os
import threading
import time
import tracemalloc
from dataclasses import dataclass

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

LARGE = int(os.environ.get("OPENDATA_EXPORT_ROWS", "2500"))
# tracemalloc slows Python down several times; OPENDATA_EXPORT_TRACE=0 gives real timings (RSS only).
TRACE = os.environ.get("OPENDATA_EXPORT_TRACE", "1") == "1"
SMALL = 500


def rss_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


@dataclass
class Measure:
    rows: int
    python_peak: int  # tracemalloc: the most Python memory held at once during the export
    rss_growth: int  # the process's resident set: highest sample during the export minus before
    seconds: float
    size: int


def measure(client, fmt: str, rows: int, trace: bool) -> Measure:
    gc.collect()
    before = rss_bytes()
    highest = before
    done = threading.Event()

    def sample() -> None:
        nonlocal highest
        while not done.is_set():
            highest = max(highest, rss_bytes())
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    if trace:
        tracemalloc.start()
    started = time.monotonic()
    response = client.get(reverse("opendata-export", args=["projects", fmt]))
    size = sum(len(chunk) for chunk in response.streaming_content)
    seconds = time.monotonic() - started
    python_peak = tracemalloc.get_traced_memory()[1] if trace else 0
    tracemalloc.stop()
    done.set()
    sampler.join()
    return Measure(rows, python_peak, max(0, highest - before), seconds, size)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_memory_is_flat(client, city_admin, lead_department, fmt):
    client.force_login(city_admin)
    # openpyxl runs many times slower under tracemalloc (and would write through lxml's C memory,
    # which tracemalloc cannot see, if lxml were installed): XLSX is judged by resident memory.
    trace = TRACE and fmt == "csv"
    factories.projects(SMALL, lead_unit=lead_department, code_prefix="BULK-", start=0)
    small = measure(client, fmt, SMALL, trace)
    for start in range(SMALL, LARGE, 5000):
        factories.projects(min(5000, LARGE - start), lead_unit=lead_department, code_prefix="BULK-", start=start)
    large = measure(client, fmt, LARGE, trace)

    print(f"\n{fmt}: {small}\n{fmt}: {large}")  # noqa: T201 - the figures for docs/open-data.md
    assert large.size > small.size * (LARGE / SMALL) * 0.8  # the rows really are there
    # Five times the rows must not need anywhere near five times the memory.
    if trace:
        assert large.python_peak < small.python_peak * 1.5 + 2 * 1024 * 1024
    else:  # a workbook held in memory would take tens of MB for these rows
        assert large.rss_growth < 8 * 1024 * 1024
