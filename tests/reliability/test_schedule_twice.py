"""A second beat (a failover that overlaps): every scheduled task, run twice at once, does what one run does.

For each task of the merged beat schedule (settings.CELERY_BEAT_SCHEDULE and each app's
`schedule.py`) a case builds a state in which the task has work and says, from what it built,
what one run does. Two threads, each on its own PostgreSQL connection and released together by
a barrier, then run the task's body; the effects counted afterwards (mails, notices,
notifications, deliveries, events, rows changed) and the sum of the two return values must be
one run's. A task added to the schedule without a case here fails
`test_every_scheduled_task_has_a_case`. docs/deployment.md, "Workers and the schedule".
"""

import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, connections
from django.utils import timezone
from django.utils.module_loading import import_string

from civicworks.accounts.models import IdempotentRequest, Role, SentNotice, WorkerHeartbeat
from civicworks.celery import app as celery_app
from civicworks.notifications import services as notification_services
from civicworks.notifications.kinds import Channel
from civicworks.notifications.models import Delivery, DeliveryStatus, Notification
from evaluation import reminders as evaluation_reminders
from evaluation.models import CycleState
from feedback import services as feedback_services
from feedback.models import DispatchOutbox, Report, ReportEvent, ReportStatus
from participation.models import ActionItem, CoCreation, DesignVote, Meeting
from participation.services import month_bounds
from projects.models import ChainRole, Follow, Milestone, Project, ResponsiblePerson
from tests import factories

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two runs at once need PostgreSQL's row locks (SQLite serialises writers)"
)


# --- What a run did -----------------------------------------------------------------------------


def effects() -> dict[str, int]:
    """Everything a scheduled task may change, counted."""
    return {
        "mails": len(mail.outbox),
        "notices": SentNotice.objects.count(),
        "notifications": Notification.objects.count(),
        "deliveries sent": Delivery.objects.filter(status=DeliveryStatus.SENT).count(),
        "outbox sent": DispatchOutbox.objects.filter(sent_at__isnull=False).count(),
        "report events": ReportEvent.objects.count(),
        "reports anonymised": Report.objects.filter(anonymised_at__isnull=False).count(),
        "reports asked fixed": Report.objects.filter(fixed_asked_at__isnull=False).count(),
        "votes decided": CoCreation.objects.filter(decided_at__isnull=False).count(),
        "heartbeats": WorkerHeartbeat.objects.count(),
        "stored answers": IdempotentRequest.objects.count(),
    }


@dataclass
class OneRun:
    """What one run of the task does to the state its case built: the changed counts, its return value."""

    changes: dict[str, int]
    returns: object = None
    kwargs: dict = field(default_factory=dict)  # what the case passes the task (beat passes nothing)


def combined(first, second):
    """The two runs' return values added up (a tuple element by element)."""
    if isinstance(first, tuple):
        return tuple(a + b for a, b in zip(first, second, strict=True))
    if first is None and second is None:
        return None
    return first + second


@contextmanager
def broker_lost(monkeypatch):
    """As if the broker lost every task queued meanwhile: the outbox rows stay for the sweeps."""
    with monkeypatch.context() as patched:
        patched.setattr(feedback_services, "_queue_dispatch", lambda outbox_id: None)
        patched.setattr(notification_services, "_queue", lambda delivery_id: None)
        yield


def run_twice_at_once(task, args: tuple, kwargs: dict) -> tuple[list, list[tuple[float, float]]]:
    """The task's body in two threads at once; their return values and when each ran."""
    barrier = threading.Barrier(2)
    returns: list = [None, None]
    spans: list = [None, None]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            connection.ensure_connection()  # connected before the barrier: the runs start together
            barrier.wait(timeout=30)
            started = time.monotonic()
            returns[i] = task(*args, **kwargs)
            spans[i] = (started, time.monotonic())
        except BaseException as exc:  # noqa: BLE001 — reported by the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return returns, spans


# --- The cases: a state with work to do, and what one run does to it ----------------------------

COUNT = 3  # of each thing a task has to do


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)


def heartbeat(world, monkeypatch) -> OneRun:
    # No row yet for this host: both runs would create it.
    return OneRun({"heartbeats": 1})


def idempotency_purge(world, monkeypatch) -> OneRun:
    for n in range(COUNT + 1):
        IdempotentRequest.objects.create(scope="ip:127.0.0.1", key=f"k-{n}", method="POST", path="/api/v1/reports/")
    old = IdempotentRequest.objects.exclude(key="k-0")
    old.update(created_at=days_ago(3))
    return OneRun({"stored answers": -COUNT}, returns=COUNT)


