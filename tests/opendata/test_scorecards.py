import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from evaluation.models import CycleState, ReviewCycle, Scorecard, WeightingScheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def scorecards(rich_project, other_project, hidden_project):
    scheme = WeightingScheme.default()
    now = timezone.now()
    published = ReviewCycle.objects.create(
        year=2026,
        quarter=2,
        scheme=scheme,
        state=CycleState.PUBLISHED,
        computed_at=now,
        closed_at=now,
        published_at=now,
    )
    draft = ReviewCycle.objects.create(year=2026, quarter=3, scheme=scheme, state=CycleState.OPEN, computed_at=now)
    Scorecard.objects.create(
        cycle=published, project=rich_project, total=Decimal("91.50"), grade="excellent", rank_in_category=1
    )
    Scorecard.objects.create(cycle=published, project=other_project, total=Decimal("58.00"), grade="fail")
    Scorecard.objects.create(cycle=published, project=hidden_project, total=Decimal("70.00"), grade="pass")
    Scorecard.objects.create(cycle=draft, project=rich_project, total=Decimal("80.00"), grade="good")
    return published, draft


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_public_scorecards_are_published_cycles_of_public_projects(client, scorecards):
    response = client.get(reverse("opendata:download", args=["scorecards", "csv"]), HTTP_ACCEPT_LANGUAGE="zh-hans")

    rows = rows_of(response)
    assert rows[0][:4] == ["年度", "季度", "项目编号", "项目名称"]
    assert sorted((row[2], row[13]) for row in rows[1:]) == [("MX-2026-001", "91.50"), ("MX-2026-002", "58.00")]


def test_evaluator_exports_every_cycle_with_filters(client, evaluator, scorecards):
    client.force_login(evaluator)

    response = client.get(reverse("opendata-export", args=["scorecards", "xlsx"]) + "?grade=good&grade=excellent")

    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert sorted((row[1], row[2]) for row in rows[1:]) == [(2, "MX-2026-001"), (3, "MX-2026-001")]


def test_official_sees_own_hidden_project_only_when_published(client, official, other_official, scorecards):
    client.force_login(official)
    mine = {row[2] for row in rows_of(client.get(reverse("opendata-export", args=["scorecards", "csv"])))[1:]}
    client.force_login(other_official)
    theirs = {row[2] for row in rows_of(client.get(reverse("opendata-export", args=["scorecards", "csv"])))[1:]}

    assert mine == {"MX-2026-001", "MX-2026-002", "MX-2026-099"}
    assert theirs == {"MX-2026-001", "MX-2026-002"}


def test_open_data_page_lists_scorecards(client, scorecards):
    html = client.get(reverse("opendata:index")).content.decode()
    assert reverse("opendata:download", args=["scorecards", "xlsx"]) in html
