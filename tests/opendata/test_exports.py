import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import Expenditure, Project
from tests import factories

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def export_url(dataset: str, fmt: str) -> str:
    return reverse("opendata-export", kwargs={"dataset": dataset, "fmt": fmt})


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel needs the BOM for Chinese text
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def read_xlsx(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def as_dicts(rows: list[list]) -> list[dict]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_projects_csv_has_chinese_headers_and_the_right_values(client, official, rich_project):
    client.force_login(official)

    rows = read_csv(client.get(export_url("projects", "csv"), **ZH))

    assert rows[0][:3] == ["编号", "标题", "类别"]
    row = as_dicts(rows)[0]
    assert row["编号"] == "MX-2026-001"
    assert row["阶段"] == "施工中"
    assert row["预算（元）"] == "1200000.00"
    assert Decimal(row[rows[0][14]]) == Decimal("350000.50")  # spent: both expenditures


def test_money_sums_are_exported_to_the_cent_on_every_database(client, official, rich_project, other_project):
    """The spent column read "350000.500000000" and, for whole yuan, "400000" on SQLite."""
    Expenditure.objects.create(
        project=other_project, date=date(2026, 6, 1), amount=Decimal("400000"), payee="施工方", purpose="进度款"
    )
    client.force_login(official)

    rows = read_csv(client.get(export_url("projects", "csv"), HTTP_ACCEPT_LANGUAGE="en"))

    spent = {row["code"]: row["spent (yuan)"] for row in as_dicts(rows)}
    assert spent == {"MX-2026-001": "350000.50", "MX-2026-002": "400000.00"}


def test_headers_follow_the_request_language(client, official, rich_project):
    client.force_login(official)

    rows = read_csv(client.get(export_url("projects", "csv"), HTTP_ACCEPT_LANGUAGE="en"))

    assert rows[0][:3] == ["code", "title", "category"]
    assert rows[1][7] == "Under construction"


def test_expenditures_xlsx_escapes_formulas(client, official, rich_project):
    client.force_login(official)

    response = client.get(export_url("expenditures", "xlsx"), **ZH)

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="expenditures-' in response["Content-Disposition"]
    rows = read_xlsx(response)
    assert rows[0][:4] == ["项目编号", "项目名称", "日期", "金额（元）"]
    by_voucher = {row[6]: row for row in rows[1:]}
    assert by_voucher["JC-2026-0415"][3] == 300000
    evil = by_voucher[None]
    assert evil[4] == '\'=HYPERLINK("http://evil.example","点我")'
    assert evil[5] == "'+监理费"
    assert evil[3] == pytest.approx(50000.5)


def test_csv_escapes_formulas_too(client, official, rich_project):
    client.force_login(official)

    rows = read_csv(client.get(export_url("expenditures", "csv"), **ZH))

    payees = {row[4] for row in rows[1:]}
    assert payees == {"锦川建工集团有限公司", '\'=HYPERLINK("http://evil.example","点我")'}


def test_milestones_xlsx(client, official, rich_project):
    client.force_login(official)

    rows = read_xlsx(client.get(export_url("milestones", "xlsx"), **ZH))

    assert [row[3] for row in rows[1:]] == ["开工", "主体完工"]
    assert rows[1][5].date().isoformat() == "2026-03-03"


def test_filters_of_the_list_page_apply(client, city_admin, rich_project, other_project):
    client.force_login(city_admin)

    rows = read_csv(client.get(export_url("projects", "csv") + "?stage=design&district=qingshan"))

    assert [row[0] for row in rows[1:]] == ["MX-2026-002"]


def test_bad_filter_is_a_clear_400(client, city_admin, rich_project):
    client.force_login(city_admin)

    response = client.get(export_url("projects", "csv") + "?year=soon&stage=flying", **ZH)

    assert response.status_code == 400
    assert "year" in response.json() and "stage" in response.json()


def test_unknown_dataset_or_format_is_404(client, city_admin):
    client.force_login(city_admin)

    assert client.get(export_url("passwords", "csv")).status_code == 404
    assert client.get(export_url("projects", "pdf")).status_code == 404


@pytest.mark.parametrize("persona", [None, "resident", "observer"])
def test_staff_exports_are_refused_to_the_public(client, request, persona, rich_project, hidden_project):
    if persona:
        client.force_login(request.getfixturevalue(persona))

    response = client.get(export_url("projects", "csv"))

    assert response.status_code in (401, 403)
    assert not hasattr(response, "streaming_content")
    hidden_project.refresh_from_db()
    assert hidden_project.is_public is False


def test_officials_see_public_projects_and_their_own_department(
    client, official, other_official, city_admin, rich_project, other_project, hidden_project
):
    def codes(user) -> set[str]:
        client.force_login(user)
        return {row[0] for row in read_csv(client.get(export_url("projects", "csv")))[1:]}

    assert codes(official) == {"MX-2026-001", "MX-2026-002", "MX-2026-099"}
    assert codes(other_official) == {"MX-2026-001", "MX-2026-002"}
    assert codes(city_admin) == {"MX-2026-001", "MX-2026-002", "MX-2026-099"}


def test_public_download_holds_public_rows_only(client, official, rich_project, hidden_project):
    client.force_login(official)  # even an official gets the public file here

    response = client.get(reverse("opendata:download", args=["projects", "csv"]))

    assert {row[0] for row in read_csv(response)[1:]} == {"MX-2026-001"}


def test_public_download_bad_filter_is_400(client, rich_project):
    assert client.get(reverse("opendata:download", args=["projects", "csv"]) + "?year=x").status_code == 400


@pytest.mark.parametrize("dataset", ["projects", "milestones", "expenditures"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_query_count_does_not_grow_with_rows(
    client, city_admin, rich_project, lead_department, django_assert_max_num_queries, dataset, fmt
):
    client.force_login(city_admin)
    from .conftest import add_money_and_progress

    def run() -> int:
        response = client.get(export_url(dataset, fmt))
        body = b"".join(response.streaming_content)
        assert body
        return len(body)

    factories.projects(5, lead_unit=lead_department, code_prefix="BULK-", start=1000)
    for project in Project.objects.filter(code__startswith="BULK-"):
        add_money_and_progress(project)
    with django_assert_max_num_queries(10) as small:
        run()
    factories.projects(45, lead_unit=lead_department, code_prefix="BULK-", start=2000)
    for project in Project.objects.filter(code__startswith="BULK-2"):
        add_money_and_progress(project)
    with django_assert_max_num_queries(len(small.captured_queries)):
        run()
