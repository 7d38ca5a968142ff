"""`make screenshots`: regenerate docs/screenshots/*.png from the demo city.

Seeds the demo city into a throwaway SQLite database (Celery tasks run in-process), serves it
with `runserver` on a free loopback port and takes the pictures with Playwright and Debian's
Chromium, offline (the map has no tiles, as on the machines that build this). The report shown on
the tracking page is sent through the form and answered in the console, as a person would.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.needs import CHROMIUM, browser_missing  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]  # fmt: skip
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
PASSWORD = "civic-demo-2026"  # the demo city's, printed by `make run`
PROJECT = "MX-2026-011"  # an elevator project under construction, led by the demo official's department


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str, **kwargs) -> subprocess.Popen | None:
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    if kwargs.pop("background", False):
        return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return None


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own loopback server
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the demo server did not answer at {url}")


def shoot(page: Page, name: str, **options) -> None:
    page.wait_for_load_state("networkidle")
    path = OUT / f"{name}.png"
    page.screenshot(path=path, animations="disabled", **options)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


def sign_in(page: Page, username: str) -> None:
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("[type=submit]")


def resident_pages(browser, base: str) -> str:
    """Phone: the project page and the report form; a report is sent. Returns its tracking code."""
    context = offline(browser.new_context(base_url=base, locale="zh-CN", **PHONE))
    page = context.new_page()
    page.goto(f"/projects/{PROJECT}/")
    shoot(page, "project")
    page.goto(f"/reports/new/?project={PROJECT}&via=qr")
    page.select_option("#id_category", label="道路破损")
    page.fill("#id_text", "施工车辆压坏了3单元门口的人行道地砖，老人出入容易绊倒。")
    page.locator("#feedback-pick-map").scroll_into_view_if_needed()
    page.locator("#feedback-pick-map").click(position={"x": 170, "y": 120})
    page.locator("#feedback-position").wait_for()
    page.locator("h1").scroll_into_view_if_needed()
    shoot(page, "report-form")
    with page.expect_navigation():
        page.locator(".feedback-form button[type=submit]").click()
    code = page.locator("h1 code").inner_text()
    context.close()
    return code


def console_pages(browser, base: str, code: str) -> None:
    """Desktop: the official's queue, then the answer to the new report."""
    context = offline(browser.new_context(base_url=base, locale="zh-CN", **DESKTOP))
    page = context.new_page()
    sign_in(page, "official")
    page.goto("/admin/feedback/report/")
    shoot(page, "console-queue")
    page.get_by_role("link", name=code).first.click()
    page.fill("#id_answer", "已通知施工单位今天下午更换破损地砖，并在单元门口设置临时通道。")
    with page.expect_navigation():
        page.get_by_role("button", name="发送答复").click()
    context.close()


def public_pages(browser, base: str, code: str) -> None:
    context = offline(browser.new_context(base_url=base, locale="zh-CN", **PHONE))
    page = context.new_page()
    page.goto(f"/track/{code}/")
    shoot(page, "tracking")
    context.close()
    context = offline(browser.new_context(base_url=base, locale="zh-CN", **DESKTOP))
    page = context.new_page()
    page.goto("/")
    page.locator("#projects-map path.leaflet-interactive").first.wait_for()
    page.locator("#projects-map").scroll_into_view_if_needed()
    page.locator("#projects-map path.leaflet-interactive >> nth=3").click()
    page.locator(".leaflet-popup-content").wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "map")
    page.goto("/evaluation/")
    page.locator(".evaluation-cycles a").first.click()
    page.locator("table.evaluation-scores").wait_for()
    shoot(page, "scorecards")
    context.close()


def offline(context):
    context.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
    return context


def main() -> None:
    lacking = browser_missing(axe=False)
    if lacking:  # without a Chinese font every picture would show boxes for Chinese
        sys.exit(f"make screenshots needs {', '.join(lacking)}")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="civicworks-screens-") as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
            "REDIS_URL": "",
            "CELERY_TASK_ALWAYS_EAGER": "1",
            "DJANGO_DEBUG": "1",
            "DJANGO_MEDIA_ROOT": f"{tmp}/media",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        manage(env, "migrate", "--no-input", "--skip-checks", "-v0")
        manage(env, "seed_demo", "--quiet-logins")
        port = int(os.environ.get("CIVICWORKS_SCREENSHOTS_PORT") or free_port())
        base = f"http://127.0.0.1:{port}"
        server = manage(env, "runserver", "--noreload", f"127.0.0.1:{port}", background=True)
        try:
            wait_until_up(f"{base}/healthz")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                code = resident_pages(browser, base)
                console_pages(browser, base, code)
                public_pages(browser, base, code)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
