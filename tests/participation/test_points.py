"""Points: one award per event, a balance that never goes negative, races on one balance."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from participation import hooks, services
from participation.models import PointsBalance, PointsEntry, Redemption, RewardItem

from .conftest import postgres_only
from .test_needs import _race


def _balance(user) -> int:
    return PointsBalance.objects.get(user=user).balance


def test_same_event_awards_once(resident):
    first = services.points_award(user=resident, rule="report_confirmed", source_key="report-confirmed:1")
    again = services.points_award(user=resident, rule="report_confirmed", source_key="report-confirmed:1")
    assert first is not None and first.delta == 10 and again is None
    assert _balance(resident) == 10
    assert PointsEntry.objects.filter(user=resident).count() == 1


def test_rules_are_configurable(resident, settings):
    settings.PARTICIPATION_POINT_RULES = {"survey_answered": 7, "vote_cast": 0}
    assert hooks.on_survey_answered(user=resident, response_id=3).delta == 7
    assert services.points_award(user=resident, rule="vote_cast", source_key="vote:1:1") is None
    assert _balance(resident) == 7


def test_hook_for_confirmed_reports_is_idempotent(resident):
    class ConfirmedReport:  # the two fields the hook reads
        pk = 41
        reporter = resident

    hooks.on_report_confirmed(report=ConfirmedReport())
    hooks.on_report_confirmed(report=ConfirmedReport())
    assert _balance(resident) == 10


def test_redemption_lowers_balance_and_stock(resident, reward):
    services.points_award(user=resident, rule="suggestion_adopted", source_key="suggestion-adopted:9")
    redemption = services.points_redeem(user=resident, item=reward)
    reward.refresh_from_db()
    assert (_balance(resident), reward.stock, redemption.cost) == (10, 4, 10)
    assert redemption.entry.delta == -10


def test_not_enough_points_is_refused_and_nothing_changes(resident, reward):
    services.points_award(user=resident, rule="survey_answered", source_key="survey:1")
    with pytest.raises(ValidationError):
        services.points_redeem(user=resident, item=reward)
    reward.refresh_from_db()
    assert _balance(resident) == 5 and reward.stock == 5
    assert not Redemption.objects.exists()


def test_database_refuses_a_negative_balance(resident):
    PointsBalance.objects.create(user=resident, balance=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsBalance.objects.filter(user=resident).update(balance=-1)


def test_redeem_page_refuses_without_points(client, resident, reward):
    client.force_login(resident)
    response = client.post(reverse("participation:points-redeem", args=[reward.pk]), follow=True)
    assert response.status_code == 200
    assert not Redemption.objects.exists()


def test_anonymous_cannot_redeem(client, reward):
    response = client.post(reverse("participation:points-redeem", args=[reward.pk]))
    assert response.status_code == 302
    assert not Redemption.objects.exists()


def test_my_points_page_and_api(client, resident, reward):
    services.points_award(user=resident, rule="suggestion_adopted", source_key="suggestion-adopted:1")
    services.points_redeem(user=resident, item=reward)
    client.force_login(resident)
    page = client.get(reverse("participation:my-points")).content.decode()
    assert reward.name in page and "+20" in page and "-10" in page
    assert client.get(reverse("participation-api-my-points")).json()["balance"] == 10


def test_only_managers_keep_the_catalogue(client, official, manager):
    client.force_login(official)
    client.post(reverse("admin:participation_rewarditem_add"), {"name": "雨伞", "cost": 5, "is_active": "on"})
    assert not RewardItem.objects.exists()
    client.force_login(manager)
    client.post(reverse("admin:participation_rewarditem_add"), {"name": "雨伞", "cost": 5, "is_active": "on"})
    assert RewardItem.objects.filter(name="雨伞").exists()


@pytest.mark.parametrize("n", [5, 50])
def test_my_points_query_count(client, resident, reward, n, django_assert_max_num_queries):
    for i in range(n):
        services.points_award(user=resident, rule="vote_cast", source_key=f"vote:{i}:{resident.pk}")
    client.force_login(resident)
    with django_assert_max_num_queries(7):
        assert client.get(reverse("participation:my-points")).status_code == 200


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_awards_of_one_event_count_once(resident):
    results = _race(
        lambda: services.points_award(user=resident, rule="report_confirmed", source_key="report-confirmed:7"), 8
    )
    assert sum(r is not None for r in results) == 1
    assert _balance(resident) == 10


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_redemptions_and_awards_racing_stay_consistent(resident):
    item = RewardItem.objects.create(name="文创帆布袋", cost=10)
    services.points_award(user=resident, rule="report_confirmed", source_key="report-confirmed:seed")  # 10 points

    def redeem():
        try:
            services.points_redeem(user=resident, item=item)
            return "redeemed"
        except ValidationError:
            return "refused"

    counter = iter(range(100))
    tasks = [redeem] * 6 + [
        lambda: services.points_award(user=resident, rule="vote_cast", source_key=f"vote:race:{next(counter)}")
    ] * 6
    jobs = iter(tasks)
    results = _race(lambda: next(jobs)(), len(tasks))
    redeemed = results.count("redeemed")
    ledger = sum(PointsEntry.objects.filter(user=resident).values_list("delta", flat=True))
    assert _balance(resident) == ledger >= 0
    assert ledger == 10 + 6 * 2 - 10 * redeemed
    assert redeemed == Redemption.objects.count() >= 1
