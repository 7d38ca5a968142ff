"""What followers of a project hear from the evaluation: surveys opening, orders issued and closed."""

from datetime import date

import pytest

from civicworks.accounts.models import Role
from civicworks.notifications.models import Notification
from evaluation import services
from evaluation.models import ReviewCycle
from projects import services as projects_services
from tests import factories

from .conftest import EARLY, answer, inspect

pytestmark = pytest.mark.django_db


def told(kind: str) -> list[tuple[str, str]]:
    rows = Notification.objects.filter(kind=kind).values_list("user__username", "link")
    return sorted(rows)


@pytest.fixture
def fans(project, other_project):
    """`fan` follows the project, `local` its community, `other` the other project only."""
    fan, local, other = (factories.user(username=n, role=Role.RESIDENT) for n in ("fan", "local", "other"))
    projects_services.follow(user=fan, project=project)
    projects_services.follow(user=local, community=project.community)
    projects_services.follow(user=other, project=other_project)
    return fan, local, other


def test_survey_opening_is_told_to_each_projects_followers_once(fans, scheme, evaluator, project, other_project):
    cycle = ReviewCycle.objects.create(year=2026, quarter=3, scheme=scheme)
    cycle.projects.set([project, other_project])
    services.cycle_open(cycle=cycle, by=evaluator)
    rows = told("evaluation.survey_open")
    assert [who for who, _link in rows] == ["fan", "local", "other"]
    survey = cycle.surveys.get(project=project)
    assert dict(rows)["fan"] == survey.get_absolute_url()
    assert Notification.objects.filter(user=fans[0]).get().key == f"evaluation.survey_open:{survey.pk}"


def test_survey_opening_reads_followers_once_for_many_projects(
    fans, scheme, evaluator, project, other_project, django_assert_max_num_queries
):
    extra = factories.projects(12, lead_unit=project.lead_unit)
    for p in extra:
        projects_services.follow(user=fans[0], project=p)
    cycle = ReviewCycle.objects.create(year=2026, quarter=3, scheme=scheme)
    cycle.projects.set([project, other_project, *extra])
    services.cycle_open(cycle=cycle, by=evaluator)
    assert Notification.objects.filter(user=fans[0], kind="evaluation.survey_open").count() == 13


@pytest.fixture
def computed(cycle, project, other_project, evaluator):
    answer(cycle, project, (2, 3), (1, 2))
    inspect(cycle, project, "40", evaluator)
    inspect(cycle, other_project, "90", evaluator)
    services.cycle_compute(cycle=cycle, by=evaluator)
    return cycle


def test_orders_issued_and_closed_are_told_to_followers_once(
    fans, computed, evaluator, project, scheme, django_capture_on_commit_callbacks
):
    Notification.objects.all().delete()  # the survey opening's
    (order,) = services.orders_issue(cycle=computed, by=evaluator, deadline=date(2026, 10, 31))
    services.orders_issue(cycle=computed, by=evaluator)  # idempotent: nobody hears twice
    assert [who for who, _ in told("evaluation.order_issued")] == ["fan", "local"]
    assert "2026-10-31" in Notification.objects.get(user=fans[0], kind="evaluation.order_issued").body
    with django_capture_on_commit_callbacks(execute=True):
        services.cycle_close(cycle=computed, by=evaluator, reason=EARLY)
    q4 = services.cycle_create(year=2026, quarter=4, by=evaluator, scheme=scheme)
    services.cycle_open(cycle=q4, by=evaluator)
    services.order_verify(order=order, cycle=q4, by=evaluator, rectified=True, note="复查合格")
    assert [who for who, link in told("evaluation.order_closed")] == ["fan", "local"]
    assert told("evaluation.order_closed")[0][1] == project.get_absolute_url()
