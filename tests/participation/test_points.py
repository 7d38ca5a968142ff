"""Points: one award per event, a balance that never goes negative, races on one balance."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from civicworks import events
from feedback.services import report_accept, report_submit
from participation import services
from participation.models import PointsBalance, PointsEntry, Redemption, RewardItem

from ..feedback.conftest import INSIDE_WANGJIANG
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


def test_rules_are_configurable(resident, settings, django_capture_on_commit_callbacks):
    settings.PARTICIPATION_POINT_RULES = {"survey_answered": 7, "vote_cast": 0}
    with django_capture_on_commit_callbacks(execute=True):
        events.survey_answered.send(sender=None, user=resident, response_id=3)  # as evaluation announces it
    assert services.points_award(user=resident, rule="vote_cast", source_key="vote:1:1") is None
    assert _balance(resident) == 7


def test_accepted_report_pays_its_author_once(road, official, resident, django_capture_on_commit_callbacks):
    """The real wiring: feedback's accept step (a valid report) pays its author after commit."""
    lat, lng = INSIDE_WANGJIANG
    with django_capture_on_commit_callbacks(execute=True):
        report = report_submit(category=road, text="望江路路灯不亮", latitude=lat, longitude=lng, reporter=resident)
    with django_capture_on_commit_callbacks(execute=True):
        report_accept(report=report, by=official)
    assert _balance(resident) == 10
    entry = PointsEntry.objects.get(user=resident)
    assert (entry.reason, entry.source_key) == ("report_confirmed", f"report-confirmed:{report.pk}")


def test_accepted_suggestion_is_an_adopted_suggestion(road, official, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = report_submit(
            category=road, kind="suggestion", text="建议在望江路增设非机动车道", address="望江路", reporter=resident
        )
    with django_capture_on_commit_callbacks(execute=True):
        report_accept(report=report, by=official)
    assert PointsEntry.objects.get(user=resident).reason == "suggestion_adopted"
    assert _balance(resident) == 20


def test_refused_accept_pays_nothing(road, official, other_official, resident, django_capture_on_commit_callbacks):
    lat, lng = INSIDE_WANGJIANG
    with django_capture_on_commit_callbacks(execute=True):
        report = report_submit(category=road, text="望江路井盖缺失", latitude=lat, longitude=lng, reporter=resident)
    with pytest.raises(PermissionDenied), django_capture_on_commit_callbacks(execute=True):
        report_accept(report=report, by=other_official)
    assert not PointsEntry.objects.exists()


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
