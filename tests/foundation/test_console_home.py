"""The console's home page: per role, scoped counts, each a link to exactly the rows it counts."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from evaluation.models import CycleState, OrderStatus, RectificationOrder, ReviewCycle
from feedback.models import Report, ReportStatus
from participation.models import ActionItem, Meeting
from projects.models import Project
from tests import factories

pytestmark = pytest.mark.django_db

HOME = "/admin/"


@pytest.fixture
def desk(road, official, other_official, lead_department, other_department):
    """For each department: a new report, one due within 24 h (accepted), an overdue one; a project
    behind schedule and over budget with milestones due and overdue; orders; action items."""
    now, today = timezone.now(), timezone.localdate()
    scheme = factories.weighting_scheme()
    made = {}
    for department in (lead_department, other_department):
        new = factories.dispatched_report(category=road, department=department)
        soon = factories.dispatched_report(category=road, department=department, due_at=now + timedelta(hours=5))
        Report.objects.filter(pk=soon.pk).update(status=ReportStatus.ACCEPTED)
        late = factories.dispatched_report(category=road, department=department, due_at=now - timedelta(hours=2))
        project = factories.project(lead_unit=department, planned_end=today - timedelta(days=3), budget=Decimal("5"))
        factories.expenditure(project=project, amount=Decimal("10.00"), payee="公司", purpose="工程款")
        factories.milestone(project=project, planned_date=today + timedelta(days=3))
        factories.milestone(project=project, title="验收", planned_date=today - timedelta(days=3), order=2)
        # One order per cycle and project: three quarters of one year per department.
        cycles = [factories.review_cycle(year=2024 + len(made), quarter=q, scheme=scheme) for q in (1, 2, 3)]
        factories.rectification_order(project=project, cycle=cycles[0], deadline=today - timedelta(days=1))
        factories.rectification_order(project=project, cycle=cycles[1], deadline=today + timedelta(days=2))
        factories.rectification_order(project=project, cycle=cycles[2], status=OrderStatus.CLOSED)
        meeting = Meeting.objects.create(title="联席会议", date=today, chair_department=department)
        ActionItem.objects.create(
            meeting=meeting, text="修路", owner_department=department, due_date=today - timedelta(days=1)
        )
        ActionItem.objects.create(
            meeting=meeting, text="清运", owner_department=department, due_date=today + timedelta(days=5)
        )
        made[department.pk] = {"new": new, "soon": soon, "late": late, "project": project}
    return made


def items(response) -> dict[str, tuple]:
    """key → (count or value, url), from the page's context (keys, not labels: the console speaks Chinese)."""
    return {
        item.key: (item.count if item.count is not None else item.value, item.url)
        for filled in response.context["home_panels"]
        for item in filled.items
    }


def listed_pks(client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert "e=1" not in urlsplit(response.wsgi_request.get_full_path()).query  # the admin's "bad lookup" redirect
    return {row.pk for row in response.context["cl"].result_list}


def test_the_official_lands_on_the_home_page_with_the_departments_counts(
    client, desk, official, django_assert_max_num_queries
):
    client.force_login(official)
    with django_assert_max_num_queries(25):
        response = client.get(HOME)
    assert response.status_code == 200
    found = items(response)
    assert found["reports_new"][0] == 2  # the new one and the late one (not accepted)
    assert found["reports_due_soon"][0] == 1
    assert found["reports_overdue"][0] == 1
    assert found["projects_behind"][0] == 1
    assert found["projects_over_budget"][0] == 1
    assert found["milestones_due"][0] == 1
    assert found["milestones_overdue"][0] == 1
    assert found["orders_open"][0] == 2
    assert found["orders_due"][0] == 1
    assert found["orders_overdue"][0] == 1
    assert found["items_open"][0] == 2
    assert found["items_overdue"][0] == 1
    assert "app-feedback" in response.content.decode()  # the app list is still below


def test_each_count_links_to_exactly_its_rows(client, desk, official, lead_department):
    client.force_login(official)
    found = items(client.get(HOME))
    mine = desk[lead_department.pk]
    today = timezone.localdate()
    expected = {
        "reports_overdue": {mine["late"].pk},
        "reports_due_soon": {mine["soon"].pk},
        "reports_new": {mine["new"].pk, mine["late"].pk},
        "projects_behind": {mine["project"].pk},
        "projects_over_budget": {mine["project"].pk},
        "milestones_overdue": set(
            mine["project"].milestones.filter(planned_date__lt=today).values_list("pk", flat=True)
        ),
        "orders_overdue": set(
            RectificationOrder.objects.filter(
                department=lead_department, deadline__lt=today, status=OrderStatus.ISSUED
            ).values_list("pk", flat=True)
        ),
        "items_overdue": set(
            ActionItem.objects.filter(owner_department=lead_department, due_date__lt=today).values_list("pk", flat=True)
        ),
    }
    for label, pks in expected.items():
        count, url = found[label]
        assert listed_pks(client, url) == pks, label
        assert count == len(pks), label


def test_another_departments_rows_are_never_counted(client, desk, other_official, other_department, lead_department):
    Report.objects.filter(department=lead_department).update(due_at=timezone.now() - timedelta(days=3))
    client.force_login(other_official)
    found = items(client.get(HOME))
    assert found["reports_overdue"][0] == 1  # its own late report only
    assert found["projects_over_budget"][0] == 1


def test_the_evaluator_sees_the_cycles_under_way(client, desk, evaluator):
    ReviewCycle.objects.filter(year=2024, quarter=1).update(state=CycleState.OPEN)
    client.force_login(evaluator)
    response = client.get(HOME)
    found = items(response)
    assert "reports_overdue" not in found  # no department's queue
    cycle = ReviewCycle.objects.get(year=2024, quarter=1)
    assert found[f"cycle_{cycle.pk}"][0] == str(cycle.get_state_display())  # the open one first
    assert found[f"cycle_{cycle.pk}_acceptances"][0] == 0  # no project in its scope
    assert found[f"cycle_{cycle.pk}_orders"][0] == 1
    assert listed_pks(client, found[f"cycle_{cycle.pk}_orders"][1]) == set(
        RectificationOrder.objects.filter(cycle=cycle).values_list("pk", flat=True)
    )


def test_the_city_administrator_sees_the_city_and_the_departments_at_risk(
    client, desk, city_admin, django_assert_max_num_queries
):
    client.force_login(city_admin)
    with django_assert_max_num_queries(40):
        response = client.get(HOME)
    keys = [f.panel.key for f in response.context["home_panels"]]
    assert keys == ["city", "cycles", "departments_at_risk"] or {"city", "departments_at_risk"} <= set(keys)
    assert "reports" not in keys  # the city has no desk of its own
    found = items(response)
    assert client.get(found["city_reports"][1]).status_code == 200


def test_a_resident_never_reaches_the_home_page(client, desk, resident):
    client.force_login(resident)
    assert client.get(HOME).status_code == 302  # to the console's login


def test_projects_are_scoped_like_the_console_list(desk, lead_department):
    assert Project.objects.for_department(lead_department.pk).count() == 1
