"""Live updates by conditional polling: a fragment endpoint answers 304 while nothing changed.

Why polling and not server-sent events: the project runs on plain WSGI (gunicorn, sync
workers); an open SSE stream would hold a worker (or need ASGI and a pub/sub fan-out) for
every open page, while a conditional GET holds nothing between polls. A page polls every
few seconds with `If-None-Match`; the view computes a cheap *version* of what the fragment
shows (one indexed aggregate query), and answers 304 without rendering when the ETag
matches. `static/js/live.js` does the polling; see docs/performance.md for the cost.

Usage::

    def _report_version(request, code):          # None → 404
        return Report.objects.filter(...).values_list("updated_at", ...).first()

    @live_fragment(_report_version)
    def report_live(request, code): ...          # renders the fragment only on a 200
"""

import hashlib
from collections.abc import Callable
from functools import wraps

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag
from django.utils.translation import get_language

Version = Callable[..., object | None]


def etag_for(version: object) -> str:
    """A strong, quoted ETag from the version and the language (fragments are translated)."""
    digest = hashlib.sha1(f"{get_language()}|{version!r}".encode(), usedforsecurity=False).hexdigest()[:24]
    return quote_etag(digest)


def live_fragment(version: Version, *, private: bool = False):
    """Decorate a fragment view: 304 on a matching If-None-Match, else render with the ETag.

    `version(request, *args, **kwargs)` must be cheap (it runs on every poll) and change
    whenever what the fragment shows changes; None means "no such object" (404).
    """

    def decorator(view: Callable[..., HttpResponse]):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                return HttpResponseNotAllowed(["GET", "HEAD"])
            current = version(request, *args, **kwargs)
            if current is None:
                raise Http404
            etag = etag_for(current)
            response = get_conditional_response(request, etag=etag) or view(request, *args, **kwargs)
            if response.status_code in (200, 304):
                response["ETag"] = etag
            # no-cache: a browser or proxy may keep it but must ask again (with the ETag) each time.
            patch_cache_control(response, no_cache=True, **({"private": True} if private else {"public": True}))
            patch_vary_headers(response, ["Accept-Language", "Cookie"])
            return response

        return wrapper

    return decorator


def one_row(sql: str, params: list) -> tuple | None:
    """A version query on the hot path (every poll of every open page): hand-written SQL, no ORM.

    Measured: building the equivalent ORM query cost ~4 ms of CPU per poll, the SQL itself ~0.3 ms.
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
