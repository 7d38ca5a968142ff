"""The API: public reads; staff writes only on their own department's projects (403 otherwise)."""

from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token

from projects.models import Expenditure, Milestone, ProgressUpdate
from tests import factories
from tests.factories import HIDDEN_EMAIL, HIDDEN_PHONE

pytestmark = pytest.mark.django_db

UPDATE = {"stage": "acceptance", "percent_complete": 90, "text": "主体完工，准备验收"}
EXPENSE = {"date": "2026-06-01", "amount": "12345.67", "payee": "锦川建工", "purpose": "进度款", "voucher_number": "V1"}
MILESTONE = {"title": "竣工验收", "planned_date": "2026-12-20"}


def snapshot(project) -> tuple:
    project.refresh_from_db()
    return (
        project.stage,
        project.percent_complete,
        project.updates.count(),
        project.milestones.count(),
        project.expenditures.count(),
        list(project.milestones.values_list("actual_date", flat=True)),
    )


def post(client, url, data, user=None, **extra):
    if user is not None:
        client.force_login(user)
    return client.post(url, data, content_type="application/json", **extra)


@pytest.mark.parametrize(
    ("suffix", "data"), [("updates/", UPDATE), ("expenditures/", EXPENSE), ("milestones/", MILESTONE)]
)
def test_lead_official_writes(client, project, official, suffix, data):
    response = post(client, f"/api/v1/projects/{project.code}/{suffix}", data, official)
    assert response.status_code == 201, response.content
    assert snapshot(project) != (
        "construction",
        40,
        0,
        0,
        0,
        [],
    )


@pytest.mark.parametrize("persona", ["other_official", "resident", "evaluator", "supervisor", "observer"])
@pytest.mark.parametrize(
    ("suffix", "data"), [("updates/", UPDATE), ("expenditures/", EXPENSE), ("milestones/", MILESTONE)]
)
def test_others_are_refused_and_nothing_changes(client, project, request, persona, suffix, data):
    before = snapshot(project)
    response = post(client, f"/api/v1/projects/{project.code}/{suffix}", data, request.getfixturevalue(persona))
    assert response.status_code == 403
    assert snapshot(project) == before


def test_anonymous_cannot_write(client, project):
    before = snapshot(project)
    assert post(client, f"/api/v1/projects/{project.code}/updates/", UPDATE).status_code in (401, 403)
    assert snapshot(project) == before


def test_milestone_completion_refused_for_other_department(client, project, other_official, official):
    milestone = Milestone.objects.create(project=project, title="开工", planned_date="2026-04-01")
    url = f"/api/v1/projects/{project.code}/milestones/{milestone.pk}/complete/"
    assert post(client, url, {"actual_date": "2026-04-03"}, other_official).status_code == 403
    milestone.refresh_from_db()
    assert milestone.actual_date is None
    assert post(client, url, {"actual_date": "2026-04-03"}, official).status_code == 200
    milestone.refresh_from_db()
    assert str(milestone.actual_date) == "2026-04-03"


