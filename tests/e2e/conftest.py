"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

Without Chromium (or axe-core from `npm ci`) they are skipped on a developer's machine;
with REQUIRE_SERVICES=1 (CI) a missing browser is an error, never a skip (tests/conftest.py).
"""

import io
import os
import shutil
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone
from PIL import Image

from civicworks.accounts.models import Role, User
from evaluation import services as evaluation_services
from evaluation.models import ReviewCycle
from feedback.demo import seed_categories
from projects.models import ChainRole, ProgressUpdate, Project, ResponsiblePerson
from tests import factories
from tests.factories import PASSWORD
from tests.needs import AXE, CHROMIUM

ROOT = Path(__file__).resolve().parents[2]
# The Django live server runs in a thread; Playwright's sync API runs an event loop in
# this one, which makes the ORM think it is in async code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


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
    """Loopback only, as in CI: anything else (the map's tile server) is refused at once.

    Actions wait 10 s, not Playwright's 30: a page that failed to render fails the test sooner.
    """
    context.route(lambda url: not url.startswith(("http://localhost", "http://127.0.0.1")), lambda route: route.abort())
    context.set_default_timeout(10_000)
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


@dataclass
class World:
    """The e2e city: two projects of two departments, their officials, an evaluator, an open quarter."""

    project: Project  # 望江社区老旧小区加装电梯, led by 市住房和城乡建设局
    other_project: Project  # 青龙社区公共厕所改造, led by 市城市管理局
    official: User
    other_official: User
    evaluator: User
    cycle: ReviewCycle | None = None


def _public_person(project: Project) -> None:
    ResponsiblePerson.objects.create(
        project=project, role=ChainRole.GRID_WORKER, name="网格员王芳", phone="028-61234567", contact_is_public=True
    )


@pytest.fixture
def world(lead_department, other_department, settings, tmp_path) -> World:
    """Built per test (the live server's database is emptied after each one): a few hundred ms, not the demo city.

    Celery runs in-process for these tests (`_fast_and_eager` in tests/conftest.py), so a report sent
    from the browser is routed and dispatched before its tracking page loads.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # the anonymous-submission counter lives in the shared cache
    seed_categories()
    # Both near the map's default centre, so both are on screen at the first zoom, even on a phone.
    project = factories.complete_project(code="MX-2026-001", lead_unit=lead_department, lat=30.665, lng=104.045,
                                         title="望江社区老旧小区加装电梯", budget=Decimal("1200000.00"))  # fmt: skip
    other = factories.complete_project(code="MX-2026-002", lead_unit=other_department, lat=30.655, lng=104.075,
                                       title="青龙社区公共厕所改造", category="toilet", stage="design")  # fmt: skip
    _public_person(project)
    for made in (project, other):
        # Earlier updates are from past weeks: the console's time field keeps minutes only, and an
        # update posted in the journey must be the latest even if the world was built this minute.
        for n, update in enumerate(made.updates.order_by("created_at")):
            ProgressUpdate.objects.filter(pk=update.pk).update(created_at=timezone.now() - timedelta(days=30 - 10 * n))
    return World(
        project=project,
        other_project=other,
        official=factories.user(username="official", role=Role.OFFICIAL, department=lead_department, first_name="建国"),
        other_official=factories.user(username="other_official", role=Role.OFFICIAL, department=other_department),
        evaluator=factories.user(username="evaluator", role=Role.EVALUATOR, organisation="第三方测评机构"),
    )


def current_quarter() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


@pytest.fixture
def open_quarter(world) -> World:
    """This quarter's review cycle, open: its satisfaction surveys take answers."""
    year, quarter = current_quarter()
    cycle = evaluation_services.cycle_create(year=year, quarter=quarter, by=world.evaluator)
    world.cycle = evaluation_services.cycle_open(cycle=cycle, by=world.evaluator)
    return world


def sign_in(page, username: str, next_url: str = "/admin/") -> None:
    page.goto(f"/admin/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("[type=submit]")
    assert "/login/" not in page.url, page.locator(".errornote").all_inner_texts()


def jpeg(size=(640, 480), color=(90, 120, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG")
    return out.getvalue()


def open_menu(page) -> None:
    """On a phone the header's menu folds behind a button (site.js): open it; nothing where it is in sight."""
    button = page.locator(".menu-button")
    if button.is_visible() and button.get_attribute("aria-expanded") != "true":
        button.click()


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
    """Console errors, uncaught exceptions and server errors (5xx), to fail a test on a broken JS file or template.

    Refused loads of other hosts (map tiles, offline) are expected; anything from our server is not.
    """
    errors: list[str] = []

    def on_console(msg) -> None:
        url = (msg.location or {}).get("url", "")
        foreign = url and not url.startswith(("http://localhost", "http://127.0.0.1"))
        if msg.type == "error" and not (foreign and msg.text.startswith("Failed to load resource")):
            errors.append(f"console: {msg.text} ({url})")

    def on_response(response) -> None:
        if response.status >= 500:
            errors.append(f"server: {response.status} {response.request.method} {response.url}")

    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", on_console)
    page.on("response", on_response)
    return errors
