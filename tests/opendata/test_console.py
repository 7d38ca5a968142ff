import csv
import io

import pytest
from django.contrib.admin import AdminSite
from django.urls import reverse

from civicworks.accounts.models import DEPARTMENT_ROLES
from civicworks.admin import ScopedModelAdmin
from opendata.admin import attach_export_actions
from projects.models import Expenditure, Project

pytestmark = pytest.mark.django_db


class ProjectConsole(ScopedModelAdmin):
    view_roles = frozenset(DEPARTMENT_ROLES)

    def scope(self, request, queryset):
        return queryset.for_department(request.user.department_id)


@pytest.fixture
def console():
    site = AdminSite(name="opendata-test")
    site.register(Project, ProjectConsole)
    assert attach_export_actions(site) == [Project]
    return site


@pytest.fixture
def console_with_expenditures():
    class ExpenditureConsole(ScopedModelAdmin):
        view_roles = frozenset(DEPARTMENT_ROLES)

        def scope(self, request, queryset):
            return queryset.filter(project__in=Project.objects.for_department(request.user.department_id))

    site = AdminSite(name="opendata-test-2")
    site.register(Expenditure, ExpenditureConsole)
    assert attach_export_actions(site) == [Expenditure]
    return site


def run_action(site, model, user, rf, name):
    model_admin = site._registry[model]
    request = rf.post("/")
    request.user = user
    action = model_admin.get_actions(request)[name][0]
    return action(model_admin, request, model_admin.get_queryset(request))


def test_console_action_exports_the_official_s_scope(
    console, rf, official, rich_project, hidden_project, other_project
):
    response = run_action(console, Project, official, rf, "opendata_export_csv")

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    codes = {row[0] for row in list(csv.reader(io.StringIO(body)))[1:]}
    assert codes == {"MX-2026-001", "MX-2026-099"}  # led by the official's department, not MX-2026-002


def test_console_action_xlsx_of_expenditures(console_with_expenditures, rf, official, rich_project):
    from openpyxl import load_workbook

    response = run_action(console_with_expenditures, Expenditure, official, rf, "opendata_export_xlsx")

    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert len(rows) == 3
    assert {row[4] for row in rows[1:]} >= {"锦川建工集团有限公司"}


def test_console_actions_are_not_offered_to_residents(console, rf, resident):
    request = rf.post("/")
    request.user = resident
    assert "opendata_export_csv" not in console._registry[Project].get_actions(request)


def test_reports_console_exports_anonymised_rows_of_the_filtered_list(
    client, official, lead_department, other_department
):
    """The feedback app's real console page carries the action; the export holds the official's reports only."""
    from feedback.models import Report, ServiceCategory

    category = ServiceCategory.objects.create(code="noise", name="施工噪音", department=lead_department)
    mine = Report.objects.create(category=category, text="夜间施工", department=lead_department, reporter_name="张三")
    Report.objects.create(category=category, text="别的部门", department=other_department)
    client.force_login(official)

    response = client.post(
        reverse("admin:feedback_report_changelist"),
        {"action": "opendata_export_csv", "select_across": "1", "index": "0", "_selected_action": [mine.pk]},
    )

    assert response.status_code == 200, response.content[:500]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [str(mine.pk)] and mine.tracking_code not in str(rows)
    assert "张三" not in str(rows)


def test_projects_console_exports_the_filtered_changelist(
    client, official, rich_project, hidden_project, other_project
):
    """The projects app's real console page carries the actions; the official's scope applies."""
    client.force_login(official)

    response = client.post(
        reverse("admin:projects_project_changelist"),
        {"action": "opendata_export_xlsx", "select_across": "1", "index": "0", "_selected_action": [rich_project.pk]},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 200
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][0] == "编号"
    assert {row[0] for row in rows[1:]} == {"MX-2026-001", "MX-2026-099"}  # not the other department's
