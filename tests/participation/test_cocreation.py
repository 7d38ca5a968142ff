"""Co-creation: one vote per account (also racing), live results, the winner and the tie rule."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from participation import services
from participation.models import CoCreation, DesignVote, PointsEntry
from participation.tasks import record_cocreation_winners

from .conftest import postgres_only
from .test_needs import _race


def _options(cocreation):
    return list(cocreation.options.order_by("order"))


def test_one_vote_per_account(client, cocreation, resident, django_capture_on_commit_callbacks):
    first, second = _options(cocreation)[:2]
    client.force_login(resident)
    url = reverse("participation:cocreation-vote", args=[cocreation.project.code])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"option": first.pk})
        client.post(url, {"option": second.pk})
    vote = DesignVote.objects.get(user=resident)
    assert vote.option == first
    assert PointsEntry.objects.filter(user=resident, reason="vote_cast").count() == 1


def test_anonymous_vote_is_refused(client, cocreation):
    url = reverse("participation:cocreation-vote", args=[cocreation.project.code])
    response = client.post(url, {"option": _options(cocreation)[0].pk})
    assert response.status_code == 302
    assert not DesignVote.objects.exists()


def test_option_of_another_vote_is_refused(client, cocreation, other_project, resident):
    now = timezone.now()
    other = CoCreation.objects.create(
        project=other_project, question="?", opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1)
    )
    foreign = other.options.create(title="x", text="x", estimated_cost=1)
    client.force_login(resident)
    response = client.post(reverse("participation-api-vote", args=[cocreation.project.code]), {"option": foreign.pk})
    assert response.status_code == 400
    assert not DesignVote.objects.exists()


def test_closed_vote_is_refused(client, cocreation, resident):
    CoCreation.objects.filter(pk=cocreation.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    client.force_login(resident)
    url = reverse("participation-api-vote", args=[cocreation.project.code])
    response = client.post(url, {"option": _options(cocreation)[0].pk})
    assert response.status_code == 400
    assert not DesignVote.objects.exists()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_of_one_account_count_once(cocreation, resident):
    options = _options(cocreation)
    results = _race(lambda: services.design_vote_cast(cocreation=cocreation, option=options[0], user=resident), 8)
    assert sorted(results) == [False] * 7 + [True]
    assert DesignVote.objects.filter(cocreation=cocreation, user=resident).count() == 1


def test_results_json_and_page_show_counts(client, cocreation, residents):
    first, second, _third = _options(cocreation)
    for resident in residents[:3]:
        services.design_vote_cast(cocreation=cocreation, option=second, user=resident)
    services.design_vote_cast(cocreation=cocreation, option=first, user=residents[3])
    data = client.get(reverse("participation:cocreation-results", args=[cocreation.project.code])).json()
    assert data["total"] == 4 and data["open"] is True
    assert [o["votes"] for o in data["options"]] == [1, 3, 0]
    page = client.get(cocreation.get_absolute_url()).content.decode()
    assert 'value="75"' in page  # the <progress> bar of the leading option, server-rendered


def test_winner_recorded_when_the_period_ends_ties_go_to_the_earliest(cocreation, residents):
    first, second, _third = _options(cocreation)
    services.design_vote_cast(cocreation=cocreation, option=second, user=residents[0])
    services.design_vote_cast(cocreation=cocreation, option=first, user=residents[1])
    assert record_cocreation_winners.delay().get() == 0  # still open: nothing recorded
    CoCreation.objects.filter(pk=cocreation.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert record_cocreation_winners.delay().get() == 1
    cocreation.refresh_from_db()
    assert cocreation.winner == first  # 1–1: the earliest option wins
    assert record_cocreation_winners.delay().get() == 0  # recorded once


def test_winner_recorded_on_read(client, cocreation, residents):
    _first, second, _third = _options(cocreation)
    services.design_vote_cast(cocreation=cocreation, option=second, user=residents[0])
    CoCreation.objects.filter(pk=cocreation.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    page = client.get(cocreation.get_absolute_url()).content.decode()
    cocreation.refresh_from_db()
    assert cocreation.winner == second and second.title in page


@pytest.mark.parametrize("n", [5, 50])
def test_cocreation_page_query_count(client, cocreation, n, django_assert_max_num_queries):
    for i in range(n):
        cocreation.options.create(title=f"方案{i}", text="x", estimated_cost=1000, order=10 + i)
    with django_assert_max_num_queries(5):
        assert client.get(cocreation.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(3):
        assert (
            client.get(reverse("participation:cocreation-results", args=[cocreation.project.code])).status_code == 200
        )


def test_project_page_box_shows_the_vote_and_then_the_winner(cocreation, residents):
    from django.template import Context, Template

    box = Template("{% load participation %}{% project_cocreation project %}")
    html = box.render(Context({"project": cocreation.project}))
    assert cocreation.get_absolute_url() in html
    second = _options(cocreation)[1]
    services.design_vote_cast(cocreation=cocreation, option=second, user=residents[0])
    CoCreation.objects.filter(pk=cocreation.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    services.cocreation_record_winner(cocreation=cocreation)
    assert second.title in box.render(Context({"project": cocreation.project}))
