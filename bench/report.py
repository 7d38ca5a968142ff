"""bench/RESULTS.md from bench/results.json: one table, every figure next to its goal."""

import json
import sys
from pathlib import Path

KB = 1024


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        value = f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"
    elif isinstance(value, int):
        value = f"{value:,}"
    return f"{value}{unit}"


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**not met**")


def goal_of(row: dict, size: str = "full") -> tuple[str, bool | None]:
    name = row["name"]
    if name.startswith(("figures", "hotspots", "league table")):
        return "p95 < 100 ms", row["p95_ms"] < 100
    if name.startswith("report list") and "to_page1" in row:
        return "≤ 1.5× page 1", row["to_page1"] <= 1.5
    if name.startswith("report list"):
        return "reference", None
    if name.startswith("live polls"):
        ok = row["p95_ms"] < 50 and row["errors"] == 0 and row["intake_p95_ms"] < 100
        stored = row["intake_answered_2xx"] == row["intake_rows_stored"] == row["intake_rows_tallied"]
        ok = ok and row["intake_errors"] == 0 and stored
        return "polls p95 < 50 ms, 0 poll errors; intake p95 < 100 ms, all tallied", ok
    if name.startswith("intake, JSON") and size == "province":
        ok = (row["requests_per_s"] >= 300 and row["p95_ms"] < 100 and row["errors"] == 0
              and row["rows_stored"] == row["answered_2xx"] == row.get("rows_tallied")
              and row["ratio_to_minimal"] >= 0.5)  # fmt: skip
        return "≥ 300/s, p95 < 100 ms, 0 errors, rows = 2xx = tallied, ≥ 0.5× minimal", ok
    if name.startswith("map, street"):
        return "≤ 2× and ≤ 3 queries", row["ratio"] <= 2 and row["queries"] <= 3
    if name.startswith("map, whole city"):
        ok = row["ratio"] <= 2 and row["queries"] <= 3 and row["gzip_bytes"] <= 100 * KB
        return "≤ 2×, ≤ 3 queries, ≤ 100 KB gzipped", ok
    if name.startswith(("project list", "project API", "project page")):
        return "≤ 3×, queries constant", row["ratio"] <= 3
    if name.startswith("quarterly scorecards"):
        return "≤ 2×", row["ratio"] <= 2
    if name.startswith("intake, JSON"):
        ok = (row["requests_per_s"] >= 100 and row["p95_ms"] < 150 and row["errors"] == 0
              and row["rows_stored"] == row["answered_2xx"] and row["ratio_to_minimal"] >= 0.5)  # fmt: skip
        return "≥ 100/s, p95 < 150 ms, 0 errors, rows = 2xx, ≥ 0.5× minimal", ok
    if name.startswith("intake, report with"):
        ok = (row["requests_per_s"] >= 10 and row["p95_ms"] < 1500 and row["errors"] == 0
              and row["rows_stored"] == row["answered_2xx"] and row["peak_worker_rss_mb"] < 300)  # fmt: skip
        return "≥ 10/s, p95 < 1.5 s, 0 errors, worker < 300 MB", ok
    if name.startswith("dispatch"):
        return "p95 < 1 s, all notified", row["p95_ms"] < 1000 and row["notified"] == row["answered_2xx"]
    return "reference", None


