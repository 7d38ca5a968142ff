"""A small demo-like city for the open-data tests, on top of tests/conftest.py."""

import json
import os
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from projects.models import (
    Project,
    ProjectCategory,
    Stage,
)
from tests import factories
from tests.needs import missing

ROOT = Path(__file__).resolve().parents[2]

# A 1x1 PNG: the progress photo of a test update (a decodable one: progress photos are re-encoded).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000"
    "907753de0000000c49444154789c63a8a8a8000002d40169de4b31fb0000000049454e44ae426082"
)


def oc4ids_schema_dir() -> Path:
    """The OC4IDS schema folder (not part of the product): skipped without it, an error in CI."""
    folder = Path(os.environ.get("CIVICWORKS_OC4IDS_SCHEMA_DIR", ROOT.parent / "shared" / "data" / "oc4ids"))
    if not (folder / "project-package-schema.json").exists():
        missing(
            f"OC4IDS schema (project-package-schema.json) in {folder}",
            "download the OC4IDS 0.9 schema files and set CIVICWORKS_OC4IDS_SCHEMA_DIR to their folder",
        )
    return folder


def format_checker() -> FormatChecker:
    """jsonschema checks date-time and uri only with optional packages; these two are enough here."""
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def is_datetime(value) -> bool:
        if not isinstance(value, str):
            return True
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return "T" in value and parsed.tzinfo is not None

    @checker.checks("uri")
    def is_uri(value) -> bool:
        return not isinstance(value, str) or bool(urlsplit(value).scheme and urlsplit(value).netloc)

    return checker


@pytest.fixture(scope="session")
def oc4ids_validator() -> Draft4Validator:
    """Draft 4 validator of the package schema; the project schema's URL resolves to the local copy."""
    folder = oc4ids_schema_dir()
    package = json.loads((folder / "project-package-schema.json").read_text(encoding="utf-8"))
    project = json.loads((folder / "project-schema.json").read_text(encoding="utf-8"))
    registry = Registry().with_resource(project["id"], Resource.from_contents(project, default_specification=DRAFT4))
    return Draft4Validator(package, registry=registry, format_checker=format_checker())


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def add_money_and_progress(project: Project, *, payee: str = "锦川建工集团有限公司") -> None:
    factories.milestone(project=project, title="开工", actual_date=date(2026, 3, 3))
    factories.milestone(project=project, title="主体完工", planned_date=date(2026, 9, 30), order=2)
    factories.allocation(project=project)
    factories.expenditure(project=project, payee=payee, date=date(2026, 4, 15), voucher_number="JC-2026-0415")


@pytest.fixture
def rich_project(project, other_department, media_root):
    """MX-2026-001 with a co-organiser, milestones, money, a progress update with a photo and a voucher."""
    project.co_organisers.add(other_department)
    project.description = "为望江社区 6 栋老旧住宅加装电梯。"
    project.funding_sources = "市级财政、居民自筹"
    project.save()
    add_money_and_progress(project)
    factories.progress_update(
        project=project, text="电梯井道施工完成", photo=SimpleUploadedFile("shaft.png", PNG, content_type="image/png")
    )
    factories.expenditure(
        project=project,
        date=date(2026, 5, 20),
        amount=Decimal("50000.50"),
        payee='=HYPERLINK("http://evil.example","点我")',
        purpose="+监理费",
        attachment=SimpleUploadedFile("voucher.pdf", b"%PDF-1.4\n", content_type="application/pdf"),
    )
    return project


def make_project(code: str, *, department, category: str = "road", stage: str = "construction", **extra) -> Project:
    """A project of 柳荫社区 in the open-data tests' city."""
    fields = {"title": f"柳荫社区项目 {code}", "latitude": 30.68, "longitude": 104.01, "budget": Decimal("500000.00"),
              "planned_start": date(2026, 1, 10), "planned_end": date(2026, 12, 20), **extra}  # fmt: skip
    return factories.project(
        lead_unit=department, code=code, community="柳荫社区", category=category, stage=stage, **fields
    )


@pytest.fixture
def completed_project(lead_department):
    """A finished park with an outline polygon, completion date and spending."""
    project = make_project(
        "MX-2025-031",
        department=lead_department,
        category="pocket-park",
        stage="completed",
        year=2025,
        percent_complete=100,
        planned_start=date(2025, 3, 1),
        planned_end=date(2025, 9, 30),
        actual_completion=date(2025, 9, 20),
        geometry={
            "type": "Feature",
            "properties": {},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[104.0, 30.67], [104.01, 30.67], [104.01, 30.68], [104.0, 30.67]]],
            },
        },
    )
    add_money_and_progress(project, payee="锦川园林工程有限公司")
    return project


@pytest.fixture
def hidden_project(lead_department):
    """Not public: only the lead department and the city see it."""
    return make_project("MX-2026-099", department=lead_department, is_public=False, title="未公开的内部项目")


@pytest.fixture
def demo_like_city(rich_project, other_project, completed_project, hidden_project):
    """Every stage and category at least once, like the demo city."""
    categories = list(ProjectCategory.objects.order_by("code"))
    for index, stage in enumerate(Stage.values):
        make_project(
            f"MX-2026-{200 + index}",
            department=rich_project.lead_unit,
            category=categories[index % len(categories)].code,
            stage=stage,
            actual_completion=date(2026, 6, 1) if stage == "completed" else None,
            percent_complete=100 if stage == "completed" else 0,
            last_progress_at=timezone.now() - timedelta(days=index),
        )
    return Project.objects.all()
