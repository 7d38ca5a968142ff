"""Schemathesis against /api/schema/: no 5xx, and every documented answer matches the schema.

The schema is loaded from the app itself over WSGI (no server), in the test's own database
transaction. Public reads are fuzzed anonymously; every operation again with an official's
token (DRF TokenAuthentication), so the staff writes are exercised past the permission check.
Examples are bounded and derandomized: the same cases run in every CI run.
"""

from datetime import date

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from feedback import services
from projects.models import Milestone
from tests import factories
from tests.participation.conftest import cocreation  # noqa: F401 — fixture

CHECKS = [not_a_server_error, response_schema_conformance]
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# Loaded once at collection (pytest-django has set Django up by then; the schema needs no rows).
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture(autouse=True)
def world(db, project, other_project, road, resident, cocreation, django_capture_on_commit_callbacks):  # noqa: F811
    """A small city to answer from; requests run inside the test's transaction."""
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(category=road, text="井盖缺失", project=project, latitude=30.69, longitude=103.99)
    need = factories.need(author=resident)
    milestone = Milestone.objects.create(project=project, title="主体完工", planned_date=date(2026, 8, 1))
    # As Django's test client does: the end of a request must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"code": project.code, "milestone": milestone.pk, "need": need.pk}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.include(method="GET").parametrize()
@FUZZ
def test_public_reads_anonymously(case):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_every_operation_as_an_official_on_real_objects(case, official, world):
    """Path parameters point at the official's own project, milestone and a need: bodies get fuzzed."""
    real = {"code": world["code"], "id": world["milestone"] if "milestones" in case.path else world["need"]}
    case.path_parameters = {
        **(case.path_parameters or {}),
        **{k: v for k, v in real.items() if f"{{{k}}}" in case.path},
    }
    token, _ = Token.objects.get_or_create(user=official)
    case.call_and_validate(headers={"Authorization": f"Token {token.key}"}, checks=CHECKS)
