"""Departments in public: the league table equals figures worked out by hand, in a fixed number of
queries, and the page, the API and the CSV say the same (runs on SQLite and on PostgreSQL)."""

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicworks.accounts.models import Role
from evaluation.models import CycleState, OrderStatus
from feedback.models import FixedAnswer, ReportKind, ReportStatus
from opendata.departments import COLUMN_KEYS, Quarter, department_trend, league
from projects.models import Department
from tests import factories

CITY_TIME = ZoneInfo("Asia/Shanghai")
Q2 = Quarter(2026, 2)


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=CITY_TIME)


@pytest.fixture
def fixture_city(road, lead_department, other_department):
    """2026 Q2: five reports of each department and one not routed yet; scores,
    orders, an accountability record and milestones of their projects. Figures in the tests below."""
    a, b = lead_department, other_department
    handled = factories.handled_report
    handled(category=road, department=a, submitted_at=at(4, 2), hours=10, rating=5, fixed_answer=FixedAnswer.FIXED)
    handled(category=road, department=a, submitted_at=at(4, 9), hours=30, due_hours=24, rating=2,
            status=ReportStatus.CONFIRMED, fixed_answer=FixedAnswer.NOT_FIXED)  # fmt: skip
    handled(category=road, department=a, submitted_at=at(5, 3), hours=60, rating=4, status=ReportStatus.CONFIRMED,
            reopened=True)  # fmt: skip
    handled(category=road, department=a, submitted_at=at(6, 30, 23))  # not answered: open
    handled(category=road, department=a, submitted_at=at(6, 1), hours=20, kind=ReportKind.QUESTION)
    # 00:30 on 1 July in the city is still 30 June in UTC: a report of Q3, not of Q2.
    handled(category=road, department=a, submitted_at=at(7, 1, 0), hours=1, rating=1)
    # A year earlier: five complaints, one unhappy rating.
    for day in range(1, 6):
        handled(
            category=road,
            department=a,
            submitted_at=at(5, day, year=2025),
            hours=70 + day,
            rating=2 if day == 1 else None,
        )
    handled(category=road, department=b, submitted_at=at(4, 5), hours=5, status=ReportStatus.CLOSED)
    handled(category=road, department=b, submitted_at=at(4, 6), hours=100)
    handled(category=road, department=b, submitted_at=at(4, 7), hours=7, status=ReportStatus.CONFIRMED)
    # Rated by one of the department's own officials: not counted (feedback.selectors.RATED_BY_HANDLER).
    insider = factories.user(role=Role.OFFICIAL, department=b)
    handled(category=road, department=b, submitted_at=at(4, 8), hours=6, rating=1, reporter=insider,
            status=ReportStatus.CONFIRMED)  # fmt: skip
    handled(category=road, department=b, submitted_at=at(6, 8))  # not answered
    factories.filed_report(category=road, submitted_at=at(5, 20))  # not routed: the city's only

    p1 = factories.project(lead_unit=a, stage="construction")
    p2 = factories.project(lead_unit=a, stage="construction")
    hidden = factories.project(lead_unit=a, is_public=False)
    p3 = factories.project(lead_unit=b)
    q1 = factories.review_cycle(year=2026, quarter=1, state=CycleState.PUBLISHED)
    q2 = factories.review_cycle(year=2026, quarter=2, scheme=q1.scheme, state=CycleState.PUBLISHED)
    draft = factories.review_cycle(year=2026, quarter=3, scheme=q1.scheme, state=CycleState.CLOSED)
    factories.scorecard(cycle=q2, project=p1, total=Decimal("80.00"))
    factories.scorecard(cycle=q2, project=p2, total=Decimal("65.50"))
    factories.scorecard(cycle=q2, project=hidden, total=Decimal("10.00"))
    factories.scorecard(cycle=q2, project=p3, total=Decimal("50.00"))
    factories.scorecard(cycle=draft, project=p3, total=Decimal("99.00"))
    factories.rectification_order(cycle=q2, project=p1)
    factories.rectification_order(cycle=q2, project=p2, status=OrderStatus.CLOSED)
    factories.rectification_order(cycle=q2, project=p3, status=OrderStatus.ANSWERED)
    factories.accountability(order=factories.rectification_order(cycle=q1, project=p2), verified_in=q2)
    # On 30 June (Q2's last day): 1 May never reached and 10 June reached only in August are overdue.
    factories.milestone(project=p1, planned_date=date(2026, 5, 1))
    factories.milestone(project=p1, planned_date=date(2026, 6, 1), actual_date=date(2026, 6, 20))
    factories.milestone(project=p1, planned_date=date(2026, 6, 10), actual_date=date(2026, 8, 1))
    factories.milestone(project=p1, planned_date=date(2026, 8, 1), actual_date=date(2026, 8, 1))
    return a, b


