"""The hostile console: every registered console page, every role, every door.

For each role of the demo city (and an anonymous visitor) the walk opens every ModelAdmin the
console registers — found from `admin.site`, so a new screen is covered the day it is added —
and tries every door on a real object and on a forged id: the list with an undeclared lookup,
add, change (with the form a city administrator would post, every text altered), delete, the
change history and its per-version form, every action, and every custom view the page adds.

The oracle is `WRITERS` below, written by hand from the access rules in docs/security.md, not
read from the admin classes under test: a role that is not a writer of a page must leave every
table exactly as it was (a digest of all rows before and after), and no door may answer 5xx.
A registered page missing from `WRITERS`, a model with no row in the world, or a custom view
with a parameter the walk cannot fill fails the suite, so nothing new goes unwalked.
"""

import hashlib
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.core.management import call_command
from django.db import transaction
from django.urls import URLPattern, reverse
from django.utils import timezone

from civicworks.accounts.models import User

ROLES = ["anonymous", "resident", "observer", "grid", "supervisor", "official", "official2", "manager", "evaluator",
         "admin"]  # fmt: skip
DEPARTMENT_WRITERS = {"admin", "official", "official2", "manager"}
HANDLERS = DEPARTMENT_WRITERS | {"supervisor", "grid"}

# Who may change anything at all through each console page (scoping by department is tested per
# page elsewhere). Deleting is the city administrator's alone on every page.
WRITERS: dict[str, set[str]] = {
    "accounts.user": {"admin"},
    "accounts.workerheartbeat": {"admin"},  # the administrator may clear a stale heartbeat
    "auth.group": {"admin"},
    "authtoken.tokenproxy": {"admin"},
    "axes.accessattempt": {"admin"},
    "axes.accessfailurelog": {"admin"},
    "axes.accesslog": {"admin"},
    "evaluation.accountabilityrecord": {"admin"},
    "evaluation.departmentreport": {"admin"},
    "evaluation.indicatorvalue": {"admin"},
    "evaluation.inspection": {"admin", "evaluator"},
    "evaluation.manualindicator": {"admin", "evaluator"},
    "evaluation.rectificationorder": {"admin", "evaluator", "official", "official2", "manager"},
    "evaluation.reviewcycle": {"admin", "evaluator"},
    "evaluation.scorecard": {"admin"},
    "evaluation.survey": {"admin", "evaluator"},
    "evaluation.weightingscheme": {"admin", "evaluator"},
    "feedback.apikey": {"admin"},
    "feedback.contactdisclosure": set(),
    "feedback.gridarea": {"admin"},
    "feedback.report": HANDLERS,
    "feedback.responsetemplate": HANDLERS,
    "feedback.routingrule": {"admin"},
    "feedback.servicecategory": {"admin"},
    "participation.actionitem": DEPARTMENT_WRITERS,
    "participation.cocreation": DEPARTMENT_WRITERS,
    "participation.meeting": DEPARTMENT_WRITERS,
    "participation.need": DEPARTMENT_WRITERS,
    "participation.observerapplication": {"admin", "manager"},
    "participation.pointsentry": set(),
    "participation.redemption": {"admin", "manager"},
    "participation.rewarditem": {"admin", "manager"},
    "projects.budgetallocation": {"admin"},
    "projects.community": {"admin"},
    "projects.department": {"admin"},
    "projects.district": {"admin"},
    "projects.expenditure": {"admin"},
    "projects.milestone": {"admin"},
    "projects.progressupdate": {"admin"},
    "projects.project": DEPARTMENT_WRITERS,
    "projects.projectcategory": {"admin"},
    "projects.responsibleperson": {"admin"},
}
# Rows that a permitted read writes by design (the audit of a disclosure, log-in records, the
# admin's own log), or that other tests' services keep: not part of "nothing changed".
UNWATCHED = {"admin.logentry", "sessions.session", "feedback.contactdisclosure", "axes.accessattempt",
             "axes.accesslog", "axes.accessfailurelog", "accounts.idempotentrequest"}  # fmt: skip
