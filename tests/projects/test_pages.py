"""Residents' pages: map home, list, project page, QR code."""

import pytest

from tests import factories
from tests.factories import HIDDEN_EMAIL, HIDDEN_PHONE

pytestmark = pytest.mark.django_db


def test_home_is_the_map_with_a_list_for_no_js(client, project, other_project):
    page = client.get("/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="projects-map"' in html and "js_lib_leaflet/leaflet.js" in html
    assert 'data-points-url="/api/v1/projects/map/"' in html
    assert project.title in html and other_project.title in html
    assert "<script>" not in html and 'style="' not in html


def test_home_filters_reach_the_map_and_the_list(client, project, other_project):
    html = client.get("/?district=qingshan").content.decode()
    assert other_project.title in html and project.title not in html
    assert 'data-query="district=qingshan"' in html


def test_list_search_filters_and_pagination(client, lead_department, project):
    for i in range(25):
        factories.complete_project(code=f"PG-{i:03d}", lead_unit=lead_department)
    page = client.get("/projects/")
    assert page.context["page"].count == 26
    assert len(page.context["page"].object_list) == 20
    second = client.get("/projects/?stage=construction&page=2")
    assert second.status_code == 200 and len(second.context["page"].object_list) == 6
    assert "stage=construction&amp;page=1" in second.content.decode()
    found = client.get("/projects/?q=望江社区老旧").context["page"].object_list
    assert [p.code for p in found] == [project.code]
    assert client.get("/projects/?year=abc").status_code == 200  # a bad filter is ignored, not a 500


def test_project_page_shows_chain_money_and_report_link(client, lead_department):
    project = factories.complete_project(code="MX-2026-060", lead_unit=lead_department)
    html = client.get(f"/projects/{project.code}/").content.decode()
    assert "负责人" in html and "监督员" in html and "市住房和城乡建设局" in html
    assert HIDDEN_PHONE not in html and HIDDEN_EMAIL not in html
    assert f"/reports/new/?project={project.code}" in html
    assert f"/projects/{project.code}/qr.svg" in html
    assert 'role="img"' in html and "<progress" in html
    assert "¥31.50" in html  # three expenditures of 10.50
    assert "节点0" in html and "进展2" in html


def test_public_contact_shown_when_marked(client, lead_department):
    project = factories.complete_project(code="MX-2026-061", lead_unit=lead_department)
    project.people.filter(name="负责人").update(contact_is_public=True)
    assert HIDDEN_PHONE in client.get(f"/projects/{project.code}/").content.decode()


def test_qr_code_is_an_svg_for_the_report_form(client, project):
    response = client.get(f"/projects/{project.code}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_hidden_and_unknown_projects_are_404(client, project):
    project.is_public = False
    project.save()
    assert client.get(f"/projects/{project.code}/").status_code == 404
    assert client.get(f"/projects/{project.code}/qr.svg").status_code == 404
    assert client.get("/projects/NOPE/").status_code == 404


def test_project_page_shows_the_newest_expenditures_and_links_to_all(
    client, lead_department, django_assert_max_num_queries
):
    from datetime import date, timedelta
    from decimal import Decimal

    from projects.models import Expenditure

    project = factories.complete_project(code="MX-2026-093", lead_unit=lead_department)
    page = client.get(f"/projects/{project.code}/").content.decode()
    assert "/expenditures/" not in page  # three expenditures: all on the page
    Expenditure.objects.bulk_create(
        Expenditure(project=project, date=date(2026, 5, 1) + timedelta(days=n), amount=Decimal("100.00") + n,
                    payee="锦川建工", purpose=f"第{n}期进度款", voucher_number=f"PZ-{n:04d}")
        for n in range(150)
    )  # fmt: skip
    page = client.get(f"/projects/{project.code}/").content.decode()
    assert page.count("PZ-") == 20 and "PZ-0149" in page and "PZ-0129" not in page
    assert f"/projects/{project.code}/expenditures/" in page
    with django_assert_max_num_queries(4):
        second = client.get(f"/projects/{project.code}/expenditures/", {"page": 2}).content.decode()
    # 153 rows, 100 a page: page 2 has PZ-0049 … PZ-0000 and the fixture's three older ones.
    assert second.count("PZ-") == 50 and "PZ-0049" in second and "PZ-0050" not in second
    assert client.get("/projects/MX-1999-000/expenditures/").status_code == 404