def rows_by_code(table: dict) -> dict[str, dict]:
    return {row["department"].code: row for row in table["rows"]}


def test_the_league_equals_the_figures_worked_out_by_hand(fixture_city):
    table = league(quarter=Q2)
    a, b = rows_by_code(table)["zjj"], rows_by_code(table)["cgj"]
    # Five reports; four answered (10, 30, 60, 20 hours), two by the deadline, three within 48 hours;
    # four done (answered, confirmed); one reopened; ratings 5, 2, 4; "fixed" once, "not fixed" once.
    assert a["reports"] == 5 and a["closure_rate"] == Decimal("80.0") and a["on_time_rate"] == Decimal("50.0")
    assert a["fast_rate"] == Decimal("75.0") and a["median_hours"] == 25.0  # (20 + 30) / 2
    assert a["reopen_rate"] == Decimal("20.0") and a["fixed_rate"] == Decimal("50.0")
    assert a["satisfaction"] == Decimal("3.67") and a["satisfied_rate"] == Decimal("66.7")
    assert (a["complaints"], a["complaints_year_before"], a["complaints_change"]) == (4, 5, Decimal("-20.0"))
    assert a["satisfied_rate_year_before"] == Decimal("0.0")
    # Public projects only, published scores only: (80 + 65.5) / 2.
    assert a["projects_led"] == 2 and a["average_score"] == Decimal("72.8")
    assert (a["open_orders"], a["accountability"], a["overdue_milestones"]) == (1, 1, 2)
    # The other department: answered in 5, 6, 7 and 100 hours; rated only by its own official.
    assert b["reports"] == 5 and b["median_hours"] == 6.5 and b["closure_rate"] == Decimal("80.0")
    assert b["satisfaction"] is None and b["satisfied_rate"] is None and b["fixed_rate"] is None
    assert (b["projects_led"], b["average_score"], b["open_orders"], b["accountability"]) == (1, Decimal("50.0"), 1, 0)
    city = table["city"]
    assert city["reports"] == 11 and city["median_hours"] == 15.0  # 5, 6, 7, 10 | 20, 30, 60, 100 hours
    assert city["projects_led"] == 3 and city["average_score"] == Decimal("65.2")  # (80 + 65.5 + 50) / 3
    assert (city["open_orders"], city["accountability"], city["overdue_milestones"]) == (2, 1, 2)


def test_a_departments_trend_puts_each_report_in_its_quarter(fixture_city):
    a, _b = fixture_city
    trend = {row["quarter"]: row for row in department_trend(department=a, last=Quarter(2026, 3))}
    assert list(trend)[-2:] == ["2026-Q2", "2026-Q3"] and len(trend) == 8
    assert trend["2026-Q2"]["reports"] == 5 and trend["2026-Q3"]["reports"] == 1
    assert trend["2025-Q2"]["reports"] == 5 and trend["2025-Q2"]["median_hours"] == 73.0  # 71 … 75 hours
    assert trend["2026-Q2"]["average_score"] == Decimal("72.8") and trend["2026-Q3"]["average_score"] is None


