"""What residents hear from participation: answers, adoptions, vote results, points; and the
implied follow of a supporter."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from civicworks.notifications.models import Delivery, Notification
from participation import services
from participation.models import CoCreation, DesignOption
from projects.models import Follow
from tests import factories

pytestmark = pytest.mark.django_db


def told(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_the_author_hears_the_answer_once(need, official, neighbour):
    services.need_support(need=need, user=neighbour)
    services.need_answer(need=need, by=official, answer="已列入明年计划")
    services.need_answer(need=need, by=official, answer="已列入明年计划（补充）")
    assert told("participation.need_answered") == ["resident"]
    assert "已列入明年计划" in Notification.objects.get(kind="participation.need_answered").body


def test_adoption_is_told_to_the_author_and_supporters_and_supporters_follow(
    need, official, neighbour, residents, project
):
    services.need_support(need=need, user=neighbour)
    services.needs_to_project(needs=[need], project=project, by=official)
    services.needs_to_project(needs=[need], project=project, by=official)
    assert told("participation.need_adopted") == ["neighbour", "resident"]
    # Supporting a need a project answers follows that project (civicworks.events.need_supported).
    services.need_support(need=need, user=residents[0])
    assert Follow.objects.filter(user=residents[0], project=project).exists()
    assert not Follow.objects.filter(user=neighbour).exists()  # supported before the project answered it
    other = factories.need(author=residents[1], title="另一个需求")
    services.need_support(need=other, user=residents[2])
    assert not Follow.objects.filter(user=residents[2]).exists()


def test_voters_hear_the_result_once_and_others_do_not(cocreation, residents):
    options = list(cocreation.options.all())
    for user, option in zip(residents[:3], [options[1], options[1], options[0]], strict=True):
        services.design_vote_cast(cocreation=cocreation, option=option, user=user)
    CoCreation.objects.filter(pk=cocreation.pk).update(
        opens_at=timezone.now() - timedelta(days=8), closes_at=timezone.now() - timedelta(days=1)
    )
    Notification.objects.filter(kind="participation.points").delete()
    services.cocreation_record_winner(cocreation=cocreation)
    services.cocreation_record_winner(cocreation=cocreation)
    assert told("participation.cocreation_result") == ["r0", "r1", "r2"]
    winner = DesignOption.objects.get(pk=options[1].pk)
    assert winner.title in Notification.objects.filter(kind="participation.cocreation_result").first().body


def test_points_are_told_in_the_app_only_by_default(resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.points_award(user=resident, rule="need_supported", source_key="test:1")
        services.points_award(user=resident, rule="need_supported", source_key="test:1")
    assert told("participation.points") == ["resident"]
    assert not Delivery.objects.exists() and mail.outbox == []
