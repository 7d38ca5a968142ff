"""The read replica: listed public reads go to it, a person who wrote and staff read the primary,
a replica that is down costs nothing visible (civicworks/db.py).

The replica here is a second connection to the test database (what the router sees is the
same as with a streaming replica); "down" is a replica address nothing answers on.
"""

import copy
import socket

import pytest
from django.conf import settings
from django.db import connections
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver

from civicworks import db

pytestmark = pytest.mark.django_db(transaction=True)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_replica(**changes):
    """A second connection, known to the connection handler of this thread only."""
    replica = copy.deepcopy(connections["default"].settings_dict)
    replica.update(changes)
    connections[db.REPLICA] = load_backend(replica["ENGINE"]).DatabaseWrapper(replica, db.REPLICA)
    return connections[db.REPLICA]


@pytest.fixture
def replica(transactional_db, monkeypatch):
    monkeypatch.setattr(db, "_replica_down_until", 0.0)
    yield add_replica()
    connections[db.REPLICA].close()
    del connections[db.REPLICA]


@pytest.fixture
def dead_replica(transactional_db, monkeypatch):
    monkeypatch.setattr(db, "_replica_down_until", 0.0)
    if connections["default"].vendor == "sqlite":
        yield add_replica(NAME="/nonexistent-folder/replica.sqlite3")
    else:
        yield add_replica(PORT=str(closed_port()), HOST="127.0.0.1", OPTIONS={"connect_timeout": 1})
    connections[db.REPLICA].close()
    del connections[db.REPLICA]


def get(client, url, **kwargs):
    """The response, with the queries each connection ran for it."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[db.REPLICA]) as replica,
    ):
        response = client.get(url, **kwargs)
    return response, len(primary), len(replica)


def test_without_a_replica_there_is_no_replica_alias_and_reads_use_the_primary(client, project):
    assert db.REPLICA not in settings.DATABASES
    assert not db.replica_configured()
    assert db.ReplicaRouter().db_for_read(type(project)) == "default"
    assert client.get("/projects/").status_code == 200
    assert db.PIN_COOKIE not in client.post("/care-mode/", {"on": "1"}).cookies


def test_a_listed_public_page_reads_the_replica(client, project, replica):
    response, on_primary, on_replica = get(client, "/projects/")
    assert response.status_code == 200
    assert project.title in response.content.decode()
    assert on_replica > 0
    assert on_primary == 0  # the template's queries too (the response is rendered on the replica)


def test_api_map_and_open_data_read_the_replica(client, project, replica):
    for url in ("/api/v1/projects/map/", "/api/v1/projects/", "/open-data/"):
        response, on_primary, on_replica = get(client, url)
        assert response.status_code == 200, url
        assert on_replica > 0 and on_primary == 0, url


def test_a_streamed_export_reads_the_replica_while_it_streams(client, project, replica):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[db.REPLICA]) as on_replica,
    ):
        response = client.get("/open-data/projects.csv")
        assert response.status_code == 200 and response.streaming
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert project.code in body
    assert len(on_replica) > 0 and len(primary) == 0
    assert not db._use_replica.get(), "switched back once the body is sent"


def test_a_page_not_listed_reads_the_primary(client, resident, replica):
    client.force_login(resident)
    response, _on_primary, on_replica = get(client, "/reports/mine/")
    assert response.status_code == 200
    assert on_replica == 0


def test_a_successful_write_pins_its_author_to_the_primary(client, project, replica, settings):
    settings.CIVICWORKS_READ_YOUR_WRITES_SECONDS = 30
    write = client.post("/care-mode/", {"on": "1"})
    assert write.status_code < 400
    assert db.PIN_COOKIE in write.cookies
    assert write.cookies[db.PIN_COOKIE]["httponly"]
    response, on_primary, on_replica = get(client, "/projects/")
    assert response.status_code == 200
    assert on_replica == 0 and on_primary > 0


def test_the_pin_expires(client, project, replica, settings):
    client.post("/care-mode/", {"on": "1"})
    settings.CIVICWORKS_READ_YOUR_WRITES_SECONDS = -1  # already older than that
    _response, _on_primary, on_replica = get(client, "/projects/")
    assert on_replica > 0


def test_a_forged_pin_cookie_is_ignored(client, project, replica):
    client.cookies[db.PIN_COOKIE] = "1:forged:signature"
    _response, _on_primary, on_replica = get(client, "/projects/")
    assert on_replica > 0


def test_a_refused_write_does_not_pin(client, project, replica):
    refused = client.post("/manifest.webmanifest")  # GET only: 405
    assert refused.status_code == 405
    assert db.PIN_COOKIE not in refused.cookies


def test_staff_read_the_primary(client, project, official, replica):
    assert official.is_staff
    client.force_login(official)
    response, _on_primary, on_replica = get(client, "/projects/")
    assert response.status_code == 200
    assert on_replica == 0


def test_a_replica_that_is_down_falls_back_to_the_primary_without_an_error(client, project, dead_replica):
    with CaptureQueriesContext(connections["default"]) as primary:
        response = client.get("/projects/")
    assert response.status_code == 200
    assert project.title in response.content.decode()
    assert len(primary) > 0
    assert not db.replica_available()  # skipped for a while: the next request does not try it
    assert client.get("/api/v1/projects/map/").status_code == 200
    assert dead_replica.connection is None  # never connected


@pytest.fixture
def replica_without_tables(transactional_db, monkeypatch, tmp_path):
    """A replica that answers but fails the page's queries (as one a migration behind does)."""
    monkeypatch.setattr(db, "_replica_down_until", 0.0)
    if connections["default"].vendor == "sqlite":
        yield add_replica(NAME=str(tmp_path / "empty.sqlite3"))
    else:
        yield add_replica(NAME="postgres")
    connections[db.REPLICA].close()
    del connections[db.REPLICA]


def test_a_replica_whose_query_fails_is_read_again_from_the_primary(client, project, replica_without_tables):
    response = client.get("/projects/")
    assert response.status_code == 200
    assert project.title in response.content.decode()
    assert db.replica_available()  # it answers: not skipped, only this read went to the primary


def test_writes_and_transactions_use_the_primary(project, replica):
    from django.db import transaction

    router = db.ReplicaRouter()
    token = db._use_replica.set(True)
    try:
        assert router.db_for_read(type(project)) == "replica"
        assert router.db_for_write(type(project)) == "default"
        with transaction.atomic():
            assert router.db_for_read(type(project)) == "default"
        assert router.db_for_read(type(project), instance=project) == "default"  # read from the primary
        assert not router.allow_migrate("replica", "projects")
    finally:
        db._use_replica.reset(token)


def test_every_listed_view_name_exists():
    names = set()

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(prefix + pattern.name)

    walk(get_resolver().url_patterns)
    assert set(settings.CIVICWORKS_REPLICA_VIEWS) <= names, set(settings.CIVICWORKS_REPLICA_VIEWS) - names
    assert not [n for n in settings.CIVICWORKS_REPLICA_VIEWS if n.startswith(("admin:", "console"))]