def grow(count: int, road, cycle) -> None:
    """`count` departments, each leading a scored project and holding reports of Q2."""
    for n in range(count):
        department = factories.department()
        project = factories.project(lead_unit=department)
        factories.scorecard(cycle=cycle, project=project, total=Decimal(60 + n))
        factories.rectification_order(cycle=cycle, project=project)
        factories.milestone(project=project, planned_date=date(2026, 5, 1))
        for day in range(1, n + 3):
            factories.handled_report(category=road, department=department, submitted_at=at(5, day), hours=day)


def queries_for_league() -> int:
    with CaptureQueriesContext(connection) as queries:
        league(quarter=Q2)
    return len(queries)


@pytest.mark.django_db
def test_the_league_costs_the_same_queries_for_two_and_for_six_departments(road):
    cycle = factories.review_cycle(year=2026, quarter=2, state=CycleState.PUBLISHED)
    grow(2, road, cycle)
    with_two = queries_for_league()
    grow(4, road, cycle)
    assert Department.objects.count() >= 6 + 2
    assert queries_for_league() == with_two


def page_cells(html: str, code: str) -> list[str]:
    row = re.search(rf'<a href="/departments/{code}/">[^<]*</a></th>(.*?)</tr>', html, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row[1], re.S)]


def shown(value) -> str:
    return "—" if value is None else str(value)


def test_the_page_the_api_and_the_csv_say_the_same(client, fixture_city, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        page = client.get("/departments/?year=2026&quarter=2")
    api = client.get("/api/v1/departments/league/?year=2026&quarter=2").json()
    export = client.get("/departments.csv?year=2026&quarter=2")
    lines = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert page.status_code == 200 and export["Content-Type"].startswith("text/csv")
    from_api = {row["department"]["code"]: row for row in api["rows"]}
    from_csv = {line[1]: line for line in lines[1:]}
    html = page.content.decode()
    for code in ("zjj", "cgj"):
        values = [from_api[code][key] for key in COLUMN_KEYS]
        assert from_csv[code][2:] == ["2026-Q2", *("" if v is None else str(v) for v in values)]
        assert page_cells(html, code) == [shown(v) for v in values]
    assert from_api["zjj"]["median_hours"] == 25.0 and from_api["zjj"]["closure_rate"] == 80.0
    assert lines[-1][2:] == ["2026-Q2", *("" if api["city"][k] is None else str(api["city"][k]) for k in COLUMN_KEYS)]


def test_a_departments_page_links_its_projects_and_the_api_matches(client, fixture_city, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        page = client.get("/departments/zjj/")
    assert page.status_code == 200
    html = page.content.decode()
    api = client.get("/api/v1/departments/zjj/").json()
    assert api["code"] == "zjj" and len(api["trend"]) == 8 and api["trend"][-1]["running"] is True
    assert len(api["projects"]) == 2  # the hidden project is not listed
    for project in api["projects"]:
        assert f'href="/projects/{project["code"]}/"' in html
    scores = [[(s["quarter"], s["score"]) for s in p["scores"]] for p in api["projects"]]  # by code: p1, p2
    assert scores == [[("2026Q2", 80.0)], [("2026Q2", 65.5)]]


def test_unknown_departments_and_quarters_are_refused(client, city):
    assert client.get("/departments/nowhere/").status_code == 404
    assert client.get("/api/v1/departments/nowhere/").status_code == 404
    assert client.get("/api/v1/departments/league/?year=2026&quarter=5").status_code == 400
    assert client.get("/api/v1/departments/league/?year=abc&quarter=1").status_code == 400
    assert client.get("/departments.csv?year=1999&quarter=1").status_code == 400
    page = client.get("/departments/?year=2026&quarter=9")
    assert page.status_code == 200 and Quarter.default().label in page.content.decode()


def test_a_department_code_is_editable_by_the_city_only(client, city_admin, official, lead_department):
    client.force_login(official)
    url = f"/admin/projects/department/{lead_department.pk}/change/"
    response = client.post(url, {"name": lead_department.name, "code": "changed"})
    lead_department.refresh_from_db()
    assert response.status_code == 403 and lead_department.code == "zjj"
    client.force_login(city_admin)
    page = client.get(url)
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
