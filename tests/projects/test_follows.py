"""Following projects and communities, and what followers hear from the projects app."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civicworks.accounts.models import Role, User
from civicworks.accounts.mydata import account_export
from civicworks.notifications.models import Delivery, Notification
from projects import services, tasks
from projects.models import Follow, Milestone, Project
from tests import factories

pytestmark = pytest.mark.django_db


def told(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


# --- The model and the services ---------------------------------------------------------------


def test_a_follow_has_exactly_one_target(resident, project):
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=resident, project=project, community=project.community)
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=resident)


def test_follow_is_once_and_unfollow_removes_it(resident, project):
    assert services.follow(user=resident, project=project) is True
    assert services.follow(user=resident, project=project) is False
    assert services.follow(user=resident, community=project.community) is True
    assert Follow.objects.filter(user=resident).count() == 2
    assert services.unfollow(user=resident, project=project) is True
    assert services.unfollow(user=resident, project=project) is False
    assert list(Follow.objects.filter(user=resident).values_list("community_id", flat=True)) == [project.community_id]


# --- The button -------------------------------------------------------------------------------


def test_anonymous_visitors_are_asked_to_sign_in(client, project):
    page = client.get(project.get_absolute_url()).content.decode()
    assert reverse("account_login") + "?next=" in page and "0 " in page
    response = client.post(reverse("projects:follow", args=[project.code]), {"action": "follow"})
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not Follow.objects.exists()


def test_signed_in_resident_follows_and_unfollows_with_the_button(client, resident, project):
    client.force_login(resident)
    url = reverse("projects:follow", args=[project.code])
    response = client.post(url, {"action": "follow", "next": project.get_absolute_url()})
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert Follow.objects.filter(user=resident, project=project).exists()
    page = client.get(project.get_absolute_url()).content.decode()
    assert 'value="unfollow"' in page and 'aria-pressed="true"' in page
    other = factories.user(username="neighbour", role=Role.RESIDENT)
    services.follow(user=other, project=project)
    client.force_login(other)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "2 " in page.split('follow-count">')[1][:20]
    client.force_login(resident)
    client.post(url, {"action": "unfollow"})
    assert not Follow.objects.filter(user=resident, project=project).exists()


def test_the_button_needs_the_csrf_token(resident, project):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    response = client.post(reverse("projects:follow", args=[project.code]), {"action": "follow"})
    assert response.status_code == 403
    assert not Follow.objects.exists()


def test_bad_action_and_hidden_project_change_nothing(client, resident, project):
    client.force_login(resident)
    response = client.post(reverse("projects:follow", args=[project.code]), {"action": "explode"}, follow=True)
    assert not Follow.objects.exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    Project.objects.filter(pk=project.pk).update(is_public=False)
    assert client.post(reverse("projects:follow", args=[project.code]), {"action": "follow"}).status_code == 404
    assert not Follow.objects.exists()


def test_community_button_and_the_list_of_things_i_follow(client, resident, project):
    client.force_login(resident)
    client.post(reverse("projects:community-follow", args=[project.community_id]), {"action": "follow"})
    client.post(reverse("projects:follow", args=[project.code]), {"action": "follow"})
    page = client.get(reverse("projects:following")).content.decode()
    assert project.title in page and project.community.name in page
    data = account_export(resident)["projects"]["follows"]
    assert {row["project__code"] for row in data} == {project.code, None}


def test_next_must_stay_on_the_site(client, resident, project):
    client.force_login(resident)
    response = client.post(
        reverse("projects:follow", args=[project.code]), {"action": "follow", "next": "https://evil.example/"}
    )
    assert response["Location"] == project.get_absolute_url()


# --- What followers hear ------------------------------------------------------------------------


@pytest.fixture
def followers(project, resident, other_project):
    """`resident` follows the project; `neighbour` its community; `stranger` another project."""
    neighbour, stranger = (
        factories.user(username="neighbour", role=Role.RESIDENT),
        factories.user(username="stranger", role=Role.RESIDENT),
    )
    services.follow(user=resident, project=project)
    services.follow(user=neighbour, community=project.community)
    services.follow(user=stranger, project=other_project)
    return resident, neighbour, stranger


def test_progress_update_is_told_to_followers_of_the_project_and_its_community(
    followers, project, official, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        update = services.progress_record(
            project=project, by=official, stage="construction", percent=60, text="主体封顶"
        )
    assert told("project.progress") == ["neighbour", "resident"]
    note = Notification.objects.get(user=followers[0])
    assert note.key == f"project.progress:{update.pk}" and "主体封顶" in note.body and "60%" in note.body
    assert note.link == project.get_absolute_url()
    assert sorted(m.to[0] for m in mail.outbox) == ["neighbour@example.cn", "resident@example.cn"]


def test_a_follower_of_both_hears_once(followers, project, official):
    services.follow(user=followers[0], community=project.community)
    services.progress_record(project=project, by=official, stage="construction", percent=60, text="x")
    assert told("project.progress") == ["neighbour", "resident"]


def test_milestone_done_is_told_once(followers, project, official):
    milestone = Milestone.objects.create(project=project, title="开工", planned_date=timezone.localdate())
    services.milestone_complete(milestone=milestone, by=official)
    services.milestone_complete(milestone=milestone, by=official)
    assert told("project.milestone_done") == ["neighbour", "resident"]
    assert "开工" in Notification.objects.filter(kind="project.milestone_done").first().subject


def test_milestone_overdue_is_told_once_per_milestone(followers, project):
    today = timezone.localdate()
    late = Milestone.objects.create(project=project, title="验收", planned_date=today - timedelta(days=3))
    Milestone.objects.create(project=project, title="设计", planned_date=today + timedelta(days=3))  # due, not late
    for _ in range(2):
        tasks.remind_milestones.delay()
    Milestone.objects.filter(pk=late.pk).update(planned_date=today - timedelta(days=1))  # moved: still once
    tasks.remind_milestones.delay()
    assert told("project.milestone_overdue") == ["neighbour", "resident"]


def test_nothing_is_told_about_a_project_that_is_not_public(followers, project, official):
    Project.objects.filter(pk=project.pk).update(is_public=False)
    project.refresh_from_db()
    services.progress_record(project=project, by=official, stage="construction", percent=60, text="x")
    assert not Notification.objects.exists()


def test_many_followers_cost_a_fixed_number_of_queries(project, official, django_assert_max_num_queries):
    def add(n, start):
        for i in range(start, start + n):
            services.follow(user=factories.user(username=f"f{i}", role=Role.RESIDENT), project=project)

    add(3, 0)
    with CaptureQueriesContext(connection) as few:
        services.progress_record(project=project, by=official, stage="construction", percent=50, text="a")
    add(60, 3)
    with CaptureQueriesContext(connection) as many:
        services.progress_record(project=project, by=official, stage="construction", percent=60, text="b")
    assert len(many) == len(few)
    assert Notification.objects.filter(kind="project.progress").count() == 3 + 63
    assert Delivery.objects.count() == 3 + 63


# --- Implied follows ------------------------------------------------------------------------------


def test_a_signed_in_reporter_about_a_project_follows_it(resident, project, road):
    from feedback.services import report_submit

    report_submit(category=road, text="电梯井旁的路面塌了", project=project, reporter=resident, address="望江路1号")
    assert Follow.objects.filter(user=resident, project=project).exists()
    report_submit(category=road, text="又塌了一块路面", project=project, reporter=resident, address="望江路1号")
    assert Follow.objects.filter(user=resident).count() == 1
    report_submit(category=road, text="匿名反映路面塌陷", project=project, address="望江路1号")
    assert Follow.objects.count() == 1


def test_the_demo_gives_residents_follows_and_some_unread_notifications(db):
    from io import StringIO

    from django.core.management import call_command

    args = ["seed_demo", "--quiet-logins", "--projects", "6", "--reports", "10", "--responses", "10"]
    call_command(*args, stdout=StringIO())
    resident = User.objects.get(username="resident")
    assert Follow.objects.filter(user=resident).count() == 3
    notes = Notification.objects.filter(user=resident, kind="project.progress")
    assert notes.exists() and notes.filter(read_at=None).exists()
    before = (Follow.objects.count(), Notification.objects.count())
    call_command(*args, stdout=StringIO())
    assert (Follow.objects.count(), Notification.objects.count()) == before
