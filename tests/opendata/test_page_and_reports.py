import csv
import io

import pytest
from django.urls import reverse

from feedback.models import Report, ServiceCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(lead_department, other_department, rich_project):
    category = ServiceCategory.objects.create(code="elevator-noise", name="电梯施工噪音", department=lead_department)
    mine = Report.objects.create(
        category=category,
        text="晚上十点后还在施工",
        latitude=30.69,
        longitude=103.99,
        project=rich_project,
        department=lead_department,
        reporter_name="张三",
        reporter_phone="13800000000",
        reporter_email="zhangsan@example.cn",
    )
    private = Report.objects.create(
        category=category,
        text="=1+1 我家门牌号是 8 栋 2 单元",
        text_is_public=False,
        department=lead_department,
        reporter_name="李四",
        reporter_phone="13900000000",
    )
    theirs = Report.objects.create(category=category, text="别的部门的", department=other_department)
    return mine, private, theirs


def export(client, user, query: str = "") -> list[list[str]]:
    client.force_login(user)
    response = client.get(reverse("opendata-export", args=["reports", "csv"]) + query, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_reports_export_is_anonymised(client, official, reports):
    mine, private, _ = reports

    rows = export(client, official)

    text = "\n".join(",".join(row) for row in rows)
    for secret in ("张三", "13800000000", "zhangsan@example.cn", "李四", "13900000000", "门牌号"):
        assert secret not in text
    # Rows by the report's number: the tracking code is the resident's key, never exported.
    assert mine.tracking_code not in text and private.tracking_code not in text
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {str(mine.pk), str(private.pk)}  # not the other department's
    assert by_number[str(mine.pk)][3] == "晚上十点后还在施工"
    assert by_number[str(private.pk)][3] == ""  # the resident kept the text private
    assert by_number[str(mine.pk)][8] == "MX-2026-001"


def test_reports_export_filters(client, city_admin, reports):
    rows = export(client, city_admin, "?category=elevator-noise&status=submitted")
    assert len(rows) == 4
    rows = export(client, city_admin, "?status=closed")
    assert len(rows) == 1


@pytest.mark.parametrize("persona", [None, "resident"])
def test_reports_export_refused_to_the_public(client, request, persona, reports):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("opendata-export", args=["reports", "xlsx"]))
    assert response.status_code in (401, 403)
    assert client.get(reverse("opendata:download", args=["reports", "csv"])).status_code == 404
    assert Report.objects.count() == 3


def test_open_data_page_lists_datasets(client, rich_project, hidden_project, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(reverse("opendata:index"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    html = response.content.decode()
    assert "开放数据" in html
    assert "CC BY 4.0" in html and 'href="https://creativecommons.org/licenses/by/4.0/"' in html
    for slug in ("projects", "milestones", "expenditures"):
        for fmt in ("csv", "xlsx"):
            assert reverse("opendata:download", args=[slug, fmt]) in html
    assert reverse("opendata-oc4ids") in html
    assert reverse("opendata:download", args=["reports", "csv"]) not in html  # staff only
    local = rich_project.updated_at.astimezone().strftime("%Y-%m-%d")
    assert local in html
    assert 'style="' not in html and "<script>" not in html


def test_licence_is_configurable(client, settings, rich_project):
    settings.CIVICWORKS_OPEN_DATA_LICENSE = "https://opendatacommons.org/licenses/odbl/1-0/"
    html = client.get(reverse("opendata:index")).content.decode()
    assert "https://opendatacommons.org/licenses/odbl/1-0/" in html
    package = client.get(reverse("opendata-oc4ids")).json()
    assert package["license"] == "https://opendatacommons.org/licenses/odbl/1-0/"


def test_nav_links_to_open_data(client, rich_project):
    html = client.get(reverse("opendata:index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    nav = html.split('class="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse("opendata:index")}"' in nav and "开放数据" in nav
