"""Side doors of the console found by the integrity review (issue 14, findings 1, 2, 3 and 11).

Each test was written against the code as it was and failed there: read-only roles changed a
project through its history form, contact details were found by free list lookups, the inlines
accepted what the services refuse, and "Delete selected" was offered to people who may only edit.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from evaluation.models import OrderStatus, RectificationOrder, ReviewCycle, WeightingScheme
from feedback import services as feedback_services
from feedback.models import Channel
from participation.models import Need
from projects.models import BudgetAllocation, Expenditure, ProgressUpdate, Project
from tests import factories
from tests.projects.test_console import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def ours(lead_department) -> Project:
    return factories.complete_project(code="MX-2026-091", lead_unit=lead_department)


# --- 1. Nobody edits through the history form ------------------------------------------------


def history_form_url(obj) -> str:
    version = obj.history.earliest()
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/history/{version.history_id}/"


@pytest.mark.parametrize("persona", ["evaluator", "supervisor"])
def test_read_only_roles_cannot_change_a_project_through_its_history(client, request, persona, ours):
    client.force_login(request.getfixturevalue(persona))
    before = (ours.title, ours.budget, ours.is_public)

    response = client.post(history_form_url(ours), {"title": "改掉的标题", "budget": "1.00", "code": ours.code})

    assert response.status_code == 403
    ours.refresh_from_db()
    assert (ours.title, ours.budget, ours.is_public) == before


@pytest.mark.parametrize("persona", ["evaluator", "supervisor", "other_official"])
def test_read_only_roles_cannot_change_spending_through_its_history(client, request, persona, ours):
    client.force_login(request.getfixturevalue(persona))
    expenditure = ours.expenditures.first()

    response = client.post(history_form_url(expenditure), {"amount": "999999.00", "date": "2026-04-01"})

    assert response.status_code in (403, 404)
    expenditure.refresh_from_db()
    assert expenditure.amount == Decimal("10.50")


def test_reverting_is_a_change_by_someone_who_may_change_and_is_recorded(client, official, ours):
    ours.title = "第二版标题"
    ours.save()
    client.force_login(official)
    page = client.get(history_form_url(ours))  # the first version, titled 测试项目 MX-2026-091
    data = form_data(page)

    response = client.post(history_form_url(ours), data)

    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.title == "测试项目 MX-2026-091"
    assert ours.history.latest().history_user == official


def test_a_revert_meets_the_same_rules_as_the_change_form(client, official, ours):
    client.force_login(official)
    data = form_data(client.get(history_form_url(ours)))
    data.update({"stage": "completed", "percent_complete": "50"})

    response = client.post(history_form_url(ours), data)

    assert response.status_code == 200  # the form again, with the error
    ours.refresh_from_db()
    assert (ours.stage, ours.percent_complete) == ("construction", 50)


# --- 2. Only declared filters narrow a list ----------------------------------------------------


@pytest.fixture
def phoned_report(road, lead_department, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # routed to the road desk
        report = feedback_services.report_submit(
            category=road,
            text="井盖缺失",
            latitude=30.69,
            longitude=103.99,
            channel=Channel.WEB,
            reporter_name="金丝雀张三",
            reporter_phone="13912345678",
            reporter_email="canary@example.cn",
        )
    report.refresh_from_db()
    return report


@pytest.mark.parametrize(
    "query",
    [
        "reporter_phone=13912345678",
        "reporter_phone__regex=^139",
        "reporter_phone__startswith=139",
        "reporter_email__icontains=canary",
        "reporter_name__startswith=金丝雀",
        "reporter=1",
        "reporter__email__contains=a",
        "text_is_public=0",
        "category__department__dispatch_email__contains=a",
    ],
)
@pytest.mark.parametrize("persona", ["official", "city_admin", "evaluator"])
def test_undeclared_lookups_are_refused(client, request, persona, phoned_report, query):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(f"/admin/feedback/report/?{query}")

    assert response.status_code == 400
    assert b"13912345678" not in response.content


def test_declared_filters_and_the_hotspot_link_still_work(client, official, phoned_report):
    from feedback.hotspot_params import HotspotQuery
    from feedback.hotspots import console_url

    client.force_login(official)
    assert client.get("/admin/feedback/report/?status__exact=dispatched").status_code == 200
    assert client.get("/admin/projects/project/?planned_end__year=2026&stage__exact=construction").status_code == 200
    today = timezone.localdate()
    query = HotspotQuery(since_date=today, until_date=today, cell=0.01, bbox=None, category_id=None)
    url = console_url(query, [103.9, 30.6, 104.1, 30.8])
    page = client.get(url)
    assert page.status_code == 200
    assert [r.pk for r in page.context["cl"].result_list] == [phoned_report.pk]


# --- 3. The console's inlines meet the services' rules ---------------------------------------


def post_with_inline(client, project, model, values: dict):
    page = client.get(f"/admin/projects/project/{project.pk}/change/")
    data = form_data(page)
    prefix = next(f.formset.prefix for f in page.context["inline_admin_formsets"] if f.formset.model is model)
    row = int(data[f"{prefix}-INITIAL_FORMS"])
    data.update({f"{prefix}-{row}-{name}": value for name, value in values.items()})
    data[f"{prefix}-TOTAL_FORMS"] = str(row + 1)
    return client.post(f"/admin/projects/project/{project.pk}/change/", data)


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (Expenditure, {"date": "2099-01-01", "amount": "100.00", "payee": "公司", "purpose": "工程款"}),
        (BudgetAllocation, {"date": "2026-02-01", "amount": "0", "source": "财政"}),
        (ProgressUpdate, {"stage": "completed", "percent_complete": "50", "text": "完工"}),
    ],
    ids=["expenditure-in-2099", "zero-allocation", "completed-at-50"],
)
def test_inlines_refuse_what_the_services_refuse(client, official, ours, model, values):
    client.force_login(official)
    rows_before = model.objects.filter(project=ours).count()

    response = post_with_inline(client, ours, model, values)

    assert response.status_code == 200  # the form again, with the error shown
    assert model.objects.filter(project=ours).count() == rows_before
    ours.refresh_from_db()
    assert (ours.stage, ours.percent_complete) == ("construction", 50)


@pytest.fixture
def verified_order(ours, evaluator, lead_department):
    scheme = WeightingScheme.objects.create(name="测试方案")
    cycle = ReviewCycle.objects.create(year=2026, quarter=2, scheme=scheme, state="closed")
    return RectificationOrder.objects.create(
        cycle=cycle,
        project=ours,
        department=lead_department,
        responsible_person="李明",
        findings="满意度不足",
        deadline=date(2026, 9, 30),
        status=OrderStatus.CLOSED,
        response="已整改",
        answered_at=timezone.now(),
    )


@pytest.mark.parametrize("response_text", ["改写的整改报告", ""])
@pytest.mark.parametrize("persona", ["official", "evaluator"])
def test_a_verified_orders_answer_cannot_be_changed(client, request, persona, verified_order, response_text):
    client.force_login(request.getfixturevalue(persona))
    url = f"/admin/evaluation/rectificationorder/{verified_order.pk}/change/"
    data = {
        "response": response_text,
        "department": verified_order.department_id,
        "responsible_person": "李明",
        "findings": "满意度不足",
        "deadline": "2026-09-30",
        "verification_note": "",
    }

    response = client.post(url, data)

    assert response.status_code in (200, 302, 403)
    verified_order.refresh_from_db()
    assert (verified_order.response, verified_order.status) == ("已整改", OrderStatus.CLOSED)


# --- 11. Deleting civic records is the city administrator's alone ------------------------------


@pytest.fixture
def need(resident, city) -> Need:
    return factories.need(author=resident)


@pytest.mark.parametrize(
    ("persona", "changelist"),
    [
        ("official", "/admin/projects/project/"),
        ("manager", "/admin/projects/project/"),
        ("official", "/admin/participation/need/"),
        ("evaluator", "/admin/evaluation/reviewcycle/"),
    ],
)
def test_delete_selected_is_not_offered_to_editors(client, request, persona, changelist, ours, need):
    ReviewCycle.objects.create(year=2026, quarter=4, scheme=WeightingScheme.objects.create(name="方案"))
    client.force_login(request.getfixturevalue(persona))

    page = client.get(changelist)

    assert page.status_code == 200
    assert b'value="delete_selected"' not in page.content


@pytest.mark.parametrize("persona", ["official", "manager"])
def test_editors_cannot_delete_a_project_or_a_need(client, request, persona, ours, need):
    client.force_login(request.getfixturevalue(persona))

    client.post(f"/admin/projects/project/{ours.pk}/delete/", {"post": "yes"})
    client.post("/admin/projects/project/", {"action": "delete_selected", "_selected_action": [ours.pk], "post": "yes"})
    client.post(f"/admin/participation/need/{need.pk}/delete/", {"post": "yes"})

    assert Project.objects.filter(pk=ours.pk).exists()
    assert Need.objects.filter(pk=need.pk).exists()


def test_editors_cannot_delete_money_rows_inline(client, official, ours):
    client.force_login(official)
    page = client.get(f"/admin/projects/project/{ours.pk}/change/")
    data = form_data(page)
    prefix = next(f.formset.prefix for f in page.context["inline_admin_formsets"] if f.formset.model is Expenditure)
    data[f"{prefix}-0-DELETE"] = "on"

    client.post(f"/admin/projects/project/{ours.pk}/change/", data)

    assert ours.expenditures.count() == 3


def test_the_city_administrator_may_delete(client, city_admin, need):
    client.force_login(city_admin)

    response = client.post(f"/admin/participation/need/{need.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Need.objects.filter(pk=need.pk).exists()


def test_checking_the_filters_costs_no_query_per_parameter(client, official, phoned_report):
    """The declared filters are built once a request, not once per query parameter (their choices are queries)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(official)
    one = "?status__exact=dispatched"
    # The same rows either way (a listed row costs its photos' query): the report's own district and category.
    many = one + (
        f"&channel__exact={phoned_report.channel}&district__id__exact={phoned_report.district_id}"
        f"&category__id__exact={phoned_report.category_id}"
    )
    client.get(f"/admin/feedback/report/{one}")  # warm the session and caches
    with CaptureQueriesContext(connection) as with_one:
        assert client.get(f"/admin/feedback/report/{one}").status_code == 200
    with CaptureQueriesContext(connection) as with_many:
        assert client.get(f"/admin/feedback/report/{many}").status_code == 200
    assert len(with_many) == len(with_one)
