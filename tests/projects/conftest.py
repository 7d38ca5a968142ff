"""The projects world: the conftest personas plus complete projects spread over the city centre."""

from datetime import timedelta

import pytest
from django.utils import timezone

from projects.models import Project
from tests import factories


@pytest.fixture
def make_projects(lead_department):
    """`make_projects(n)` adds n more complete projects spread over the city centre."""
    made: list[Project] = []

    def make(n: int) -> list[Project]:
        for i in range(len(made), len(made) + n):
            spot = {"lat": 30.61 + (i % 10) * 0.01, "lng": 103.99 + (i // 10) * 0.01}
            made.append(factories.complete_project(lead_unit=lead_department, code=f"QC-{i:04d}", **spot))
        return made

    return make


def days_ago(n: int):
    return timezone.now() - timedelta(days=n)
