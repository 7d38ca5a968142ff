"""Reminders through a real Redis broker and worker process: delivered twice, sent once."""

import time

import pytest

from civicworks.accounts.models import SentNotice
from projects import tasks
from projects.models import ChainRole, Project, ResponsiblePerson
from tests.integration.test_celery_worker import celery_worker_process, wait_for  # noqa: F401

from .conftest import days_ago


@pytest.mark.integration
def test_worker_sends_a_stale_reminder_once(celery_worker_process, project):  # noqa: F811
    ResponsiblePerson.objects.create(project=project, role=ChainRole.LEAD, name="王负责", email="lead@example.cn")
    Project.objects.filter(pk=project.pk).update(last_progress_at=days_ago(45))
    tasks.remind_stale_projects.delay()
    tasks.remind_stale_projects.delay()
    key = f"projects:stale:{project.pk}:"
    assert wait_for(lambda: SentNotice.objects.filter(key__startswith=key).exists(), 60)
    # No result backend to wait on: give the second delivery time to run; it must find the claim.
    time.sleep(3)
    assert SentNotice.objects.filter(key__startswith=key).count() == 1
