"""Every page, public and console, in Chinese and in English: no string a person reads is in the
other language, and money is written as the reader's language writes it.

The pages are discovered, not listed: public ones from the URL resolver, console ones from the
admin registry (changelist, add, one object's change form, and the GET pages a ModelAdmin adds).
A page that cannot be rendered by GET (a file, an API answer, an action) is in SKIPPED with its
reason; a new URL pattern fails this test until it is either filled in PARAMETERS or skipped.

On a Chinese page no text may equal an English message that has a Chinese translation (ours or
Django's admin, auth and contenttypes); on an English page none may equal one of our Chinese
translations. Names, codes and units are data, not messages, so they never match.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from civicworks.accounts.models import User, WorkerHeartbeat
from civicworks.notifications.services import unsubscribe_token
from evaluation.models import CycleState, RectificationOrder, ReviewCycle, Survey
from feedback import fixed
from feedback.models import ApiKey, ContactDisclosure, Report, ResponseTemplate, ServiceCategory
from participation.models import CoCreation, Meeting, Need, PointsBalance, RewardItem
from participation.services import points_redeem
from projects.models import Department, Project
from tests import factories

from .pages import (
    HAN,
    chinese_msgstrs,
    custom_admin_urls,
    english_msgids,
    registered_admins,
    routes,
    visible_texts,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ("zh-hans", "en")

# Patterns rendered elsewhere or not pages at all, with the reason; `test_the_skipped_list_is_current` keeps it true.
SKIPPED = {
    # Machine answers: JSON, XML, CSV, SVG, files (their tests are in tests/opendata, tests/feedback, …).
    "healthz": "health probe, plain text",
    "readyz": "readiness probe, plain text",
    "stored-file": "an uploaded file",
    "manifest": "web app manifest (JSON; its names are tested in tests/foundation)",
    "schema": "OpenAPI schema (YAML)",
    "api-docs": "Swagger UI: the schema's own page, not ours",
    "projects:qr": "QR code (SVG)",
    "projects:live": "live-update fragment of the project page, rendered inside it",
    "feedback:report-live": "live-update fragment of the tracking page, rendered inside it",
    "feedback:queue-live": "live-update fragment of the console queue",
    "feedback:map-data": "map data (GeoJSON)",
    "feedback:nearby": "reports near a point (JSON for the report form)",
    "evaluation:survey_qr": "QR code (SVG)",
    "participation:cocreation-results": "vote results (JSON)",
    "opendata:download": "dataset download (CSV/XLSX/JSON)",
    "opendata:departments-csv": "league table (CSV)",
    # Actions: POST only, their answers are the pages they redirect to.
    "set_language": "action (POST): switch language",
    "care-mode": "action (POST): switch care mode",
    "accounts:my-data-download": "the resident's data as a JSON file",
    "accounts:my-data-delete": "action (POST): erase my data",
    "accounts:phone-send": "action (POST): send a code",
    "accounts:phone-confirm": "action (POST): confirm a code",
    "account_logout": "action (POST): sign out (GET asks to confirm, with allauth's own page)",
    "notifications:open": "redirects to the notification's link",
    "notifications:read-all": "action (POST)",
    "projects:follow": "action (POST)",
    "projects:community-follow": "action (POST)",
    "feedback:confirm": "action (POST)",
    "feedback:reopen": "action (POST)",
    "feedback:rate": "action (POST)",
    "participation:need-support": "action (POST)",
    "participation:cocreation-vote": "action (POST)",
    "participation:points-redeem": "action (POST)",
    "participation:observer-me": "redirects to the observer's own page",
    "participation:annual-index": "redirects to the latest year's list",
    "feedback:my-report": "redirects to the report's tracking page",
    # One-time keys from e-mails, which a test cannot read off the page.
    "account_confirm_email": "one-time key from an e-mail",
    "account_reset_password_from_key": "one-time key from an e-mail",
    "account_reset_password_from_key_done": "allauth's page after a reset",
    "account_email_verification_sent": "allauth's page after sign-up",
    "account_inactive": "allauth's page for a deactivated account",
    "account_reauthenticate": "allauth: only in a flow that asks for the password again",
    "account_request_reauthentication_code": "allauth: login by code is off",
    "account_confirm_reauthentication_code": "allauth: login by code is off",
    "account_confirm_login_code": "allauth: login by code is off",
    "account_set_password": "allauth: only for accounts without a password",
}
# API, Open311 and the console are matched by prefix: the console is walked from its registry below.
SKIPPED_PREFIXES = {"api/": "the API (tests/*/test_api.py)", "open311/": "Open311 (tests/feedback/test_open311.py)"}

# Console URLs a ModelAdmin adds that are not GET pages.
CONSOLE_SKIPPED = {
    "admin:feedback_report_step": "action (POST): a report's step, redirects to its page",
    "admin:feedback_report_contact": "action (POST): unmask a reporter's contact details, logged",
    "admin:evaluation_cycle_step": "action (POST): a review cycle's step, redirects to its page",
    "admin:evaluation_order_verify": "action (POST): verify a rectification order, redirects to its page",
}


@pytest.fixture
def city(settings, tmp_path):
    """The demo city, small: a second or so, with one or more rows of every kind the console lists."""
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", projects=3, reports=20, responses=10, quiet_logins=True)
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "official", "evaluator", "resident"])}
    resident = users["resident"]
    order = RectificationOrder.objects.select_related("cycle").first()
    factories.accountability(order=order)
    ResponseTemplate.objects.create(title="已受理", text="您好，已受理，我们将尽快处理。")
    ApiKey.objects.create(name="市民热线")
    WorkerHeartbeat.objects.create(name="celery@worker", seen_at=timezone.now())
    category = ServiceCategory.objects.get(code="road")
    mine = factories.report(category=category, reporter=resident, text="小区门口路面塌陷")
    ContactDisclosure.objects.create(report=mine, viewer=users["official"])
    item = RewardItem.objects.filter(is_active=True).order_by("cost").first()
    PointsBalance.objects.update_or_create(user=resident, defaults={"balance": item.cost})
    points_redeem(user=resident, item=item)
    project = Project.objects.filter(expenditures__isnull=False, is_public=True).distinct().first()
    published = ReviewCycle.objects.filter(state=CycleState.PUBLISHED).first()
    return SimpleNamespace(
        users=users,
        project=project,
        report=Report.objects.exclude(pk=mine.pk).filter(text_is_public=True).exclude(department=None).first(),
        mine=mine,
        notification=resident.notifications.first(),
        survey=Survey.objects.filter(cycle__state=CycleState.OPEN).first(),
        published=published,
        need=Need.objects.first(),
        observer=User.objects.filter(role="observer").first(),
        cocreation=CoCreation.objects.select_related("project").first(),
        meeting=Meeting.objects.filter(is_published=True).first(),
        department=Department.objects.get(name="市住房和城乡建设局"),
        data=_written_by_people(),
    )


def _written_by_people() -> set[str]:
    """Words the city and its staff wrote (a category 其他, a canned answer's title, a log-in):
    data in the language they were written in, never a message that leaked."""
    return {
        *ServiceCategory.objects.values_list("name", flat=True),
        *ResponseTemplate.objects.values_list("title", flat=True),
        *User.objects.values_list("username", flat=True),
    }


# Parameters of the public pages that take some, from the fixture city.
PARAMETERS = {
    "projects:detail": lambda c: {"code": c.project.code},
    "projects:expenditures": lambda c: {"code": c.project.code},
    "feedback:detail": lambda c: {"pk": c.report.pk},
    "feedback:fixed": lambda c: {"token": fixed.token_for(c.mine)},
    "feedback:track": lambda c: {"code": c.mine.tracking_code},
    "evaluation:cycle": lambda c: {"year": c.published.year, "quarter": c.published.quarter},
    "evaluation:survey": lambda c: {"token": c.survey.token},
    "evaluation:survey_thanks": lambda c: {"token": c.survey.token},
    "evaluation:survey_poster": lambda c: {"token": c.survey.token},
    "participation:need-detail": lambda c: {"pk": c.need.pk},
    "participation:annual-list": lambda c: {"year": c.project.year},
    "participation:observer-page": lambda c: {"pk": c.observer.pk},
    "participation:cocreation": lambda c: {"code": c.cocreation.project.code},
    "participation:meeting-detail": lambda c: {"pk": c.meeting.pk},
    "opendata:department": lambda c: {"code": c.department.code},
    "notifications:unsubscribe": lambda c: {"token": unsubscribe_token(c.notification)},
    "feedback:field-report": lambda c: {"pk": c.report.pk},
    "feedback:field-project": lambda c: {"pk": c.project.pk},
}


@dataclass
class Leak:
    url: str
    language: str
    text: str

    def __str__(self) -> str:
        return f"{self.language} {self.url}: {self.text!r}"


class Reader:
    """One client per person and language; collects every leaked string with its page."""

    def __init__(self, user: User | None) -> None:
        self.clients = {}
        for language in LANGUAGES:
            client = Client(HTTP_ACCEPT_LANGUAGE=language)
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            if user is not None:
                client.force_login(user)
            self.clients[language] = client

    def get(self, url: str, language: str):
        return self.clients[language].get(url)


ENGLISH = english_msgids()
CHINESE = chinese_msgstrs()
UNGROUPED_YUAN = re.compile(r"¥-?\d{4,}")


def leaks(url: str, language: str, html: str, data: set[str]) -> list[Leak]:
    texts = visible_texts(html)
    wrong = (ENGLISH if language == "zh-hans" else CHINESE) - data
    found = [Leak(url, language, t) for t in texts if t in wrong]
    found += [Leak(url, language, m) for m in UNGROUPED_YUAN.findall(" ".join(texts))]
    return found


def assert_none(found: list) -> None:
    """Fail with every item, one a line: the whole list is the to-do list."""
    if found:
        pytest.fail(f"{len(found)} found:\n" + "\n".join(map(str, found)), pytrace=False)


def _public_urls(city) -> tuple[list[str], list[str]]:
    """The public pages to read, and the patterns this test neither reads nor skips (to fill in)."""
    urls, unknown = [], []
    for route in routes():
        if route.route.startswith("admin/") or route.name in SKIPPED:
            continue
        if any(route.route.startswith(prefix) for prefix in SKIPPED_PREFIXES):
            continue
        try:
            urls.append(reverse(route.name, kwargs=PARAMETERS[route.name](city) if route.parameters else None))
        except (KeyError, NoReverseMatch):
            unknown.append(f"{route.name} ({route.route})")
    return sorted(set(urls)), unknown


def _read(url: str, readers: list[Reader], language: str) -> tuple[int, str]:
    """The page as the first of `readers` who may see it; the last status if none may."""
    for reader in readers:
        response = reader.get(url, language)
        if response.status_code == 200:
            return 200, response.content.decode()
    return response.status_code, ""


def test_the_skipped_list_is_current():
    names = {route.name for route in routes()}
    assert set(SKIPPED) - names == set(), "skipped patterns that no longer exist"


def test_every_public_page_in_both_languages(city):
    urls, unknown = _public_urls(city)
    assert unknown == [], "new URL patterns: give their parameters in PARAMETERS or a reason in SKIPPED"
    # Anonymous first (sign-in pages redirect a signed-in person), then a resident for their own pages,
    # then the city administrator for the staff's pages outside the console (the field view).
    readers = [Reader(None), Reader(city.users["resident"]), Reader(city.users["admin"])]
    found, unread = [], []
    for language in LANGUAGES:
        for url in urls:
            status, html = _read(url, readers, language)
            if status != 200:
                unread.append(f"{url} {status}")
            found += leaks(url, language, html, city.data)
    assert_none(unread)
    assert_none(found)


def _console_urls(city) -> tuple[list[str], list[str]]:
    request = RequestFactory().get("/admin/")
    request.user = city.users["admin"]
    urls, unknown = [reverse("admin:index")], []
    for model_admin in registered_admins():
        opts = model_admin.model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        urls.append(reverse("admin:app_list", args=[opts.app_label]))
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        first = model_admin.get_queryset(request).order_by("-pk").first()
        if first is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]))
        for pattern in custom_admin_urls(model_admin):
            name = f"admin:{pattern.name}"
            if name in CONSOLE_SKIPPED:
                continue
            url = _custom_console_url(name, pattern, first, city)
            (urls.append(url) if url else unknown.append(f"{name} ({pattern.pattern})"))
    return sorted(set(urls)), unknown


def _custom_console_url(name: str, pattern, obj, city) -> str | None:
    if name.endswith("_simple_history") and obj is not None:
        return reverse(name, args=[obj.pk, obj.history.first().history_id])
    if name == "admin:auth_user_password_change":
        return reverse(name, args=[city.users["resident"].pk])
    if name == "admin:evaluation_import":
        return reverse(name, kwargs={"cycle_id": city.published.pk})
    if not pattern.pattern.regex.groups:
        return reverse(name)
    return None


def test_every_console_page_in_both_languages(city):
    """As the city administrator, then as an official (their department's rows) and the evaluator."""
    urls, unknown = _console_urls(city)
    assert unknown == [], "new console URLs: fill their parameters in _custom_console_url or skip them"
    readers = [Reader(city.users[name]) for name in ("admin", "official", "evaluator")]
    found, unread = [], []
    for language in LANGUAGES:
        for url in urls:
            status, html = _read(url, readers, language)
            if status != 200:
                unread.append(f"{url} {status}")
            found += leaks(url, language, html, city.data)
    assert_none(unread)
    assert_none(found)


def test_the_scoped_console_pages_as_an_official(city):
    """An official's changelists (narrowed to their department) read in both languages too."""
    official = Reader(city.users["official"])
    found = []
    request = RequestFactory().get("/admin/")
    request.user = city.users["official"]
    for model_admin in registered_admins():
        if not model_admin.has_view_permission(request):
            continue
        opts = model_admin.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        for language in LANGUAGES:
            response = official.get(url, language)
            assert response.status_code == 200, url
            found += leaks(url, language, response.content.decode(), city.data)
    assert_none(found)


@pytest.mark.parametrize("in_wan", [False, True])
def test_money_as_each_language_writes_it(city, settings, in_wan):
    """The project page's budget and expenditures: grouped yuan, or 万元 from 10,000 on where the city prefers it."""
    settings.CIVICWORKS_MONEY_IN_WAN = in_wan
    project = city.project
    reader = Reader(None)
    budget = project.budget
    grouped = f"¥{budget:,.2f}"
    for url in (project.get_absolute_url(), reverse("projects:expenditures", args=[project.code])):
        for language in LANGUAGES:
            texts = " ".join(visible_texts(reader.get(url, language).content.decode()))
            assert not UNGROUPED_YUAN.search(texts), (url, language)
    english = " ".join(visible_texts(reader.get(project.get_absolute_url(), "en").content.decode()))
    chinese = " ".join(visible_texts(reader.get(project.get_absolute_url(), "zh-hans").content.decode()))
    assert grouped in english
    if in_wan:
        assert f"{budget / 10000:,.2f} 万元" in chinese  # needs the catalogue's "%(amount)s 10k yuan"
    else:
        assert grouped in chinese
    assert HAN.search(chinese) and "Budget" in english


def _admin_script_messages() -> set[str]:
    """The messages Django's admin scripts pass to gettext/ngettext (not pgettext: its first
    argument is a context)."""
    scripts = Path(admin.__file__).parent / "static" / "admin" / "js"
    call = re.compile(r"""(?<![p\w])n?gettext\(\s*(['"])(.+?)(?<!\\)\1\s*[,)]""")
    found = set()
    for script in scripts.rglob("*.js"):
        if "vendor" not in script.parts:
            found |= {m[2].replace('\\"', '"').replace("\\'", "'") for m in call.finditer(script.read_text())}
    return found


@pytest.mark.django_db
def test_the_consoles_scripts_are_translated(client, settings):
    """The two-box pickers, calendars and filters of the console speak Chinese too (Django's own
    catalogue lags behind its scripts; locale/zh_Hans/LC_MESSAGES/djangojs.po fills the gap)."""
    client.force_login(factories.user(role="city_admin"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    script = client.get("/admin/jsi18n/").content.decode()
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\n  \});", script, re.DOTALL)[1])
    messages = _admin_script_messages()
    assert 'Choose %s by selecting them and then select the "Choose" arrow button.' in messages
    untranslated = sorted(m for m in messages if not catalog.get(m))
    assert untranslated == []


@pytest.mark.django_db
def test_the_sign_in_protection_pages_speak_chinese(client, settings):
    """django-axes ships no Chinese: its app and model names come from our catalogue."""
    client.force_login(factories.user(role="city_admin", is_superuser=True, is_staff=True))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    index = client.get("/admin/").content.decode()
    assert "登录保护" in index and "登录尝试" in index and "Access attempts" not in index
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(username="x", ip_address="127.0.0.1", user_agent="t", failures_since_start=3)
    attempts = client.get("/admin/axes/accessattempt/").content.decode()
    assert "IP地址" in attempts and "IP Address" not in attempts