def test_co_organiser_may_write_with_a_token(client, project, other_official, other_department):
    project.co_organisers.add(other_department)
    token = Token.objects.create(user=other_official)
    response = client.post(
        f"/api/v1/projects/{project.code}/expenditures/",
        EXPENSE,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 201
    row = Expenditure.objects.get(project=project)
    assert (row.amount, row.recorded_by) == (Decimal("12345.67"), other_official)
    assert row.history.latest().history_user == other_official


def test_progress_update_moves_project_and_records_author(client, project, official):
    assert post(client, f"/api/v1/projects/{project.code}/updates/", UPDATE, official).status_code == 201
    project.refresh_from_db()
    assert (project.stage, project.percent_complete) == ("acceptance", 90)
    assert ProgressUpdate.objects.get(project=project).author == official


@pytest.mark.parametrize(
    ("suffix", "data", "field"),
    [
        ("updates/", {**UPDATE, "percent_complete": 150}, "percent_complete"),
        ("updates/", {**UPDATE, "stage": "finished"}, "stage"),
        ("updates/", {**UPDATE, "stage": "completed", "percent_complete": 50}, "percent_complete"),
        ("expenditures/", {**EXPENSE, "amount": "-5"}, "amount"),
        ("expenditures/", {**EXPENSE, "amount": "0"}, "amount"),
        ("expenditures/", {**EXPENSE, "amount": "abc"}, "amount"),
        ("expenditures/", {**EXPENSE, "date": "2999-01-01"}, "date"),
        ("milestones/", {"title": "x", "planned_date": "not a date"}, "planned_date"),
    ],
)
def test_bad_input_is_a_clear_400(client, project, official, suffix, data, field):
    before = snapshot(project)
    response = post(client, f"/api/v1/projects/{project.code}/{suffix}", data, official)
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot(project) == before


def test_unknown_project_is_404(client, official):
    assert post(client, "/api/v1/projects/NOPE/updates/", UPDATE, official).status_code == 404


def test_public_reads(client, project, other_project):
    body = client.get("/api/v1/projects/?search=电梯").json()
    assert [p["code"] for p in body["results"]] == [project.code]
    body = client.get("/api/v1/projects/?district=qingshan").json()
    assert [p["code"] for p in body["results"]] == [other_project.code]
    body = client.get("/api/v1/projects/?ordering=-percent_complete").json()
    assert [p["code"] for p in body["results"]] == [project.code, other_project.code]
    assert client.get("/api/v1/projects/?stage=design").json()["count"] == 1


def test_department_filter_includes_co_organised(client, project, other_project, other_department):
    project.co_organisers.add(other_department)
    body = client.get(f"/api/v1/projects/?department={other_department.pk}").json()
    assert sorted(p["code"] for p in body["results"]) == [project.code, other_project.code]


def test_detail_hides_private_contacts(client, lead_department):
    project = factories.complete_project(code="MX-2026-050", lead_unit=lead_department)
    body = client.get(f"/api/v1/projects/{project.code}/").json()
    assert {p["name"] for p in body["chain"]} == {"负责人", "监督员"}
    assert HIDDEN_PHONE not in str(body) and HIDDEN_EMAIL not in str(body)
    project.people.filter(name="负责人").update(contact_is_public=True)
    body = client.get(f"/api/v1/projects/{project.code}/").json()
    assert HIDDEN_PHONE in str(body)
    assert body["spent"] == "31.50"
    assert body["allocated"] == "3000.00"


def test_hidden_project_is_not_public(client, project):
    project.is_public = False
    project.save()
    assert client.get(f"/api/v1/projects/{project.code}/").status_code == 404
    assert client.get("/api/v1/projects/").json()["count"] == 0


def test_departments_and_districts(client, project, django_assert_num_queries):
    factories.project(lead_unit=project.lead_unit, community="青龙社区")
    factories.project(lead_unit=project.lead_unit, is_public=False)  # not counted anywhere
    idle = factories.department(name="市档案馆")
    with django_assert_num_queries(1):  # each count a subquery of the one statement
        departments = client.get("/api/v1/departments/").json()
    led = {d["name"]: d["led_projects"] for d in departments}
    assert led["市住房和城乡建设局"] == 2
    assert led[idle.name] == 0
    assert sum(led.values()) == 2
    districts = client.get("/api/v1/districts/").json()
    assert districts["type"] == "FeatureCollection"
    linjiang = next(f for f in districts["features"] if f["properties"]["code"] == "linjiang")
    assert linjiang["geometry"]["type"] == "Polygon"
    assert linjiang["properties"]["project_count"] == 1  # the other public project is in Qingshan
    assert sum(f["properties"]["project_count"] for f in districts["features"]) == 2
    assert "望江社区" in linjiang["properties"]["communities"]


def test_schema_documents_the_projects_api(client):
    schema = client.get("/api/schema/?format=json").json()
    assert "/api/v1/projects/map/" in schema["paths"]
    assert "/api/v1/projects/{code}/updates/" in schema["paths"]


def test_list_rows_are_shaped_as_the_serializer_says(client, project):
    """The list API builds its rows directly (hot path); they must equal the documented serializer's."""
    from projects import selectors
    from projects.serializers import ProjectOutputSerializer, project_output

    Expenditure.objects.create(project=project, date="2026-05-01", amount=Decimal("1234.56"), payee="x", purpose="y")
    for row in selectors.project_list():
        assert project_output(row) == ProjectOutputSerializer(row).data
    assert client.get("/api/v1/projects/").json()["results"][0] == dict(
        ProjectOutputSerializer(selectors.project_list().order_by("-year", "code").first()).data
    )
