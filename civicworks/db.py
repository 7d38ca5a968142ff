"""A read replica for the public reads that may lag, with read-your-writes (docs/deployment.md).

`DATABASE_REPLICA_URL` adds `DATABASES["replica"]`, a streaming replica of the primary. Without
it there is no replica and everything reads the primary, as before.

Which reads go to the replica is decided per request, never per model: `ReplicaMiddleware`
turns the replica on for a GET/HEAD of a view named in `CIVICWORKS_REPLICA_VIEWS` (the public
map, lists, figures, open data, hotspots), and only when the request is not pinned to the
primary. A request is pinned when

- its person wrote something within `CIVICWORKS_READ_YOUR_WRITES_SECONDS` (a signed cookie set
  by any POST/PUT/PATCH/DELETE that succeeded), so their next pages show what they just did;
- it is a staff member's (the console decides on current data).

Everything else — writes, transactions, `select_for_update`, Celery tasks, the console, every
view not listed — uses the primary: `ReplicaRouter.db_for_read` answers "replica" only inside a
request the middleware switched on, and never inside a transaction.

A replica that is down, or that cancels a query while it replays (a recovery conflict), costs
nothing visible: the view is run again on the primary and the replica is skipped by this
process for `CIVICWORKS_REPLICA_RETRY_SECONDS`. A lookup that finds nothing (404) on the
replica is asked again of the primary too: a tracking link opened on another device a moment
after the report went in must not say "not found" because the replica is a second behind.
"""

import contextvars
import logging
import threading
import time

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, InterfaceError, OperationalError, connections, transaction
from django.db.utils import ConnectionDoesNotExist
from django.http import Http404

logger = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "cw_primary"
PIN_SALT = "civicworks.db.pin"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("civicworks_use_replica", default=False)
_replica_down_until = 0.0
_replica_lock = threading.Lock()


def replica_configured() -> bool:
    try:
        connections[REPLICA]
    except ConnectionDoesNotExist:
        return False
    return True


def replica_available() -> bool:
    return replica_configured() and time.monotonic() >= _replica_down_until


def mark_replica_down() -> None:
    """Skip the replica in this process for a while; its broken connection is dropped."""
    global _replica_down_until
    with _replica_lock:
        _replica_down_until = time.monotonic() + settings.CIVICWORKS_REPLICA_RETRY_SECONDS
    try:
        connections[REPLICA].close()
    except Exception:  # noqa: BLE001 — closing a dead connection may fail; it is gone either way
        logger.debug("closing the replica connection failed", exc_info=True)


def replica_answers() -> bool:
    """One `SELECT 1` on the replica (a quick probe after a failed query)."""
    try:
        connections[REPLICA].close()
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except (OperationalError, InterfaceError):
        return False


def reading_replica() -> bool:
    """True when this request's reads go to the replica right now."""
    return _use_replica.get() and replica_available() and not transaction.get_connection(PRIMARY).in_atomic_block


class ReplicaRouter:
    """Reads to the replica only when the request allows it; writes and migrations to the primary."""

    def db_for_read(self, model, **hints):
        if hints.get("instance") is not None and hints["instance"]._state.db == PRIMARY:
            return PRIMARY  # a relation of a row read from the primary stays on the primary
        return REPLICA if reading_replica() else PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


# --- The middleware -------------------------------------------------------------------------------


def pinned(request) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    try:
        request.get_signed_cookie(PIN_COOKIE, salt=PIN_SALT, max_age=settings.CIVICWORKS_READ_YOUR_WRITES_SECONDS)
    except (KeyError, signing.BadSignature):
        return False
    return True


def replica_view(request) -> bool:
    match = request.resolver_match
    return bool(
        match is not None and request.method in ("GET", "HEAD") and match.view_name in settings.CIVICWORKS_REPLICA_VIEWS
    )


class ReplicaMiddleware:
    """Sends a listed public read to the replica (unless pinned) and pins a person who wrote.

    Placed last in MIDDLEWARE: it runs the view itself (process_view) so that a replica failure
    can run it again on the primary, and it renders a template response there so that the
    template's queries read the same database as the view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in UNSAFE_METHODS and response.status_code < 400 and replica_configured():
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_SALT,
                max_age=settings.CIVICWORKS_READ_YOUR_WRITES_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not (replica_available() and replica_view(request) and not pinned(request)):
            return None
        token = _use_replica.set(True)
        try:
            response = _run(request, view_func, view_args, view_kwargs)
            if response is not None and response.status_code != 404:
                if response.streaming:  # an export reads as it is sent, after this method returns
                    response.streaming_content = _on_replica(response.streaming_content)
                return response
        except Http404:
            pass
        except DatabaseError:
            # The replica went away, restarted (a stale connection), cancelled the query while
            # replaying, or is a moment behind a migration: read again from the primary. Had the primary failed, it fails again
            # there and DatabaseUnavailableMiddleware answers 503.
            if replica_answers():
                logger.info("a replica read failed; reading the primary", exc_info=True)
            else:
                logger.warning("read replica unavailable; reading the primary", exc_info=True)
                mark_replica_down()
        finally:
            _use_replica.reset(token)
        return _run(request, view_func, view_args, view_kwargs)


def _on_replica(chunks):
    """A streamed body's reads on the replica too. Its headers are sent: a replica lost midway
    ends the download with an error (the client asks again), it cannot switch to the primary."""
    token = _use_replica.set(True)
    try:
        yield from chunks
    finally:
        _use_replica.reset(token)


def _run(request, view_func, view_args, view_kwargs):
    response = view_func(request, *view_args, **view_kwargs)
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    return response
