"""Thin Celery tasks: take ids, call a service; the delivery row makes them safe to run twice."""

from celery import shared_task

from . import services


@shared_task(bind=True, max_retries=services.MAX_ATTEMPTS, acks_late=True, reject_on_worker_lost=True)
def deliver_notification(self, delivery_id: int) -> bool:
    try:
        return services.deliver(delivery_id=delivery_id)
    except services.DeliveryFailed as exc:
        if self.request.is_eager:
            return False  # in-process: never fail the request; the sweep retries on the backoff
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc


@shared_task
def sweep_deliveries() -> int:
    return services.sweep()
