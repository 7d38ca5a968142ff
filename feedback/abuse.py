"""Abuse protection: a per-address limit on anonymous submissions, in the shared cache (Redis)."""

import logging

from django.conf import settings
from django.core.cache import cache
from redis import RedisError

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 3600


def client_ip(request) -> str:
    # Behind the proxy the address comes from REMOTE_ADDR as set by the WSGI server;
    # X-Forwarded-For is not trusted here (anyone could send it).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def submission_allowed(request) -> bool:
    """Count an anonymous submission from this address; False once the hourly limit is passed."""
    if request.user.is_authenticated:
        return True
    limit = settings.FEEDBACK_ANONYMOUS_PER_HOUR
    key = f"feedback:submit:{client_ip(request)}"
    try:
        cache.add(key, 0, timeout=WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=WINDOW_SECONDS)
            count = 1
    except RedisError:
        # Fail open: with the cache down a resident's report still gets in (the honeypot and
        # the similar-report check still apply); losing reports would be worse than a flood.
        logger.warning("rate limit cache unavailable; anonymous submission allowed", exc_info=True)
        return True
    return count <= limit