# Values for the string parameters of custom console views (a new one must be added here).
STRING_PARAMS = {"step": ["accept", "transfer", "answer", "resolve", "close", "hide", "reopen", "unknown"]}
FORGED_PK = 987654321
STANDARD_VIEWS = re.compile(r"_(changelist|add|history|delete|change)$")


def registered() -> list[tuple[type, admin.ModelAdmin]]:
    site: AdminSite = admin.site
    return sorted(site._registry.items(), key=lambda item: item[0]._meta.label_lower)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo city plus one row of each console model it lacks, rolled back after the module."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", "--quiet-logins", "--reports", "40", "--responses", "60", verbosity=0)
            add_missing_rows()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def add_missing_rows() -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from civicworks.accounts.models import WorkerHeartbeat
    from feedback.models import ApiKey, ContactDisclosure, Report, ResponseTemplate
    from participation.models import RewardItem
    from participation.services import points_award, points_redeem
    from projects.models import Department

    admin_user = User.objects.get(username="admin")
    resident = User.objects.get(username="resident")
    WorkerHeartbeat.objects.create(name="celery@demo", seen_at=timezone.now())
    Group.objects.create(name="演示组")
    Token.objects.create(user=admin_user)
    AccessAttempt.objects.create(username="x", ip_address="127.0.0.1", user_agent="t", failures_since_start=1)
    AccessLog.objects.create(username="x", ip_address="127.0.0.1", user_agent="t")
    AccessFailureLog.objects.create(username="x", ip_address="127.0.0.1", user_agent="t")
    ApiKey.objects.create(name="演示客户端")
    ContactDisclosure.objects.create(report=Report.objects.first(), viewer=admin_user)
    ResponseTemplate.objects.create(
        department=Department.objects.get(name="市住房和城乡建设局"), title="已受理", text="已受理"
    )
    item = RewardItem.objects.filter(is_active=True).order_by("cost").first()
    for n in range(item.cost):
        points_award(user=resident, rule="report_confirmed", source_key=f"hostile-world-{n}")
    points_redeem(user=resident, item=item)


