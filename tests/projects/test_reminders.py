"""Reminders: stale projects, due and overdue milestones, spending over budget — each sent once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from projects import tasks
from projects.models import ChainRole, Milestone, Project, ResponsiblePerson

from .conftest import days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(project):
    ResponsiblePerson.objects.create(project=project, role=ChainRole.LEAD, name="王负责", email="lead@example.cn")
    ResponsiblePerson.objects.create(project=project, role=ChainRole.SUPERVISOR, name="刘监督", email="sup@example.cn")
    return project


def test_stale_project_reminded_once(chain, settings):
    Project.objects.filter(pk=chain.pk).update(last_progress_at=days_ago(40))
    tasks.remind_stale_projects.delay()
    tasks.remind_stale_projects.delay()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lead@example.cn"]
    assert chain.code in mail.outbox[0].subject
    assert f"http://127.0.0.1:8000/projects/{chain.code}/" in mail.outbox[0].body  # an absolute link


def test_stale_days_are_configurable(chain, settings):
    Project.objects.filter(pk=chain.pk).update(last_progress_at=days_ago(40))
    settings.CIVICWORKS_PROJECT_STALE_DAYS = 60
    tasks.remind_stale_projects.delay()
    assert mail.outbox == []


def test_fresh_or_finished_projects_are_not_reminded(chain):
    Project.objects.filter(pk=chain.pk).update(last_progress_at=days_ago(3))
    tasks.remind_stale_projects.delay()
    Project.objects.filter(pk=chain.pk).update(last_progress_at=days_ago(90), stage="completed", percent_complete=100)
    tasks.remind_stale_projects.delay()
    assert mail.outbox == []


def test_milestone_due_and_overdue_reminded_once_each(chain):
    today = timezone.localdate()
    Milestone.objects.create(project=chain, title="主体完工", planned_date=today + timedelta(days=5))
    Milestone.objects.create(project=chain, title="开工", planned_date=today - timedelta(days=2))
    Milestone.objects.create(project=chain, title="验收", planned_date=today + timedelta(days=30))
    Milestone.objects.create(project=chain, title="设计", planned_date=today - timedelta(days=9), actual_date=today)
    for _ in range(2):
        tasks.remind_milestones.delay()
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 2
    assert any("主体完工" in s for s in subjects) and any("开工" in s for s in subjects)


def test_lead_unit_desk_when_no_lead_address(project):
    Milestone.objects.create(project=project, title="开工", planned_date=timezone.localdate())
    tasks.remind_milestones.delay()
    assert mail.outbox[0].to == [project.lead_unit.dispatch_email]


def test_over_budget_alerts_lead_unit_and_supervisor_once(chain):
    chain.expenditures.create(date=timezone.localdate(), amount=Decimal("1200000.01"), payee="x", purpose="y")
    tasks.alert_over_budget.delay()
    tasks.alert_over_budget.delay()
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([chain.lead_unit.dispatch_email, "sup@example.cn"])
    assert "¥1,200,000.01" in mail.outbox[0].body  # the money filter's grouping, never ¥1200000.01
    # Within budget: nothing.
    chain.budget = Decimal("2000000")
    chain.save()
    tasks.alert_over_budget.delay()
    assert len(mail.outbox) == 1


def test_schedule_lists_the_tasks():
    from civicworks.celery import app

    names = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {
        "projects.tasks.remind_stale_projects",
        "projects.tasks.remind_milestones",
        "projects.tasks.alert_over_budget",
    } <= names


def test_one_rule_for_who_receives_a_departments_mail(lead_department, official, manager, supervisor):
    """The dispatch mailbox, else the active officials and managers (reports, evaluation reports, orders)."""
    lead_department.dispatch_email = "desk@jinchuan.example.cn"
    assert lead_department.mail_recipients() == ["desk@jinchuan.example.cn"]

    lead_department.dispatch_email = ""
    manager.is_active = False
    manager.save()
    assert lead_department.mail_recipients() == [official.email]


def test_over_budget_alert_writes_money_as_the_city_prefers(chain, settings):
    """In 万元 where the city writes amounts so (the alert is in the city's language, to a mailbox)."""
    settings.CIVICWORKS_MONEY_IN_WAN = True
    chain.expenditures.create(date=timezone.localdate(), amount=Decimal("1300000.00"), payee="x", purpose="y")
    tasks.alert_over_budget.delay()
    assert "130.00" in mail.outbox[0].body and "¥" not in mail.outbox[0].body
