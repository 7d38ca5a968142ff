import csv
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from opendata.oc4ids import PROJECT_TYPE, SECTOR, STATUS
from projects.models import Stage
from tests import factories

from .conftest import oc4ids_schema_dir

pytestmark = pytest.mark.django_db


def errors_of(validator, package) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(package)]


def test_package_of_a_demo_like_city_validates(client, demo_like_city, oc4ids_validator):
    response = client.get(reverse("opendata-oc4ids"))

    assert response.status_code == 200
    package = response.json()
    assert errors_of(oc4ids_validator, package) == []
    ids = [p["id"] for p in package["projects"]]
    assert "oc4ids-civicworks-MX-2026-001" in ids
    assert "oc4ids-civicworks-MX-2026-099" not in ids  # not public
    assert package["uri"] == "http://testserver/api/v1/oc4ids/"
    assert package["version"] == "0.9"


def test_validator_really_checks(oc4ids_validator, demo_like_city, client):
    """A wrong status code, a string amount and a bad date are all caught: the test can fail."""
    package = client.get(reverse("opendata-oc4ids")).json()
    package["projects"][0]["status"] = "underConstruction"
    package["projects"][0]["budget"]["amount"]["amount"] = "1200000"
    package["publishedDate"] = "yesterday"

    assert len(errors_of(oc4ids_validator, package)) == 3


def test_project_content(client, rich_project, settings):
    settings.CIVICWORKS_OC4IDS_PREFIX = "oc4ids-jc0001-"
    project = client.get(reverse("opendata-oc4ids")).json()["projects"][0]

    assert project["id"] == "oc4ids-jc0001-MX-2026-001"
    assert project["status"] == "implementation"
    assert project["sector"] == ["socialHousing"]
    assert project["budget"]["amount"] == {"amount": 1200000.0, "currency": "CNY"}
    assert project["locations"][0]["geometry"] == {"type": "Point", "coordinates": [103.99, 30.69]}
    roles = {party["name"]: party["roles"] for party in project["parties"]}
    assert roles["市住房和城乡建设局"] == ["publicAuthority", "payer"]
    assert roles["市城市管理局"] == ["administrativeEntity"]
    assert roles["锦川建工集团有限公司"] == ["supplier", "payee"]
    assert roles["市级财政资金"] == ["funder"]
    assert project["publicAuthority"]["name"] == "市住房和城乡建设局"
    assert sorted(t["value"]["amount"] for t in project["transactions"]) == [50000.5, 300000.0]
    assert {m["status"] for m in project["milestones"]} >= {"met"}
    types = {d["documentType"] for d in project["documents"]}
    assert types == {"physicalProgressReport", "illustration", "paymentCertificate"}
    photo = next(d for d in project["documents"] if d["documentType"] == "illustration")
    assert photo["url"].startswith("http://testserver/files/progress/")
    assert project["period"]["startDate"] == "2026-03-01T00:00:00+08:00"
    assert "completion" not in project


def test_completed_project_has_completion_and_its_outline(client, completed_project, oc4ids_validator):
    package = client.get(reverse("opendata-oc4ids")).json()
    project = package["projects"][0]

    assert project["status"] == "completion"
    assert project["completion"] == {
        "endDate": "2025-09-20T00:00:00+08:00",
        "finalValue": {"amount": 300000.0, "currency": "CNY"},
    }
    assert project["locations"][1]["geometry"]["type"] == "Polygon"
    assert project["sector"] == ["cultureSportsAndRecreation"]
    assert errors_of(oc4ids_validator, package) == []


def codes(name: str) -> set[str]:
    with (oc4ids_schema_dir() / "codelists" / name).open(encoding="utf-8") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


def test_mappings_use_the_standard_codelists():
    assert set(STATUS) == set(Stage.values)
    assert set(STATUS.values()) <= codes("projectStatus.csv")
    assert {code for sectors in SECTOR.values() for code in sectors} <= codes("projectSector.csv")
    assert set(PROJECT_TYPE.values()) <= codes("projectType.csv")


def test_query_count_does_not_grow_with_projects(client, rich_project, lead_department, django_assert_max_num_queries):
    factories.projects(5, lead_unit=lead_department, code_prefix="BULK-", start=1000)
    with django_assert_max_num_queries(8) as small:
        client.get(reverse("opendata-oc4ids"))
    factories.projects(50, lead_unit=lead_department, code_prefix="BULK-", start=2000)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("opendata-oc4ids"))
    assert len(response.json()["projects"]) == 56


def test_command_writes_the_package(tmp_path, demo_like_city, oc4ids_validator):
    target = tmp_path / "oc4ids.json"

    call_command("export_oc4ids", str(target), "--base-url", "https://jinchuan.example.cn/")

    package = json.loads(target.read_text(encoding="utf-8"))
    assert errors_of(oc4ids_validator, package) == []
    assert package["uri"] == "https://jinchuan.example.cn/api/v1/oc4ids/"
    assert len(package["projects"]) == demo_like_city.filter(is_public=True).count()


def test_package_of_the_demo_city_validates(client, city, media_root, oc4ids_validator, django_assert_max_num_queries):
    """The projects app's own demo city (锦川市, 40 projects with chains, money and updates)."""
    from projects.demo import seed_projects
    from projects.models import Project

    seed_projects(count=40)
    with django_assert_max_num_queries(8):
        package = client.get(reverse("opendata-oc4ids")).json()

    assert errors_of(oc4ids_validator, package) == []
    assert len(package["projects"]) == Project.objects.public().count() > 0
    assert any(project.get("transactions") for project in package["projects"])
    assert any(project.get("completion") for project in package["projects"])
