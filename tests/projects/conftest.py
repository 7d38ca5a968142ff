"""The projects world: the conftest personas plus a factory of complete projects."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from projects.models import (
    BudgetAllocation,
    ChainRole,
    Community,
    Expenditure,
    Milestone,
    ProgressUpdate,
    Project,
    ProjectCategory,
    ResponsiblePerson,
)

# Canary contact details: they must appear on the public side only when marked public.
HIDDEN_PHONE = "13900001111"
HIDDEN_EMAIL = "hidden-lead@example.cn"


def build_project(code: str, lead_unit, *, lat: float = 30.69, lng: float = 103.99, **extra) -> Project:
    """A project with a full chain, milestones, updates, allocations and expenditures."""
    community = Community.objects.select_related("district").get(name="望江社区")
    fields = {
        "title": f"测试项目 {code}",
        "category": ProjectCategory.objects.get(code="elevator"),
        "district": community.district,
        "community": community,
        "latitude": lat,
        "longitude": lng,
        "year": 2026,
        "stage": "construction",
        "percent_complete": 50,
        "planned_start": date(2026, 1, 1),
        "planned_end": date(2026, 12, 31),
        "budget": Decimal("100000.00"),
        "lead_unit": lead_unit,
        "last_progress_at": timezone.now(),
        **extra,
    }
    project = Project.objects.create(code=code, **fields)
    ResponsiblePerson.objects.create(
        project=project, role=ChainRole.LEAD, name="负责人", phone=HIDDEN_PHONE, email=HIDDEN_EMAIL
    )
    ResponsiblePerson.objects.create(project=project, role=ChainRole.SUPERVISOR, name="监督员", department=lead_unit)
    for n in range(3):
        Milestone.objects.create(project=project, title=f"节点{n}", planned_date=date(2026, 3 + n, 1), order=n)
        ProgressUpdate.objects.create(project=project, stage="construction", percent_complete=10 * n, text=f"进展{n}")
        BudgetAllocation.objects.create(project=project, date=date(2026, 2, 1), amount=Decimal("1000"), source="财政")
        Expenditure.objects.create(
            project=project, date=date(2026, 4, 1), amount=Decimal("10.50"), payee="公司", purpose="工程款"
        )
    project.co_organisers.add(lead_unit.__class__.objects.exclude(pk=lead_unit.pk).first())
    return project


@pytest.fixture
def make_projects(lead_department):
    """`make_projects(n)` adds n more complete projects spread over the city centre."""
    made: list[Project] = []

    def make(n: int) -> list[Project]:
        start = len(made)
        for i in range(start, start + n):
            made.append(
                build_project(
                    f"QC-{i:04d}", lead_department, lat=30.61 + (i % 10) * 0.01, lng=103.99 + (i // 10) * 0.01
                )
            )
        return made

    return make


def days_ago(n: int):
    return timezone.now() - timedelta(days=n)
