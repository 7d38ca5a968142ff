"""Closing a cycle through a real Redis broker: a worker process builds and e-mails the reports once."""

import pytest

from civicworks.accounts.models import SentNotice
from evaluation import services
from evaluation.models import DepartmentReport
from tests.integration.test_celery_worker import celery_worker_process, wait_for  # noqa: F401

from .conftest import EARLY, answer, inspect


@pytest.mark.integration
def test_worker_sends_the_department_reports(celery_worker_process, cycle, project, other_project, evaluator):  # noqa: F811
    answer(cycle, project, (5, 9), (4, 8))
    inspect(cycle, other_project, "70", evaluator)
    services.cycle_compute(cycle=cycle, by=evaluator)

    services.cycle_close(cycle=cycle, by=evaluator, reason=EARLY)  # transactional_db: on_commit fires at once

    assert wait_for(lambda: DepartmentReport.objects.filter(cycle=cycle, emailed_at__isnull=False).count() == 2, 60)
    assert SentNotice.objects.filter(key__startswith=f"evaluation-report:{cycle.pk}:").count() == 2
