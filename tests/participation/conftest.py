"""The participation world: a need in 望江社区, a pocket-park vote, a reward, a meeting."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from civicworks.accounts.models import Role
from participation.models import CoCreation, DesignOption, Meeting, Need, RewardItem
from tests import factories

ON_POSTGRES = connection.vendor == "postgresql"
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="row locks and concurrent writers need PostgreSQL")


@pytest.fixture
def neighbour(db):
    return factories.user(username="neighbour", role=Role.RESIDENT)


@pytest.fixture
def residents(db):
    return [factories.user(username=f"r{i}", role=Role.RESIDENT) for i in range(6)]


@pytest.fixture
def need(city, resident) -> Need:
    return factories.need(author=resident)


@pytest.fixture
def cocreation(project) -> CoCreation:
    now = timezone.now()
    vote = CoCreation.objects.create(
        project=project,
        question="口袋公园选哪个方案？",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=6),
    )
    for order, (title, cost) in enumerate([("林荫休憩", "280000"), ("儿童乐园", "320000"), ("共享菜园", "150000")]):
        DesignOption.objects.create(
            cocreation=vote, title=title, text=f"{title}方案说明", estimated_cost=Decimal(cost), order=order
        )
    return vote


@pytest.fixture
def reward(db) -> RewardItem:
    return RewardItem.objects.create(name="社区超市代金券", cost=10, stock=5)


@pytest.fixture
def meeting(lead_department, other_department, project) -> Meeting:
    meeting = Meeting.objects.create(title="十一月联席会议", date=date(2026, 11, 5), chair_department=lead_department)
    meeting.attending.add(other_department)
    return meeting
