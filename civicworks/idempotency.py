"""`Idempotency-Key` for POST views: a client that retries after a timeout gets the first answer.

Contract (after the IETF httpapi idempotency-key draft, Stripe's behaviour):

1. A POST without the header runs as usual.
2. With the header, ONE transaction claims `(scope, key)` by inserting a row, runs the view
   and stores its answer. A 2xx answer and everything the view wrote commit together with
   the row; any other answer (or an exception) rolls the claim back, so the client may retry.
3. A second request with the same key waits on the unique index while the first one runs
   (PostgreSQL blocks the insert), then replays the stored status and body with
   `Idempotent-Replayed: true`. Nothing is written twice.
4. The same key sent for another method or path is refused with 422.

`scope` is the signed-in user, else the client address: one client cannot replay another's answer.
"""

import functools
import json
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicworks.accounts.models import IdempotentRequest

HEADER = "HTTP_IDEMPOTENCY_KEY"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
RETENTION = timedelta(days=1)


class _Rollback(Exception):
    """Carries a non-2xx answer out of the atomic block so the claim is rolled back."""

    def __init__(self, response):
        self.response = response


def _scope(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{request.META.get('REMOTE_ADDR', '')}"


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


def _replay(row: IdempotentRequest, request) -> HttpResponse:
    if row.method != request.method or row.path != request.path:
        return _error(422, _("This Idempotency-Key was already used for another request."))
    if row.is_api_data:
        from rest_framework.response import Response

        response = Response(json.loads(bytes(row.body)), status=row.status)
    else:
        response = HttpResponse(bytes(row.body), status=row.status, content_type=row.content_type)
    response[REPLAYED_HEADER] = "true"
    return response


def _store(row: IdempotentRequest, response) -> None:
    from rest_framework.response import Response

    row.status = response.status_code
    if isinstance(response, Response) and not getattr(response, "is_rendered", False):
        # Not rendered yet (a DRF method): keep the data, render it per request on replay.
        row.is_api_data = True
        row.body = json.dumps(response.data, ensure_ascii=False, default=str).encode()
        row.content_type = "application/json"
    else:
        row.body = response.content
        row.content_type = response.get("Content-Type", "")
    row.save(update_fields=["status", "body", "is_api_data", "content_type"])


def _claim(request, key: str) -> IdempotentRequest | None:
    """Insert the row (waiting for a concurrent holder of the key); None when it already exists."""
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(
                key=key, scope=_scope(request), method=request.method, path=request.path[:500]
            )
    except IntegrityError:
        return None


def _run(view: Callable, request, call: Callable[[], HttpResponse]) -> HttpResponse:
    key = request.META.get(HEADER, "").strip()
    if not key or request.method != "POST":
        return call()
    if len(key) > MAX_KEY_LENGTH:
        return _error(400, _("The Idempotency-Key header is too long (255 characters at most)."))
    try:
        with transaction.atomic():
            row = _claim(request, key)
            if row is None:
                return _replay(IdempotentRequest.objects.get(scope=_scope(request), key=key), request)
            response = call()
            if not 200 <= response.status_code < 300:
                raise _Rollback(response)
            _store(row, response)
            return response
    except _Rollback as answer:
        return answer.response


def idempotent(view: Callable) -> Callable:
    """Decorate a function view `view(request, ...)` or a DRF/class method `post(self, request, ...)`."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        request = args[0] if isinstance(args[0], HttpRequest) or hasattr(args[0], "META") else args[1]
        return _run(view, request, lambda: view(*args, **kwargs))

    return wrapped


def idempotent_requests_purge(*, now=None) -> int:
    """Forget keys older than RETENTION (a client retries within minutes, not days)."""
    now = now or timezone.now()
    deleted, _rows = IdempotentRequest.objects.filter(created_at__lt=now - RETENTION).delete()
    return deleted
