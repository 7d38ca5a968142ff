"""From the departments' league table a resident reaches a department and one of its projects."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from evaluation.models import CycleState
from feedback.models import ServiceCategory
from opendata.departments import Quarter
from tests import factories

from .conftest import collect_errors, open_menu

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scored(world):
    """The last complete quarter published, with a score for the project and a report answered in it."""
    quarter = Quarter.default()
    cycle = factories.review_cycle(year=quarter.year, quarter=quarter.quarter, state=CycleState.PUBLISHED)
    factories.scorecard(cycle=cycle, project=world.project, total=Decimal("86.50"))
    start, _end = quarter.period.bounds()
    factories.handled_report(category=ServiceCategory.objects.get(code="road"), department=world.project.lead_unit,
                             submitted_at=start.replace(day=10), hours=20)  # fmt: skip
    return world


def test_from_the_league_table_to_a_department_and_its_project(phone, scored):
    world, department = scored, scored.project.lead_unit
    page = phone.new_page()
    errors = collect_errors(page)
    page.goto("/")
    open_menu(page)
    page.locator('.site-nav a[href="/departments/"]').click()
    expect(page.locator("main h1")).to_be_visible()
    league = page.locator("table.department-league")
    row = league.locator("tbody tr", has=page.get_by_role("link", name=department.name))
    expect(row.locator("td").nth(10)).to_have_text("86.5")  # the average score of its projects
    row.get_by_role("link", name=department.name).click()
    expect(page.locator("main h1")).to_have_text(department.name)
    projects = page.locator("table.department-projects")
    expect(projects).to_contain_text("86.5")
    projects.get_by_role("link", name=world.project.title).click()
    expect(page).to_have_url(re.compile(re.escape(world.project.get_absolute_url()) + "$"))
    expect(page.locator("main h1")).to_contain_text(world.project.title)
    assert errors == []