def sweep_deliveries(world, monkeypatch) -> OneRun:
    # Deliveries whose task the broker lost, past the sweep's grace period.
    for person in world.residents:
        notification = Notification.objects.create(
            user=person, kind="feedback.fixed_question", key="test.lost", subject="是否已修好？", body="请回答。"
        )
        Delivery.objects.create(notification=notification, channel=Channel.EMAIL, address=person.email)
    Delivery.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING).count()
    return OneRun({"mails": due, "deliveries sent": due}, returns=due)


def sweep_outbox(world, monkeypatch) -> OneRun:
    with broker_lost(monkeypatch):
        for _n in range(COUNT):
            factories.report(category=world.road, text="路灯不亮")
    unsent = DispatchOutbox.objects.filter(sent_at__isnull=True)
    unsent.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    due = unsent.count()
    return OneRun({"mails": due, "outbox sent": due}, returns=due)


def check_deadlines(world, monkeypatch) -> OneRun:
    """Reports at 80% of their time (a reminder each) and past their deadline (an escalation each)."""
    now = timezone.now()
    for dispatched, due in [(40, 8)] * COUNT + [(50, -2)] * (COUNT - 1):
        report = factories.dispatched_report(category=world.road, department=world.lead_department)
        Report.objects.filter(pk=report.pk).update(
            dispatched_at=now - timedelta(hours=dispatched), due_at=now + timedelta(hours=due)
        )
    overdue = Report.objects.filter(due_at__lte=now).count()
    reminded = Report.objects.count() - overdue
    told = reminded + overdue
    return OneRun({"mails": told, "notices": told, "report events": told}, returns=(reminded, overdue))


def purge_personal_data(world, monkeypatch) -> OneRun:
    for _n in range(COUNT):
        report = factories.filed_report(
            category=world.road, days_ago=500, text="请回电 13812345678", reporter=world.resident,
            reporter_name="王五", reporter_phone="13812345678", reporter_email="wang@example.cn",
        )  # fmt: skip
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.CLOSED, closed_at=days_ago(400))
    past = Report.objects.filter(closed_at__lt=days_ago(settings.CIVICWORKS_RETENTION_DAYS)).count()
    return OneRun({"reports anonymised": past}, returns=past)


def ask_whether_fixed(world, monkeypatch) -> OneRun:
    for _n in range(COUNT):
        factories.filed_report(
            category=world.road, days_ago=60, reporter=world.resident, department=world.lead_department,
            status=ReportStatus.RESOLVED, resolved_at=days_ago(settings.CIVICWORKS_FIXED_QUESTION_DAYS + 1),
        )  # fmt: skip
    due = Report.objects.count()  # one question each, by e-mail to the reporter's confirmed address
    return OneRun({"reports asked fixed": due, "notifications": due, "deliveries sent": due, "mails": due}, returns=due)


def previous_quarter(today: date) -> tuple[int, int]:
    quarter = (today.month - 1) // 3 + 1
    return (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)


def evaluation_reminders_send(world, monkeypatch) -> OneRun:
    """Last quarter's cycle: its survey closes in two days, no acceptance signed off, one order due, one overdue."""
    today = timezone.localdate()
    year, quarter = previous_quarter(today)
    cycle = factories.review_cycle(
        year=year, quarter=quarter, state=CycleState.OPEN, survey_closes_on=today + timedelta(days=2)
    )
    other = factories.project(lead_unit=world.lead_department)
    cycle.projects.set([world.project, other])
    due = factories.rectification_order(project=world.project, cycle=cycle, deadline=today + timedelta(days=1))
    overdue = factories.rectification_order(project=other, cycle=cycle, deadline=today - timedelta(days=1))
    readers = len(evaluation_reminders.department_readers(due))
    readers += len(evaluation_reminders.department_readers(overdue) + evaluation_reminders.evaluators())
    notices = 2  # the survey ending, the acceptances not done: one e-mail each to the evaluators
    return OneRun(
        {"notices": notices, "notifications": readers, "deliveries sent": readers, "mails": notices + readers},
        returns=notices + 2,
    )


def observers_under_quota(world, monkeypatch) -> OneRun:
    for _n in range(COUNT):
        factories.user(role=Role.OBSERVER)  # no suggestion this month
    _start, next_month = month_bounds(timezone.localdate())
    last_week = next_month - timedelta(days=2)  # the reminder goes out only in the month's last week
    return OneRun({"notices": COUNT, "mails": COUNT}, returns=COUNT, kwargs={"today": last_week.isoformat()})


def action_items(world, monkeypatch) -> OneRun:
    today = timezone.localdate()
    meeting = Meeting.objects.create(
        title="联席会议", date=today - timedelta(days=20), chair_department=world.lead_department
    )
    for due_in in (1, 2, -1):  # two due soon (a reminder each), one overdue (an escalation)
        ActionItem.objects.create(
            meeting=meeting,
            text="协调管线迁改",
            owner_department=world.other_department,
            due_date=today + timedelta(days=due_in),
        )
    items = ActionItem.objects.count()
    return OneRun({"notices": items, "mails": items}, returns=items)


