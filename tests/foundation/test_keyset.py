"""Keyset (cursor) pages (civicworks/keyset.py): every row once, in order, at any depth, at the
cost of the first page; filters kept; a changed cursor or a too-deep page number is a clean 400."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civicworks import keyset
from feedback.models import Report
from tests import factories

API = "/api/v1/projects/"


@pytest.fixture
def many_projects(lead_department):
    """130 projects over three years (ties on the first sort key), a third without an expected date."""
    made = []
    for year, count in ((2026, 60), (2025, 50), (2024, 20)):
        made += factories.projects(count, lead_unit=lead_department, code_prefix=f"K{year}-", year=year)
    for i, project in enumerate(made):
        project.expected_completion = None if i % 3 == 0 else date(2026, 1, 1) + timedelta(days=i % 7)
    type(made[0]).objects.bulk_update(made, ["expected_completion"])
    return made


def walk(client, url: str, key: str = "next") -> list[dict]:
    """Follow the API's `next` (or `previous`) links to the end; every page's rows."""
    rows = []
    while url:
        body = client.get(url).json()
        rows += body["results"] if key == "next" else body["results"][::-1]
        url = body[key]
    return rows


def test_api_walks_every_project_once_in_order(client, many_projects):
    codes = [row["code"] for row in walk(client, API)]
    expected = [p.code for p in sorted(many_projects, key=lambda p: (-p.year, p.code))]
    assert codes == expected


def test_api_walks_backwards_from_the_last_page(client, many_projects):
    forward = walk(client, API)
    last = client.get(API).json()
    while last["next"]:
        last = client.get(last["next"]).json()
    backward = last["results"][::-1] + walk(client, last["previous"], key="previous")
    assert [r["code"] for r in backward] == [r["code"] for r in forward][::-1]


def test_api_cursor_on_a_nullable_ordering_keeps_every_row(client, many_projects):
    codes = [row["code"] for row in walk(client, f"{API}?ordering=expected_completion")]
    assert sorted(codes) == sorted(p.code for p in many_projects) and len(codes) == len(set(codes))


def test_api_filter_kept_with_the_cursor(client, many_projects):
    rows = walk(client, f"{API}?year=2026")
    assert [r["code"] for r in rows] == sorted(p.code for p in many_projects if p.year == 2026)
    assert "year=2026" in client.get(f"{API}?year=2026").json()["next"]


def test_api_numbered_pages_count_and_link_to_cursors(client, many_projects):
    first = client.get(f"{API}?page=2").json()
    assert first["count"] == 130 and len(first["results"]) == 50
    assert "cursor=" in first["next"] and "page=" not in first["next"]
    by_cursor = client.get(first["next"]).json()
    assert "count" not in by_cursor
    assert by_cursor["results"][0]["code"] == walk(client, API)[100]["code"]


@pytest.mark.parametrize("query", ["cursor=abc", "page=51", "page=0", "page=x"])
def test_api_refuses_a_changed_cursor_or_too_deep_page(client, many_projects, query):
    response = client.get(f"{API}?{query}")
    assert response.status_code == 400 and "cursor" in response.json()


def test_api_refuses_a_tampered_cursor(client, many_projects):
    token = client.get(API).json()["next"].split("cursor=")[1]
    assert client.get(f"{API}?cursor={token[:-2]}xy").status_code == 400
    # A cursor of another list (another order) is refused too, not misread.
    assert client.get(f"{API}?ordering=code&cursor={token}").status_code == 400


def test_api_deep_cursor_page_runs_the_first_pages_queries(client, many_projects, django_assert_num_queries):
    pages = [API]
    while (body := client.get(pages[-1]).json())["next"]:
        pages.append(body["next"])
    with CaptureQueriesContext(connection) as second:
        client.get(pages[1])
    with django_assert_num_queries(len(second.captured_queries)):
        client.get(pages[-1])


def test_reports_with_the_same_time_walk_once_each(client, road):
    moment = timezone.now() - timedelta(days=1)
    made = [factories.filed_report(category=road, submitted_at=moment) for _ in range(55)]
    made += [factories.filed_report(category=road, days_ago=2) for _ in range(10)]
    made.append(factories.filed_report(category=road, is_hidden=True))
    ids = [row["id"] for row in walk(client, "/api/v1/reports/")]
    public = Report.objects.filter(is_hidden=False).order_by("-submitted_at", "-id")
    assert ids == list(public.values_list("id", flat=True)) and len(ids) == 65


def test_needs_api_walks_by_cursor(client, city, resident):
    for i in range(55):
        factories.need(author=resident, title=f"需求{i}")
    rows = walk(client, "/api/v1/needs/")
    assert len(rows) == len({r["id"] for r in rows}) == 55


# --- HTML lists ---------------------------------------------------------------------------------------


def html_walk(client, url: str) -> list[str]:
    codes = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = response.context["page"]
        codes += [p.code for p in page]
        url = f"/projects/?{page.next_query}" if page.next_query else None
    return codes


def test_html_list_goes_on_by_cursor_after_the_numbered_pages(client, many_projects, monkeypatch):
    monkeypatch.setattr(keyset, "MAX_PAGE_NUMBER", 2)
    codes = html_walk(client, "/projects/?year=2026")
    assert codes == sorted(p.code for p in many_projects if p.year == 2026)
    third = client.get("/projects/?year=2026&page=2").context["page"]
    assert "cursor=" in third.next_query and "year=2026" in third.next_query
    deep = client.get(f"/projects/?{third.next_query}")
    html = deep.content.decode()
    assert 'rel="first"' in html and 'rel="prev"' in html and deep.context["total"] == 60


def test_html_previous_cursor_returns_the_page_before(client, many_projects, monkeypatch):
    monkeypatch.setattr(keyset, "MAX_PAGE_NUMBER", 1)
    second = client.get(f"/projects/?{client.get('/projects/').context['page'].next_query}").context["page"]
    third = client.get(f"/projects/?{second.next_query}").context["page"]
    back = client.get(f"/projects/?{third.previous_query}").context["page"]
    assert [p.code for p in back] == [p.code for p in second]


@pytest.mark.parametrize(
    "url", ["/projects/?cursor=nonsense", "/projects/?page=51", "/reports/?cursor=x", "/needs/?cursor=x"]
)
def test_html_bad_cursor_is_a_400_page_in_the_layout(client, city, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "error-page" in response.content.decode() and "first page" in response.content.decode()
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "返回列表第一页" in chinese


def test_html_deep_page_runs_the_first_pages_queries(client, many_projects, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(keyset, "MAX_PAGE_NUMBER", 1)
    urls = ["/projects/"]
    while query := client.get(urls[-1]).context["page"].next_query:
        urls.append(f"/projects/?{query}")
    with CaptureQueriesContext(connection) as second:
        client.get(urls[1])
    with django_assert_num_queries(len(second.captured_queries)):
        client.get(urls[-1])


def test_reports_and_needs_pages_walk_by_cursor(client, city, road, resident, monkeypatch):
    monkeypatch.setattr(keyset, "MAX_PAGE_NUMBER", 1)
    for _ in range(45):
        factories.filed_report(category=road)
    for i in range(25):
        factories.need(author=resident, title=f"需求{i}")
    for start, size in (("/reports/", 45), ("/needs/", 25)):
        seen, url = [], start
        while url:
            page = client.get(url).context["page"]
            seen += [row.pk for row in page]
            url = f"{start}?{page.next_query}" if page.next_query else None
        assert len(seen) == len(set(seen)) == size


def test_a_list_longer_than_the_numbered_pages_is_not_counted_to_its_end(client, road, monkeypatch):
    """Page 1 of ten million reports must not count ten million rows: the count stops past what
    the numbered pages hold (a LIMIT), and the page says its number without a total."""
    monkeypatch.setattr(keyset, "MAX_PAGE_NUMBER", 1)
    for _ in range(30):
        factories.filed_report(category=road)
    statements = []
    with connection.execute_wrapper(lambda execute, sql, *args: statements.append(sql) or execute(sql, *args)):
        response = client.get("/reports/", HTTP_ACCEPT_LANGUAGE="en")
    page = response.context["page"]
    assert (page.number, page.num_pages, page.count, len(page)) == (1, None, None, 25)
    html = response.content.decode()
    assert "Page 1</span>" in html and "Page 1 of" not in html and "cursor=" in page.next_query
    assert "第 1 页</span>" in client.get("/reports/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    (counting,) = [sql for sql in statements if "COUNT(" in sql.upper()]
    assert "LIMIT 26" in counting
    # The API the same: no count past its numbered pages (50 rows a page here: 30 fit one).
    assert client.get("/api/v1/reports/").json()["count"] == 30
    monkeypatch.setattr("civicworks.api.KeysetPagination.page_size", 10)
    assert client.get("/api/v1/reports/").json()["count"] is None
    # A list that fits keeps its exact total.
    monkeypatch.setattr(keyset, "MAX_PAGE_NUMBER", 2)
    page = client.get("/reports/", HTTP_ACCEPT_LANGUAGE="en").context["page"]
    assert (page.num_pages, page.count) == (2, 30)
