"""The console's permission matrix: officials reach only their department's projects, inlines included."""

from datetime import datetime

import pytest
from django.utils import timezone

from projects.models import Expenditure, ProgressUpdate, Project
from tests import factories

pytestmark = pytest.mark.django_db


def form_data(response) -> dict:
    """The change form as the browser would post it back, inlines included."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value is True:
            data[name] = "on"
        elif value is not None and value is not False:
            data[name] = str(value)
    for inline in response.context.get("inline_admin_formsets") or []:  # none on a history form
        formset = inline.formset
        for field in formset.management_form:
            data[field.html_name] = str(field.value())
        for sub in formset.forms:
            for name in sub.fields:
                value = sub[name].value()
                if isinstance(value, datetime):
                    local = timezone.localtime(value)
                    data[sub.add_prefix(name) + "_0"] = local.strftime("%Y-%m-%d")
                    data[sub.add_prefix(name) + "_1"] = local.strftime("%H:%M:%S")
                elif value is True:
                    data[sub.add_prefix(name)] = "on"
                elif value is not None and value is not False:
                    data[sub.add_prefix(name)] = str(value)
    return data


@pytest.fixture
def theirs(other_department):
    return factories.complete_project(code="MX-2026-090", lead_unit=other_department)


@pytest.fixture
def ours(lead_department):
    return factories.complete_project(code="MX-2026-091", lead_unit=lead_department)


def test_official_lists_only_own_projects(client, official, ours, theirs):
    client.force_login(official)
    page = client.get("/admin/projects/project/")
    assert page.status_code == 200
    codes = {p.code for p in page.context["cl"].result_list}
    assert ours.code in codes and theirs.code not in codes


@pytest.mark.parametrize("suffix", ["change/", "delete/", "history/"])
def test_official_cannot_open_other_departments_project(client, official, theirs, suffix):
    client.force_login(official)
    response = client.get(f"/admin/projects/project/{theirs.pk}/{suffix}")
    # The admin answers an out-of-scope object as if it did not exist (redirect) or refuses it.
    assert response.status_code in (302, 403, 404)
    assert theirs.title.encode() not in response.content


def test_official_cannot_change_or_delete_other_departments_project(client, official, theirs):
    client.force_login(official)
    client.post(f"/admin/projects/project/{theirs.pk}/change/", {"title": "改掉", "percent_complete": 99})
    client.post(f"/admin/projects/project/{theirs.pk}/delete/", {"post": "yes"})
    theirs.refresh_from_db()
    assert (theirs.title, theirs.percent_complete) == ("测试项目 MX-2026-090", 50)


def test_official_cannot_reach_other_departments_inline_rows(client, official, theirs):
    client.force_login(official)
    update = theirs.updates.first()
    expense = theirs.expenditures.first()
    assert client.get("/admin/projects/progressupdate/").context["cl"].result_count == 0
    for url in (
        f"/admin/projects/progressupdate/{update.pk}/change/",
        f"/admin/projects/expenditure/{expense.pk}/change/",
    ):
        assert client.get(url).status_code in (302, 403, 404)
    client.post(f"/admin/projects/expenditure/{expense.pk}/delete/", {"post": "yes"})
    assert Expenditure.objects.filter(pk=expense.pk).exists()
    assert ProgressUpdate.objects.filter(pk=update.pk).exists()


def test_official_edits_own_project_with_inline_update(client, official, ours):
    """The new update becomes the project's latest even when the earlier ones were posted seconds ago."""
    client.force_login(official)
    page = client.get(f"/admin/projects/project/{ours.pk}/change/")
    assert page.status_code == 200
    data = form_data(page)
    prefix = next(f.formset.prefix for f in page.context["inline_admin_formsets"] if f.formset.model is ProgressUpdate)
    extra = int(data[f"{prefix}-INITIAL_FORMS"])
    data.update(
        {
            f"{prefix}-{extra}-stage": "acceptance",
            f"{prefix}-{extra}-percent_complete": "96",
            f"{prefix}-{extra}-text": "主体完工",
            "title": "新标题",
        }
    )
    response = client.post(f"/admin/projects/project/{ours.pk}/change/", data)
    assert response.status_code == 302, [
        (f.formset.prefix, f.formset.errors) for f in response.context["inline_admin_formsets"]
    ] + [response.context["adminform"].form.errors]
    ours.refresh_from_db()
    assert (ours.title, ours.stage, ours.percent_complete) == ("新标题", "acceptance", 96)
    update = ours.updates.order_by("-created_at").first()
    assert update.author == official
    assert ours.history.latest().history_user == official


def test_official_cannot_hand_project_to_another_department(client, official, ours, other_department):
    client.force_login(official)
    page = client.get(f"/admin/projects/project/{ours.pk}/change/")
    data = form_data(page)
    data["lead_unit"] = str(other_department.pk)
    client.post(f"/admin/projects/project/{ours.pk}/change/", data)
    ours.refresh_from_db()
    assert ours.lead_unit.name == "市住房和城乡建设局"


def test_co_organiser_can_open_and_change(client, other_official, ours, other_department):
    ours.co_organisers.add(other_department)
    client.force_login(other_official)
    assert client.get(f"/admin/projects/project/{ours.pk}/change/").status_code == 200
    assert client.get(f"/admin/projects/project/{ours.pk}/history/").status_code == 200
    codes = {p.code for p in client.get("/admin/projects/project/").context["cl"].result_list}
    assert ours.code in codes