def digest() -> dict[str, str]:
    """One hash per watched table: what its rows say, in key order."""
    result = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in UNWATCHED or not model._meta.managed:
            continue
        rows = model._base_manager.order_by("pk").values_list()
        result[label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return result


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(label for label in after if before.get(label) != after[label])


def admin_form_data(response) -> dict:
    """The form a city administrator would post back, every free text altered."""
    from tests.projects.test_console import form_data

    data = form_data(response)
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        if field.__class__.__name__ in ("CharField", "TextInput") and name in data and data[name]:
            data[name] = f"{data[name]}-篡改"
    return data


def custom_urls(model_admin) -> list[URLPattern]:
    return [
        p for p in model_admin.get_urls() if isinstance(p, URLPattern) and p.name and not STANDARD_VIEWS.search(p.name)
    ]


def fill(pattern: URLPattern, pk: int) -> list[dict]:
    """Every way to fill the view's parameters: the real object and a forged id, each string value."""
    names = list(pattern.pattern.converters)
    values: list[dict] = [{}]
    for name in names:
        converter = pattern.pattern.converters[name].__class__.__name__
        if converter == "IntConverter":
            options = [pk, FORGED_PK]
        elif name in STRING_PARAMS:
            options = STRING_PARAMS[name]
        elif name == "object_id":
            options = [str(pk), str(FORGED_PK)]
        else:
            pytest.fail(f"{pattern.name}: add values for the parameter {name!r} to STRING_PARAMS")
        values = [{**v, name: o} for v in values for o in options]
    return values


class Walker:
    def __init__(self, client, role: str, writer_pages: dict) -> None:
        self.client, self.role, self.errors = client, role, []
        self.writer_pages = writer_pages

    def request(self, method: str, url: str, data=None):
        response = getattr(self.client, method)(url, data or {})
        if response.status_code >= 500:
            self.errors.append(f"{self.role}: {method.upper()} {url} answered {response.status_code}")
        return response

    def walk(self, model, model_admin, admin_views: dict) -> None:
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        obj = model._base_manager.order_by("pk").first()
        field = next(
            (f.name for f in opts.concrete_fields if f.get_internal_type() in ("CharField", "TextField")), "pk"
        )
        # The list, with a lookup no filter declares (a binary search on a hidden column).
        listed = self.request("get", f"{base}?{field}__regex=.")
        if listed.status_code == 200 and self.role != "anonymous" and "cl" in (listed.context or {}):
            self.errors.append(f"{self.role}: {base}?{field}__regex=. was accepted")
        self.request("get", base)
        self.request("get", f"{base}add/")
        self.request("post", f"{base}add/", admin_views.get("add", {}))
        for pk in (obj.pk, FORGED_PK):
            self.request("get", f"{base}{pk}/change/")
            self.request("post", f"{base}{pk}/change/", admin_views.get("change", {}))
            self.request("get", f"{base}{pk}/history/")
            self.request("post", f"{base}{pk}/delete/", {"post": "yes"})
        if hasattr(model, "history") and hasattr(model_admin, "history_form_view"):
            for version in model.history.filter(**{opts.pk.attname: obj.pk}).order_by("history_id")[:1]:
                url = f"{base}{obj.pk}/history/{version.history_id}/"
                self.request("get", url)
                self.request("post", url, admin_views.get("change", {}))
        for action in [
            "delete_selected",
            *(a if isinstance(a, str) else a.__name__ for a in model_admin.actions or []),
        ]:
            selected = {"action": action, "_selected_action": [obj.pk, FORGED_PK], "post": "yes", "index": 0}
            self.request("post", base, selected)
        for pattern in custom_urls(model_admin):
            for kwargs in fill(pattern, obj.pk):
                url = reverse(f"admin:{pattern.name}", kwargs=kwargs)
                self.request("get", url)
                self.request("post", url, {"note": "篡改", "reason": "篡改", "answer": "篡改", "department": 1})


@pytest.fixture(scope="module")
def admin_views(world, django_db_blocker):
    """For each page, the add and change forms as the city administrator would post them (forged texts)."""
    from django.test import Client

    client = Client()
    forms: dict[str, dict] = {}
    with django_db_blocker.unblock():
        client.force_login(User.objects.get(username="admin"))
        for model, _model_admin in registered():
            opts = model._meta
            base = f"/admin/{opts.app_label}/{opts.model_name}/"
            obj = model._base_manager.order_by("pk").first()
            entry = forms.setdefault(opts.label_lower, {})
            for kind, url in (("add", f"{base}add/"), ("change", f"{base}{obj.pk}/change/")):
                page = client.get(url)
                if page.status_code == 200 and page.context and "adminform" in page.context:
                    entry[kind] = admin_form_data(page)
    return forms


def test_every_console_page_is_in_the_table_and_has_a_row_to_attack(world, db):
    pages = {model._meta.label_lower for model, _ in registered()}
    assert pages == set(WRITERS), "a console page was added or removed: put it in WRITERS with its writers"
    empty = [label for label in pages if not apps.get_model(label)._base_manager.exists()]
    assert empty == [], "the world has no row of these console models; add one in add_missing_rows()"


@pytest.mark.parametrize("role", ROLES)
def test_no_role_changes_what_it_may_not(client, world, admin_views, db, role):
    if role != "anonymous":
        client.force_login(User.objects.get(username=role))
    walker = Walker(client, role, WRITERS)
    before = digest()
    for model, model_admin in registered():
        label = model._meta.label_lower
        walker.walk(model, model_admin, admin_views.get(label, {}))
        after = digest()
        if role not in WRITERS[label]:
            assert changed(before, after) == [], f"{role} changed rows through the {label} console page"
        before = after
    assert walker.errors == []


def test_only_the_city_administrator_deletes(world, db):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    for role in ROLES[1:]:
        request.user = User.objects.get(username=role)
        may_delete = sorted(m._meta.label_lower for m, ma in registered() if ma.has_delete_permission(request))
        if role == "admin":
            assert may_delete, "the city administrator can delete nothing at all"
        else:
            assert may_delete == [], f"{role} is offered delete on {may_delete}"
