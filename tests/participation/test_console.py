"""Console smoke: every participation page opens for those who may see it, and not for residents."""

import pytest
from django.urls import reverse

from participation.models import ActionItem

PAGES = [
    "need",
    "observerapplication",
    "cocreation",
    "rewarditem",
    "redemption",
    "pointsentry",
    "meeting",
    "actionitem",
]


@pytest.mark.parametrize("model", PAGES)
def test_city_admin_opens_every_list(client, city_admin, need, cocreation, meeting, reward, model):
    client.force_login(city_admin)
    assert client.get(reverse(f"admin:participation_{model}_changelist")).status_code == 200


def test_change_pages_open(client, city_admin, official, need, cocreation, meeting, other_department):
    item = ActionItem.objects.create(
        meeting=meeting, text="x", owner_department=other_department, due_date="2026-12-01"
    )
    for user in (city_admin, official):
        client.force_login(user)
        for url in (
            reverse("admin:participation_need_change", args=[need.pk]),
            reverse("admin:participation_cocreation_change", args=[cocreation.pk]),
            reverse("admin:participation_meeting_change", args=[meeting.pk]),
            reverse("admin:participation_meeting_add"),
            reverse("admin:participation_actionitem_change", args=[item.pk]),
        ):
            assert client.get(url).status_code == 200, url


def test_other_department_does_not_see_the_cocreation(client, other_official, cocreation):
    client.force_login(other_official)
    url = reverse("admin:participation_cocreation_change", args=[cocreation.pk])
    assert client.get(url).status_code in (302, 403, 404)


def test_residents_pages_open(client, need, cocreation, meeting, resident):
    client.force_login(resident)
    for name in ("need-list", "need-new", "annual-index", "cocreation-list", "honour-roll", "meeting-list",
                 "my-points", "observer-apply", "observer-me"):  # fmt: skip
        response = client.get(reverse(f"participation:{name}"), follow=True)
        assert response.status_code == 200, name
