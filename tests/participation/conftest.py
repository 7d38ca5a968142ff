"""The participation world: a need in 望江社区, a pocket-park vote, a reward, a meeting."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from civicworks.accounts.models import Role
from participation.models import CoCreation, DesignOption, Meeting, Need, RewardItem
from projects.models import Community, ProjectCategory
from tests.conftest import make_user

ON_POSTGRES = connection.vendor == "postgresql"
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="row locks and concurrent writers need PostgreSQL")


@pytest.fixture
def neighbour(db):
    return make_user("neighbour", Role.RESIDENT)


@pytest.fixture
def residents(db):
    return [make_user(f"r{i}", Role.RESIDENT) for i in range(6)]


def make_need(author, title="望江小区需要加装电梯", **extra) -> Need:
    community = Community.objects.get(name="望江社区")
    return Need.objects.create(
        author=author,
        category=ProjectCategory.objects.get(code=extra.pop("category", "elevator")),
        title=title,
        text="六层老楼，老人上下楼困难。",
        latitude=30.690,
        longitude=103.990,
        district=community.district,
        community=community,
        **extra,
    )


@pytest.fixture
def need(city, resident) -> Need:
    return make_need(resident)


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
