"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

Without Chromium (or axe-core from `npm ci`) they are skipped on a developer's machine;
with REQUIRE_SERVICES=1 (CI) a missing browser is an error, never a skip.
"""

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CIVICWORKS_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The Django live server runs in a thread; Playwright's sync API runs an event loop in
# this one, which makes the ORM think it is in async code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def pytest_collection_modifyitems(config, items):
    missing = [str(p) for p in (Path(CHROMIUM), AXE) if not p.exists()]
    if not missing:
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        raise pytest.UsageError(f"browser tests need {', '.join(missing)} (apt install chromium; npm ci)")
    skip = pytest.mark.skip(reason=f"missing {', '.join(missing)}")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM if shutil.which(CHROMIUM) else None,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--disable-quic",
        ],
    }


def offline(context):
    """Loopback only, as in CI: anything else (the map's tile server) is refused at once."""
    context.route(lambda url: not url.startswith(("http://localhost", "http://127.0.0.1")), lambda route: route.abort())
    return context


@pytest.fixture
def phone(browser, live_server):
    context = offline(browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE))
    yield context
    context.close()


@pytest.fixture
def desktop(browser, live_server):
    context = offline(browser.new_context(base_url=live_server.url, locale="zh-CN", **DESKTOP))
    yield context
    context.close()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (from its npm package) in the page; return serious and critical violations."""
    # Evaluated through the DevTools protocol: our strict CSP (rightly) forbids injected <script>s.
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def collect_errors(page) -> list[str]:
    """Console errors and uncaught exceptions, to fail a test on a broken JS file.

    Refused loads of other hosts (map tiles, offline) are expected; anything from our server is not.
    """
    errors: list[str] = []

    def on_console(msg) -> None:
        url = (msg.location or {}).get("url", "")
        foreign = url and not url.startswith(("http://localhost", "http://127.0.0.1"))
        if msg.type == "error" and not (foreign and msg.text.startswith("Failed to load resource")):
            errors.append(f"console: {msg.text} ({url})")

    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", on_console)
    return errors
