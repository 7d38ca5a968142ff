"""Thin Celery tasks: take ids, call a service; the outbox row makes them safe to run twice."""

from celery import shared_task

from . import fixed, privacy, services


@shared_task(bind=True, max_retries=3, acks_late=True, reject_on_worker_lost=True)
def dispatch_report(self, outbox_id: int) -> bool:
    """Deliver one outbox row (one notice); a refusal is retried, and the sweep catches what is left.

    The report was routed when it was submitted: nothing here holds up the department's queue.
    """
    try:
        return services.report_dispatch(outbox_id=outbox_id)
    except services.DispatchFailed as exc:
        if self.request.is_eager:
            return False  # in-process: do not block the request; the sweep retries on its backoff
        raise self.retry(exc=exc, countdown=60 * (self.request.retries + 1)) from exc


@shared_task
def sweep_outbox() -> int:
    return services.outbox_sweep()


@shared_task
def check_deadlines() -> tuple[int, int]:
    return services.deadlines_check()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def purge_personal_data() -> int:
    """Safe to run twice: purged reports are marked and skipped."""
    return privacy.retention_purge()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def ask_whether_fixed() -> int:
    """Safe to run twice: each report is claimed by a conditional update before it is asked."""
    return fixed.fixed_questions_ask()
