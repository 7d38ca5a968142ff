import socket

from celery import shared_task
from django.utils import timezone

from .models import WorkerHeartbeat


@shared_task
def idempotency_purge() -> int:
    """Daily: forget stored answers to Idempotency-Key requests older than a day."""
    from civicworks.idempotency import idempotent_requests_purge

    return idempotent_requests_purge()


@shared_task
def heartbeat() -> None:
    WorkerHeartbeat.objects.update_or_create(name=socket.gethostname(), defaults={"seen_at": timezone.now()})
