"""Issue 14, finding 11 (workflow): the review cycle's steps are declared once, on the model, and guarded.

A quarter that has not begun cannot be opened; closing before the survey closes or before the
quarter ends needs a recorded reason; every writer (services, console, demo) goes through
`ReviewCycle.transition`. Deleting a cycle is the city administrator's alone.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation import services
from evaluation.models import CycleState, CycleStep, ReviewCycle

from .conftest import inspect


def quarter_of(day) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def next_quarter() -> tuple[int, int]:
    year, quarter = quarter_of(timezone.localdate())
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def test_the_transition_table_answers_every_step():
    draft, opened = ReviewCycle(state=CycleState.DRAFT), ReviewCycle(state=CycleState.OPEN)
    closed, published = ReviewCycle(state=CycleState.CLOSED), ReviewCycle(state=CycleState.PUBLISHED)
    assert draft.can(CycleStep.OPEN) and not opened.can(CycleStep.OPEN)
    assert opened.can(CycleStep.COMPUTE) and not draft.can(CycleStep.COMPUTE) and not closed.can(CycleStep.COMPUTE)
    assert opened.can(CycleStep.CLOSE) and not draft.can(CycleStep.CLOSE) and not closed.can(CycleStep.CLOSE)
    assert closed.can(CycleStep.PUBLISH) and not opened.can(CycleStep.PUBLISH) and not published.can(CycleStep.PUBLISH)
    assert draft.can(CycleStep.EDIT) and opened.can(CycleStep.EDIT) and closed.is_locked and published.is_locked
    assert draft.can(CycleStep.DELETE) and not opened.can(CycleStep.DELETE)
    assert {c.state for c in (draft, opened, closed, published)} == set(CycleState.values)


def test_a_quarter_that_has_not_begun_cannot_be_opened(scheme, evaluator):
    year, quarter = next_quarter()
    cycle = services.cycle_create(year=year, quarter=quarter, by=evaluator, scheme=scheme)
    with pytest.raises(services.EvaluationError, match="has not begun"):
        services.cycle_open(cycle=cycle, by=evaluator)
    cycle.refresh_from_db()
    assert (cycle.state, cycle.opened_at) == (CycleState.DRAFT, None)
    assert not cycle.surveys.exists()


def test_the_console_refuses_to_open_a_future_quarter(client, scheme, evaluator):
    year, quarter = next_quarter()
    cycle = services.cycle_create(year=year, quarter=quarter, by=evaluator, scheme=scheme)
    client.force_login(evaluator)
    response = client.post(
        reverse("admin:evaluation_reviewcycle_changelist"),
        {"action": "open_cycle", "_selected_action": [cycle.pk]},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "has not begun" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.state == CycleState.DRAFT


def test_closing_while_the_survey_is_open_needs_a_reason(cycle, project, evaluator):
    assert cycle.survey_closes_on > timezone.localdate()  # the fixture keeps its survey open
    services.cycle_compute(cycle=cycle, by=evaluator)
    for reason in ("", "   "):
        with pytest.raises(services.EvaluationError, match="reason"):
            services.cycle_close(cycle=cycle, by=evaluator, reason=reason, send_reports=False)
    cycle.refresh_from_db()
    assert (cycle.state, cycle.closed_at, cycle.close_reason) == (CycleState.OPEN, None, "")
    with pytest.raises(services.EvaluationError):
        services.cycle_publish(cycle=cycle, by=evaluator)  # still open: publishing is refused too

    services.cycle_close(cycle=cycle, by=evaluator, reason=" 市里要求提前通报 ", send_reports=False)
    cycle.refresh_from_db()
    assert (cycle.state, cycle.close_reason, cycle.closed_by) == (CycleState.CLOSED, "市里要求提前通报", evaluator)
    services.cycle_publish(cycle=cycle, by=evaluator)
    assert ReviewCycle.objects.get(pk=cycle.pk).state == CycleState.PUBLISHED


def test_closing_a_quarter_that_has_not_ended_needs_a_reason(scheme, evaluator, project):
    year, quarter = quarter_of(timezone.localdate())
    cycle = services.cycle_create(year=year, quarter=quarter, by=evaluator, scheme=scheme)
    cycle.survey_closes_on = cycle.starts_on  # the survey is over, the quarter is not
    cycle.save()
    services.cycle_open(cycle=cycle, by=evaluator)
    services.cycle_compute(cycle=cycle, by=evaluator)
    with pytest.raises(services.EvaluationError, match="reason"):
        services.cycle_close(cycle=cycle, by=evaluator, send_reports=False)
    assert ReviewCycle.objects.get(pk=cycle.pk).state == CycleState.OPEN


def test_a_quarter_that_is_over_closes_without_a_reason(cycle, project, evaluator):
    cycle.survey_closes_on = timezone.localdate() - timedelta(days=1)
    cycle.save()
    assert cycle.ends_on < timezone.localdate()
    services.cycle_compute(cycle=cycle, by=evaluator)
    services.cycle_close(cycle=cycle, by=evaluator, send_reports=False)
    cycle.refresh_from_db()
    assert (cycle.state, cycle.close_reason, cycle.closed_by) == (CycleState.CLOSED, "", evaluator)


def test_the_console_asks_for_the_reason_of_an_early_close(client, cycle, project, evaluator):
    inspect(cycle, project, "80", evaluator)
    services.cycle_compute(cycle=cycle, by=evaluator)
    client.force_login(evaluator)
    changelist = reverse("admin:evaluation_reviewcycle_changelist")
    asked = client.post(changelist, {"action": "close_cycle", "_selected_action": [cycle.pk]})
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    assert ReviewCycle.objects.get(pk=cycle.pk).state == CycleState.OPEN
    client.post(changelist, {"action": "close_cycle", "_selected_action": [cycle.pk], "reason": "", "apply": "1"})
    assert ReviewCycle.objects.get(pk=cycle.pk).state == CycleState.OPEN
    client.post(
        changelist, {"action": "close_cycle", "_selected_action": [cycle.pk], "reason": "提前通报", "apply": "1"}
    )
    cycle.refresh_from_db()
    assert (cycle.state, cycle.close_reason) == (CycleState.CLOSED, "提前通报")
    page = client.get(reverse("admin:evaluation_reviewcycle_change", args=[cycle.pk])).content.decode()
    assert "提前通报" in page


def test_evaluators_are_not_offered_delete_on_review_cycles(client, scheme, evaluator, city_admin):
    year, quarter = next_quarter()
    draft = services.cycle_create(year=year, quarter=quarter, by=evaluator, scheme=scheme)
    client.force_login(evaluator)
    changelist = reverse("admin:evaluation_reviewcycle_changelist")
    assert "delete_selected" not in client.get(changelist).content.decode()
    client.post(changelist, {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"})
    assert client.get(reverse("admin:evaluation_reviewcycle_delete", args=[draft.pk])).status_code == 403
    assert ReviewCycle.objects.filter(pk=draft.pk).exists()
    client.force_login(city_admin)
    assert "delete_selected" in client.get(changelist).content.decode()


def test_the_console_names_no_cycle_state_by_hand():
    source = Path(services.__file__).with_name("admin.py").read_text()
    assert not re.findall(r"""["'](draft|open|closed|published)["']""", source)
