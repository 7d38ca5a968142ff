"""Reminders through a real Redis broker and worker process: delivered twice, sent once."""

import time
from datetime import date

import pytest

from civicworks.accounts.models import SentNotice
from participation import tasks
from participation.models import ActionItem
from tests.integration.test_celery_worker import celery_worker_process, wait_for  # noqa: F401


def _settle() -> bool:
    time.sleep(3)  # let the second delivery run too: it must find the notice already sent
    return True


@pytest.mark.integration
def test_worker_sends_the_quota_reminder_once(celery_worker_process, observer):  # noqa: F811
    tasks.remind_observers_under_quota.delay("2026-11-27")
    tasks.remind_observers_under_quota.delay("2026-11-27")
    key = f"observer-quota:{observer.pk}:2026-11"
    assert wait_for(lambda: SentNotice.objects.filter(key=key).exists(), 60)
    assert wait_for(_settle, 30)
    assert SentNotice.objects.filter(key=key).count() == 1


@pytest.mark.integration
def test_worker_escalates_an_overdue_item_once(celery_worker_process, meeting, other_department):  # noqa: F811
    item = ActionItem.objects.create(meeting=meeting, text="管线迁改", owner_department=other_department,
                                     due_date=date(2026, 11, 1))  # fmt: skip
    tasks.remind_action_items.delay("2026-11-27")
    tasks.remind_action_items.delay("2026-11-27")
    key = f"action-item-overdue:{item.pk}:2026-11-01"
    assert wait_for(lambda: SentNotice.objects.filter(key=key).exists(), 60)
    assert wait_for(_settle, 30)
    assert SentNotice.objects.filter(key=key).count() == 1