def read_table(rows: list[dict], size: str = "full") -> list[str]:
    lines = [
        "| measurement | median | p95 | queries | lower bound | ratio | naive DRF (queries) | naive ratio | goal | |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if "lower_ms" not in row:
            continue
        goal, ok = goal_of(row, size)
        naive = f"{_fmt(row.get('naive_ms'), ' ms')} ({_fmt(row.get('naive_queries'))})" if "naive_ms" in row else "—"
        lines.append(
            f"| {row['name']} | {_fmt(row['median_ms'], ' ms')} | {_fmt(row['p95_ms'], ' ms')} | {row['queries']} "
            f"| {_fmt(row['lower_ms'], ' ms')} | **{_fmt(row['ratio'], '×')}** | {naive} "
            f"| {_fmt(row.get('naive_ratio'), '×')} | {goal} | {verdict(ok)} |"
        )
    return lines


def load_table(rows: list[dict], size: str = "full") -> list[str]:
    lines = [
        "| measurement | requests/s | p50 | p95 | 2xx | errors | rows stored | peak RSS (worker / all) | goal | |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if "lower_ms" in row:
            continue
        goal, ok = goal_of(row, size)
        if row["name"].startswith("live polls"):
            rate = (f"{_fmt(row['requests_per_s'])} polls (intake {_fmt(row['intake_requests_per_s'])}/s, "
                    f"p95 {_fmt(row['intake_p95_ms'], ' ms')}, {row['intake_errors']} errors)")  # fmt: skip
            memory = f"server {_fmt(row['server_cpu_percent_of_one_core'])} % of a core"
            row = {**row, "rows_stored": row["intake_rows_stored"]}
        elif row["name"].startswith("dispatch"):
            rate = f"{row['notified']:,} notified"
            memory = f"{_fmt(row['worker_peak_worker_rss_mb'], ' MB')} / {_fmt(row['worker_peak_total_rss_mb'], ' MB')}"
        else:
            rate = _fmt(row["requests_per_s"])
            if "ratio_to_minimal" in row:
                rate += f" ({_fmt(row['ratio_to_minimal'], '×')} of minimal)"
            memory = f"{_fmt(row['peak_worker_rss_mb'], ' MB')} / {_fmt(row['peak_total_rss_mb'], ' MB')}"
        lines.append(
            f"| {row['name']} | {rate} | {_fmt(row['p50_ms'], ' ms')} | {_fmt(row['p95_ms'], ' ms')} "
            f"| {_fmt(row['answered_2xx'])} | {row['errors']} | {_fmt(row['rows_stored'])} | {memory} | {goal} "
            f"| {verdict(ok)} |"
        )
    return lines


def markdown(results: dict) -> str:
    city, machine, build = results["city"], results["machine"], results.get("build") or {}
    load = f"{machine['load_avg_start'][0]:.1f} at the start, {machine['load_avg_end'][0]:.1f} at the end"
    lines = [
        f"# Benchmark results ({results['size']} size, {results['started']})",
        "",
        f"City: {city['projects']:,} projects, {city['reports']:,} reports with their events, "
        f"{city['responses']:,} survey responses. Machine: {machine['cpus']} cores shared with other "
        f"engineers' test suites (load average {load}); Python {machine['python']}.",
    ]
    if build:
        lines.append(
            f"Build: migrate {build['migrate_s']} s, seed {build['seed_s']} s, VACUUM ANALYZE "
            f"{build['vacuum_analyze_s']} s. Whole run: {results['total_s']} s."
        )
        if build.get("seed_steps_s"):
            steps = ", ".join(f"{step} {seconds:g} s" for step, seconds in build["seed_steps_s"].items())
            lines.append(f"Seed steps: {steps}. Peak RSS of the seed process: {build['seed_peak_rss_mb']:,} MB.")
    size, rows = results["size"], results["measurements"]
    lines += ["", "## Reads (in-process, Django test client, DEBUG off)", "", *read_table(rows, size)]
    lines += ["", "## Load (gunicorn, 3 workers × 4 threads, on 127.0.0.1)", "", *load_table(rows, size)]
    notes = [f"- {row['name']}: {row['note']}" for row in results["measurements"] if row.get("note")]
    for row in results["measurements"]:
        if b := row.get("breakdown"):
            notes.append(
                f"- {row['name']}, where the time goes: the project, its chain and money {_fmt(b['project_ms'], ' ms')} "
                f"({b['project_queries']} queries), the other apps' panels {_fmt(b['panels_ms'], ' ms')} "
                f"({b['panels_queries']} queries), the template and the rest {_fmt(b['rest_ms'], ' ms')}"
            )
    if notes:
        lines += ["", "Notes:", "", *notes]
    return "\n".join(lines) + "\n"


def _cost(row: dict) -> float | None:
    if "lower_ms" in row:
        return row["median_ms"]
    return row.get("p50_ms")


def growth(small: dict, large: dict, labels: tuple[str, str] | None = None) -> str:
    """How each figure changes from one run to another: two city sizes, or before/after a change."""
    factor = large["city"]["projects"] / small["city"]["projects"]
    first, second = labels or (
        f"{small['size']} ({small['city']['projects']:,} projects)",
        f"{large['size']} ({large['city']['projects']:,})",
    )
    change = f"growth (city × {factor:g})" if factor != 1 else "after / before"
    lines = [
        f"| measurement | {first} | {second} | {change} | ratio to lower bound |",
        "|---|---|---|---|---|",
    ]
    before = {row["name"].split(" (")[0]: row for row in small["measurements"]}
    for row in large["measurements"]:
        other = before.get(row["name"].split(" (")[0])
        if other is None or _cost(other) in (None, 0) or _cost(row) is None:
            continue
        ratios = f"{_fmt(other.get('ratio'), '×')} → {_fmt(row.get('ratio'), '×')}" if "ratio" in row else "—"
        lines.append(
            f"| {row['name']} | {_fmt(_cost(other), ' ms')} | {_fmt(_cost(row), ' ms')} "
            f"| {_fmt(_cost(row) / _cost(other), '×')} | {ratios} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    paths = sys.argv[1:] or [str(Path(__file__).with_name("results.json"))]
    if len(paths) >= 2:
        labels = tuple(paths[2].split(",")) if len(paths) > 2 else None
        print(growth(*(json.loads(Path(p).read_text()) for p in paths[:2]), labels=labels), end="")
    else:
        print(markdown(json.loads(Path(paths[0]).read_text())), end="")
