"""One small world for the whole suite: the demo directory and a persona per role.

Personas: `resident`, `observer`, `official` (市住房和城乡建设局, the lead department of
most test projects), `other_official` (市城市管理局), `manager`, `evaluator`,
`supervisor`, `city_admin`. Factories only where variety matters.
"""

import os

import pytest
import redis
from django.conf import settings

from civicworks.accounts.models import Role, User
from civicworks.celery import app as celery_app
from projects.demo import seed_directory
from projects.models import Department
from tests.needs import REQUIRE_SERVICES, browser_missing


def pytest_sessionstart(session):
    """With REQUIRE_SERVICES=1 a missing service is an error, never a skip."""
    if not REQUIRE_SERVICES:
        return
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.exit("REQUIRE_SERVICES=1 but DATABASE_URL is not PostgreSQL.", returncode=3)
    if not settings.REDIS_URL:
        pytest.exit("REQUIRE_SERVICES=1 but REDIS_URL is not set.", returncode=3)
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.exit(f"REQUIRE_SERVICES=1 but Redis does not answer: {exc}", returncode=3)


def pytest_collection_modifyitems(config, items):
    """Skip, with the reason and the remedy, what needs a service or tool this machine lacks.

    Under REQUIRE_SERVICES=1 (CI) nothing is skipped: a missing browser stops the run. The
    fault tests (`make reliability`) start their own Redis, so REDIS_URL does not concern them.
    """
    needs_redis = not settings.REDIS_URL and [
        i for i in items if "integration" in i.keywords and "faults" not in i.keywords
    ]
    if needs_redis:
        skip = pytest.mark.skip(reason="needs REDIS_URL (a real Redis and Celery worker): see README, Tests")
        for item in needs_redis:
            item.add_marker(skip)
    browser_items = [i for i in items if "e2e" in i.keywords]
    lacking = browser_items and browser_missing()
    if lacking:
        if REQUIRE_SERVICES:
            raise pytest.UsageError(f"REQUIRE_SERVICES=1 but the browser tests lack {', '.join(lacking)}")
        skip = pytest.mark.skip(reason=f"browser tests: missing {', '.join(lacking)}")
        for item in browser_items:
            item.add_marker(skip)


def pytest_sessionfinish(session, exitstatus):
    """With REQUIRE_SERVICES=1 (CI) or in `make reliability` a skipped test fails the run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    strict = REQUIRE_SERVICES or os.environ.get("CIVICWORKS_FAULTS") == "1"
    if strict and skipped and exitstatus == pytest.ExitCode.OK:
        reporter.write_line(f"{len(skipped)} test(s) were skipped where none may be: {skipped[0].nodeid} …", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _fast_and_eager(request, settings):
    """Speed knobs only: a fast hasher, and tasks run in-process unless the test needs a worker."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    eager = "integration" not in request.keywords
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def categories(city):
    """The demo city's report categories by code."""
    from feedback.demo import seed_categories
    from feedback.models import ServiceCategory

    seed_categories()
    return {c.code: c for c in ServiceCategory.objects.all()}


@pytest.fixture
def road(categories):
    """道路破损, handled by 市住房和城乡建设局 (the `official`'s department)."""
    return categories["road"]


@pytest.fixture
def city(db):
    """The demo directory: districts, communities, departments, categories."""
    seed_directory()


@pytest.fixture
def lead_department(city) -> Department:
    return Department.objects.get(name="市住房和城乡建设局")


@pytest.fixture
def other_department(city) -> Department:
    return Department.objects.get(name="市城市管理局")


def make_user(
    username: str, role: str, department: Department | None = None, *, verified: bool = True, **extra
) -> User:
    """A persona; residents and observers have confirmed their e-mail address unless `verified=False`."""
    from allauth.account.models import EmailAddress

    user = User(username=username, role=role, department=department, email=f"{username}@example.cn", **extra)
    user.set_password("pw-for-tests-only")
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    return user


@pytest.fixture
def resident(db) -> User:
    return make_user("resident", Role.RESIDENT)


@pytest.fixture
def observer(db) -> User:
    return make_user("observer", Role.OBSERVER)


@pytest.fixture
def official(lead_department) -> User:
    return make_user("official", Role.OFFICIAL, lead_department)


@pytest.fixture
def other_official(other_department) -> User:
    return make_user("other_official", Role.OFFICIAL, other_department)


@pytest.fixture
def manager(lead_department) -> User:
    return make_user("manager", Role.MANAGER, lead_department)


@pytest.fixture
def supervisor(lead_department) -> User:
    return make_user("supervisor", Role.SUPERVISOR, lead_department)


@pytest.fixture
def evaluator(db) -> User:
    return make_user("evaluator", Role.EVALUATOR, organisation="第三方测评机构")


@pytest.fixture
def city_admin(db) -> User:
    return make_user("city_admin", Role.CITY_ADMIN)


@pytest.fixture
def project(lead_department, other_department):
    """MX-2026-001, led by 市住房和城乡建设局 with 市城市管理局 NOT involved."""
    from datetime import date
    from decimal import Decimal

    from projects.models import Community, Project, ProjectCategory

    community = Community.objects.get(name="望江社区")
    return Project.objects.create(
        code="MX-2026-001",
        title="望江社区老旧小区加装电梯",
        category=ProjectCategory.objects.get(code="elevator"),
        district=community.district,
        community=community,
        latitude=30.690,
        longitude=103.990,
        year=2026,
        stage="construction",
        percent_complete=40,
        planned_start=date(2026, 3, 1),
        planned_end=date(2026, 10, 31),
        budget=Decimal("1200000.00"),
        lead_unit=lead_department,
    )


@pytest.fixture
def other_project(other_department):
    """MX-2026-002, led by 市城市管理局: out of reach of `official`."""
    from datetime import date
    from decimal import Decimal

    from projects.models import Community, Project, ProjectCategory

    community = Community.objects.get(name="青龙社区")
    return Project.objects.create(
        code="MX-2026-002",
        title="青龙社区公共厕所改造",
        category=ProjectCategory.objects.get(code="toilet"),
        district=community.district,
        community=community,
        latitude=30.700,
        longitude=104.080,
        year=2026,
        stage="design",
        percent_complete=10,
        planned_start=date(2026, 5, 1),
        planned_end=date(2026, 12, 31),
        budget=Decimal("300000.00"),
        lead_unit=other_department,
    )