def cocreation_winners(world, monkeypatch) -> OneRun:
    votes = 0
    for project in [world.project, factories.project(lead_unit=world.lead_department)]:
        vote = factories.cocreation(project=project)
        option = vote.options.first()
        for person in world.residents:
            DesignVote.objects.create(cocreation=vote, option=option, user=person)
            votes += 1
        CoCreation.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    ended = CoCreation.objects.count()
    # Each voter hears the result by e-mail.
    return OneRun(
        {"votes decided": ended, "notifications": votes, "deliveries sent": votes, "mails": votes}, returns=ended
    )


def stale_projects(world, monkeypatch) -> OneRun:
    silent = days_ago(settings.CIVICWORKS_PROJECT_STALE_DAYS + 10)
    for _n in range(COUNT):
        stale = factories.project(lead_unit=world.lead_department)
        ResponsiblePerson.objects.create(project=stale, role=ChainRole.LEAD, name="王负责", email="lead@example.cn")
    Project.objects.exclude(pk=world.project.pk).update(last_progress_at=silent)
    return OneRun({"notices": COUNT, "mails": COUNT}, returns=COUNT)


def milestones(world, monkeypatch) -> OneRun:
    """One milestone due next week and one overdue: the lead hears of each, followers of the overdue one."""
    today = timezone.localdate()
    Milestone.objects.create(project=world.project, title="主体完工", planned_date=today + timedelta(days=3))
    Milestone.objects.create(project=world.project, title="开工", planned_date=today - timedelta(days=2))
    for person in world.residents:
        Follow.objects.create(user=person, project=world.project)
    followers = len(world.residents)
    return OneRun(
        {"notices": 2, "notifications": followers, "deliveries sent": followers, "mails": 2 + followers}, returns=2
    )


def over_budget(world, monkeypatch) -> OneRun:
    for _n in range(COUNT):
        project = factories.project(lead_unit=world.lead_department, budget=Decimal("1000.00"))
        factories.expenditure(project=project, amount=Decimal("1000.01"), date=timezone.localdate())
    return OneRun({"notices": COUNT, "mails": COUNT}, returns=COUNT)


CASES: dict[str, Callable[..., OneRun]] = {
    "civicworks.accounts.tasks.heartbeat": heartbeat,
    "civicworks.accounts.tasks.idempotency_purge": idempotency_purge,
    "civicworks.notifications.tasks.sweep_deliveries": sweep_deliveries,
    "feedback.tasks.sweep_outbox": sweep_outbox,
    "feedback.tasks.check_deadlines": check_deadlines,
    "feedback.tasks.purge_personal_data": purge_personal_data,
    "feedback.tasks.ask_whether_fixed": ask_whether_fixed,
    "evaluation.tasks.reminders_send": evaluation_reminders_send,
    "participation.tasks.remind_observers_under_quota": observers_under_quota,
    "participation.tasks.remind_action_items": action_items,
    "participation.tasks.record_cocreation_winners": cocreation_winners,
    "projects.tasks.remind_stale_projects": stale_projects,
    "projects.tasks.remind_milestones": milestones,
    "projects.tasks.alert_over_budget": over_budget,
}


def scheduled_tasks() -> set[str]:
    return {entry["task"] for entry in celery_app.conf.beat_schedule.values()}


def test_every_scheduled_task_has_a_case():
    assert scheduled_tasks() == set(CASES), "a scheduled task needs a case here: what one run does, run twice at once"


@pytest.fixture
def world(road, lead_department, other_department, official, manager, evaluator, resident, project):
    residents = [resident, *(factories.user(role=Role.RESIDENT) for _n in range(COUNT - 1))]
    return SimpleNamespace(
        road=road, lead_department=lead_department, other_department=other_department, official=official,
        manager=manager, evaluator=evaluator, resident=resident, residents=residents, project=project,
    )  # fmt: skip


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("task_name", sorted(CASES))
def test_two_runs_at_once_do_what_one_run_does(task_name, world, monkeypatch):
    one_run = CASES[task_name](world, monkeypatch)
    assert any(one_run.changes.values()), "the case must give the task work to do"
    (entry,) = [e for e in celery_app.conf.beat_schedule.values() if e["task"] == task_name]
    task = import_string(task_name)
    before = effects()

    (first, second), spans = run_twice_at_once(
        task, entry.get("args", ()), {**entry.get("kwargs", {}), **one_run.kwargs}
    )

    after = effects()
    changes = {name: after[name] - before[name] for name in before if after[name] != before[name]}
    assert changes == {name: n for name, n in one_run.changes.items() if n}
    assert combined(first, second) == one_run.returns
    (start_a, end_a), (start_b, end_b) = spans
    assert start_a < end_b and start_b < end_a, "the two runs did not overlap"