def test_city_admin_sees_all(client, city_admin, ours, theirs):
    client.force_login(city_admin)
    assert client.get("/admin/projects/project/").context["cl"].result_count == 2
    assert client.get(f"/admin/projects/project/{theirs.pk}/change/").status_code == 200


def test_overdue_and_over_budget_are_highlighted(client, official, ours):
    ours.expenditures.create(date="2026-05-01", amount="999999", payee="x", purpose="y")
    ours.planned_end = "2026-01-31"
    ours.save()
    client.force_login(official)
    page = client.get("/admin/projects/project/")
    assert "projects-alert" in page.content.decode()
    assert client.get("/admin/projects/project/?money=over").context["cl"].result_count == 1
    assert client.get("/admin/projects/project/?schedule=overdue").context["cl"].result_count == 1
    assert client.get("/admin/projects/project/?schedule=behind").context["cl"].result_count == 1


def test_resident_has_no_console(client, resident, ours):
    client.force_login(resident)
    assert client.get("/admin/projects/project/").status_code == 302
    assert client.get(f"/admin/projects/project/{ours.pk}/change/").status_code == 302


@pytest.mark.parametrize("model", ["department", "district", "community", "projectcategory"])
def test_directory_read_by_staff_edited_by_city_admin(client, official, city_admin, model):
    client.force_login(official)
    assert client.get(f"/admin/projects/{model}/").status_code == 200
    assert client.get(f"/admin/projects/{model}/add/").status_code == 403
    client.force_login(city_admin)
    assert client.get(f"/admin/projects/{model}/add/").status_code == 200


def test_official_adding_a_project_leads_it(client, official, other_department):
    client.force_login(official)
    page = client.get("/admin/projects/project/add/")
    assert page.status_code == 200
    # The blank extra update form stays blank (its default time is not a change).
    data = {k: v for k, v in form_data(page).items() if not k.startswith("updates-0-")}
    from projects.models import Community, ProjectCategory

    community = Community.objects.get(name="望江社区")
    data.update(
        code="MX-2026-077",
        title="新项目",
        category=str(ProjectCategory.objects.get(code="lighting").pk),
        district=str(community.district_id),
        community=str(community.pk),
        latitude="30.69",
        longitude="103.99",
        year="2026",
        stage="planned",
        percent_complete="0",
        budget="1000",
        beneficiaries="10",
        lead_unit=str(other_department.pk),
    )
    response = client.post("/admin/projects/project/add/", data)
    assert response.status_code == 302, [
        (f.formset.prefix, f.formset.errors) for f in response.context["inline_admin_formsets"]
    ] + [response.context["adminform"].form.errors]
    assert Project.objects.get(code="MX-2026-077").lead_unit == official.department


@pytest.mark.parametrize(
    "model", ["milestone", "budgetallocation", "responsibleperson", "expenditure", "progressupdate"]
)
def test_row_pages_are_scoped_and_read_only(client, official, ours, theirs, model):
    client.force_login(official)
    page = client.get(f"/admin/projects/{model}/")
    assert page.status_code == 200
    assert {row.project_id for row in page.context["cl"].result_list} == {ours.pk}
    row = page.context["cl"].result_list[0]
    history = client.get(f"/admin/projects/{model}/{row.pk}/history/")
    assert history.status_code == 200
    assert client.get(f"/admin/projects/{model}/add/").status_code == 403


def test_change_page_summary_says_what_the_list_filters_say(client, official, ours, settings):
    """The summary at the top uses the filters' rules: over budget, behind schedule, overdue milestones."""
    settings.LANGUAGE_CODE = "en"
    ours.expenditures.create(date="2026-05-01", amount="999999", payee="x", purpose="y")
    ours.planned_end = "2026-01-31"
    ours.expected_completion = "2026-03-02"
    ours.save()
    ours.refresh_from_db()
    client.force_login(official)
    page = client.get(f"/admin/projects/project/{ours.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    summary = page.context["summary"]
    listed = client.get("/admin/projects/project/?money=over&schedule=overdue").context["cl"].result_list
    assert [p.pk for p in listed] == [ours.pk]
    assert summary["over_budget"] and summary["days_behind"] == ours.days_behind()
    assert [m.title for m in summary["overdue_milestones"]] == ["节点0", "节点1", "节点2"]
    assert summary["expected_later_by"] == 30
    html = page.content.decode()
    assert html.index('id="project-summary"') < html.index('name="code"')
    assert "Over budget" in html and "Behind schedule" in html and "30 days after the planned end" in html
    assert "节点0 (planned " in html
    # In Chinese with Chinese punctuation: full-width colons, parentheses and semicolons.
    html = client.get(f"/admin/projects/project/{ours.pk}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "超预算</strong>：" in html and "节点0（计划日期 " in html and "）；节点1" in html
    assert "（比计划完工晚 30 天）" in html and "</strong>:" not in html


def test_change_page_summary_of_a_project_on_track(client, official, ours):
    ours.planned_end = "2099-12-31"
    ours.save()
    ours.milestones.update(actual_date="2026-01-15")
    client.force_login(official)
    summary = client.get(f"/admin/projects/project/{ours.pk}/change/").context["summary"]
    assert not summary["over_budget"] and not summary["days_behind"] and summary["overdue_milestones"] == []
