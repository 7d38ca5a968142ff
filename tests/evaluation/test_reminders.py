"""Reminders: survey period ending, inspections not done, rectification due and overdue — each once."""

from datetime import date

from django.core import mail

from evaluation import reminders, services
from evaluation.tasks import reminders_send

from .conftest import answer, inspect


def test_each_reminder_is_sent_once(
    cycle, project, other_project, evaluator, lead_department, django_capture_on_commit_callbacks
):
    cycle.survey_closes_on = date(2026, 9, 20)
    cycle.save()
    answer(cycle, project, (1, 1), (2, 2))
    inspect(cycle, project, "30", evaluator)
    inspect(cycle, other_project, "90", evaluator)
    services.cycle_compute(cycle=cycle, by=evaluator)
    (order,) = services.orders_issue(cycle=cycle, by=evaluator, deadline=date(2026, 9, 25))

    # 18 Sept: survey closes in 2 days, the order is not due yet; every project inspected.
    assert reminders.send_all(date(2026, 9, 18)) == 1
    subjects = sorted(m.subject for m in mail.outbox)
    assert any("2026Q3" in s and "2026-09-20" in s for s in subjects)
    assert reminders.send_all(date(2026, 9, 18)) == 0

    with django_capture_on_commit_callbacks(execute=True):  # the notifications' deliveries
        assert reminders.send_all(date(2026, 9, 23)) == 1  # order due in 2 days
    assert mail.outbox[-1].to == [lead_department.dispatch_email]
    assert "MX-2026-001" in mail.outbox[-1].subject and "2026-09-25" in mail.outbox[-1].subject
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_all(date(2026, 9, 26)) == 1  # overdue: the department and the evaluators
    overdue = mail.outbox[-2:]
    assert sorted(m.to[0] for m in overdue) == sorted([lead_department.dispatch_email, evaluator.email])
    assert all("MX-2026-001" in m.subject and "逾期" in m.subject for m in overdue)  # the city's language
    # The findings with their figures: the acceptance scored 30.00 against the pass mark 60.00.
    assert "30.00" in overdue[0].body and "60.00" in overdue[0].body
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_all(date(2026, 9, 27)) == 0
        assert reminders_send.delay().get() == 0  # the periodic task: nothing new today either
    assert len(mail.outbox) == 4
    order.refresh_from_db()
    assert order.is_overdue


def test_an_answered_order_is_not_chased(cycle, project, other_project, evaluator, official):
    answer(cycle, project, (1, 1), (2, 2))
    inspect(cycle, project, "30", evaluator)
    inspect(cycle, other_project, "90", evaluator)
    services.cycle_compute(cycle=cycle, by=evaluator)
    (order,) = services.orders_issue(cycle=cycle, by=evaluator, deadline=date(2026, 9, 25))
    services.order_answer(order=order, by=official, response="已整改完毕")
    assert reminders.orders_due_and_overdue(date(2026, 9, 30)) == 0


def test_inspections_not_done_reminder(cycle, project, other_project, evaluator):
    inspect(cycle, project, "80", evaluator)
    assert reminders.inspections_pending(date(2026, 9, 10)) == 0  # more than two weeks left
    assert reminders.inspections_pending(date(2026, 9, 18)) == 1
    assert "MX-2026-002" in mail.outbox[-1].body and "MX-2026-001" not in mail.outbox[-1].body
    assert reminders.inspections_pending(date(2026, 9, 19)) == 0
