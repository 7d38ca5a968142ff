"""axe-core (from its npm package) on the residents' main pages, on a phone: no serious or critical violation."""

import pytest
from playwright.sync_api import expect

from evaluation import services as evaluation_services
from evaluation.models import OrderStatus
from feedback import services as feedback_services
from feedback.models import Report, ServiceCategory
from tests import factories

from .conftest import axe_violations, collect_errors

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(open_quarter):
    """The open quarter computed, closed and published: the results page has scorecards."""
    world, by = open_quarter, open_quarter.evaluator
    evaluation_services.cycle_compute(cycle=world.cycle, by=by)
    # This quarter is not over: closing it now needs a reason (issue 14).
    evaluation_services.cycle_close(cycle=world.cycle, by=by, reason="无障碍测试：提前结束", send_reports=False)
    evaluation_services.cycle_publish(cycle=world.cycle, by=by)
    return world


def hub(world, about) -> None:
    """Every panel of the project page filled: an order with its accountability, a report, a need, a vote."""
    order = factories.rectification_order(
        project=world.project, cycle=world.cycle, status=OrderStatus.ESCALATED, verification_note="复查未整改"
    )
    factories.accountability(order=order)
    Report.objects.filter(pk=about.pk).update(project=world.project)
    factories.need_answered_by(project=world.project, author=world.official)
    factories.cocreation(project=world.project)


def test_main_pages_have_no_serious_violations(phone, published):
    world = published
    report = factories.dispatched_report(
        category=ServiceCategory.objects.get(code="road"), department=world.project.lead_unit
    )
    feedback_services.report_resolve(report=report, by=world.official, answer="已修复。")
    cycle = world.cycle
    hub(world, about=report)
    pages = {
        "home": "/",
        "project": world.project.get_absolute_url(),  # the hub: score, order, reports, need, vote
        "reports about a project": f"/reports/?project={world.project.code}",
        "report form": f"/reports/new/?project={world.project.code}",
        "tracking": f"/track/{report.tracking_code}/",  # answered: the confirm and rating forms are shown
        "results": f"/evaluation/{cycle.year}/q{cycle.quarter}/",
        "departments": f"/departments/?year={cycle.year}&quarter={cycle.quarter}",
        "department": f"/departments/{world.project.lead_unit.code}/",
    }
    page = phone.new_page()
    errors = collect_errors(page)
    found = {}
    for name, url in pages.items():
        response = page.goto(url)
        assert response.status == 200, (name, response.status)
        expect(page.locator("main h1")).to_be_visible()
        found[name] = axe_violations(page)
    assert found == {name: [] for name in pages}
    assert errors == []
