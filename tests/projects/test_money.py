"""Derived figures (spent, remaining, execution rate, over budget, overdue, days behind) by hand."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from projects import selectors, services
from projects.models import Milestone

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")


def figures(project):
    return selectors.with_figures(type(project).objects.filter(pk=project.pk)).get()


def test_money_figures_match_hand_computed_values(project, official):
    today = timezone.localdate()
    services.allocation_record(project=project, by=official, date=today, amount=Decimal("700000"), source="市级财政")
    services.allocation_record(project=project, by=official, date=today, amount=Decimal("500000"), source="专项债")
    for amount in ("300000.50", "200000.25"):
        services.expenditure_record(
            project=project, by=official, date=today, amount=Decimal(amount), payee="锦川建工", purpose="进度款"
        )
    p = figures(project)
    assert Decimal(p.spent).quantize(CENT) == Decimal("500000.75")
    assert Decimal(p.allocated).quantize(CENT) == Decimal("1200000.00")
    assert Decimal(p.remaining).quantize(CENT) == Decimal("699999.25")
    # 500000.75 / 1200000 * 100 = 41.6667…
    assert round(float(p.execution_rate), 3) == 41.667
    assert p.over_budget is False

    services.expenditure_record(
        project=project, by=official, date=today, amount=Decimal("800000"), payee="锦川建工", purpose="追加"
    )
    p = figures(project)
    assert Decimal(p.spent).quantize(CENT) == Decimal("1300000.75")
    assert Decimal(p.remaining).quantize(CENT) == Decimal("-100000.75")
    assert p.over_budget is True


def test_zero_budget_has_no_execution_rate(project):
    project.budget = Decimal("0")
    project.save()
    assert figures(project).execution_rate is None


def test_overdue_milestones_and_days_behind(project, official):
    today = timezone.localdate()
    late = services.milestone_record(project=project, by=official, title="开工", planned_date=today - timedelta(days=1))
    services.milestone_record(project=project, by=official, title="完工", planned_date=today + timedelta(days=5))
    done = services.milestone_record(project=project, by=official, title="设计", planned_date=today - timedelta(days=9))
    services.milestone_complete(milestone=done, by=official, actual_date=today - timedelta(days=8))
    assert figures(project).overdue_milestones == 1
    services.milestone_complete(milestone=late, by=official)
    assert figures(project).overdue_milestones == 0

    project.planned_end = date(2026, 10, 31)
    assert project.days_behind(today=date(2026, 11, 10)) == 10
    project.stage = "completed"
    assert project.days_behind(today=date(2026, 11, 10)) == 0


def test_cancelled_project_has_no_overdue_milestones(project, official):
    services.milestone_record(project=project, by=official, title="开工", planned_date=date(2026, 1, 1))
    project.stage = "cancelled"
    project.save()
    assert figures(project).overdue_milestones == 0


def test_progress_record_moves_the_project_and_is_audited(project, official):
    services.progress_record(project=project, by=official, stage="acceptance", percent=95, text="主体完工")
    project.refresh_from_db()
    assert (project.stage, project.percent_complete) == ("acceptance", 95)
    assert project.last_progress_at is not None
    assert project.history.latest().history_user == official
    assert project.updates.get().history.latest().history_user == official


def test_completing_sets_actual_completion_and_refuses_partial(project, official):
    with pytest.raises(ValidationError) as error:
        services.progress_record(project=project, by=official, stage="completed", percent=80, text="?")
    assert "percent_complete" in error.value.message_dict
    services.progress_record(project=project, by=official, stage="completed", percent=100, text="竣工")
    project.refresh_from_db()
    assert project.actual_completion == timezone.localdate()


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_expenditure_must_be_positive(project, official, amount):
    with pytest.raises(ValidationError) as error:
        services.expenditure_record(
            project=project, by=official, date=timezone.localdate(), amount=Decimal(amount), payee="x", purpose="y"
        )
    assert "amount" in error.value.message_dict
    assert not project.expenditures.exists()


def test_milestone_cannot_be_reached_in_the_future(project, official):
    m = services.milestone_record(project=project, by=official, title="x", planned_date=date(2026, 1, 1))
    with pytest.raises(ValidationError):
        services.milestone_complete(milestone=m, by=official, actual_date=timezone.localdate() + timedelta(days=2))
    assert Milestone.objects.get(pk=m.pk).actual_date is None


def test_money_figures_are_read_to_the_cent_on_every_database(project, official):
    """SQLite sums money as floats and gave 500000.750000000 (whole yuan: 1200000) where PostgreSQL gives
    500000.75 (1200000.00): the same figure printed two ways in the exports and e-mails."""
    today = timezone.localdate()
    services.allocation_record(project=project, by=official, date=today, amount=Decimal("700000"), source="市级财政")
    services.allocation_record(project=project, by=official, date=today, amount=Decimal("500000"), source="专项债")
    for amount in ("300000.50", "200000.25", "0.10", "0.20"):
        services.expenditure_record(
            project=project, by=official, date=today, amount=Decimal(amount), payee="锦川建工", purpose="进度款"
        )
    p = figures(project)
    assert (str(p.spent), str(p.allocated), str(p.remaining)) == ("500001.05", "1200000.00", "699998.95")
