"""Queue a Celery task after the commit, without letting a broker outage fail the request.

Outbox tables (feedback's dispatch, notifications' deliveries) keep what must be sent; the
task is only the fast path. When the broker is down, `publish` gives up at once and the
outbox's periodic sweep sends the row later.
"""

import logging
import threading
import time

from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)

# After a refused connection, skip publishing for this long and let only one request at a
# time try again: the Redis client retries a refused connection for about 2 s, and every
# request would wait for it. The sweeps send what was skipped.
BROKER_PAUSE_SECONDS = 30.0
_broker_paused_until = 0.0
_broker_probe = threading.Lock()


def publish(task, *args) -> None:
    """`task.apply_async(args)`, or nothing when the broker is unavailable (the sweep catches up)."""
    global _broker_paused_until

    paused = _broker_paused_until > 0
    if time.monotonic() < _broker_paused_until or (paused and not _broker_probe.acquire(blocking=False)):
        logger.info("broker paused: %s%r left to the sweep", task.name, args)
        return
    try:
        task.apply_async(args=list(args), retry=False)
        _broker_paused_until = 0.0
    except BrokerUnavailable:
        _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.warning("broker unavailable: %s%r left to the sweep", task.name, args, exc_info=True)
    except Exception:  # noqa: BLE001 — any publishing or eager-run failure: the outbox row stays unsent
        logger.warning("%s%r not queued now; the sweep will send it", task.name, args, exc_info=True)
    finally:
        if paused:
            _broker_probe.release()
