"""Citizen observers: apply and approval, the record, the honour roll, the quota reminder once a month."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from civicworks.accounts.models import Role, SentNotice
from feedback.demo import seed_categories
from feedback.models import Report, ReportKind, ServiceCategory
from participation import notices
from participation.models import ApplicationStatus, ObserverApplication
from projects.models import Community
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _suggest(user, day: date, count: int) -> None:
    category = ServiceCategory.objects.first()
    when = datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)
    for _i in range(count):
        Report.objects.create(
            kind=ReportKind.SUGGESTION, category=category, text="建议", reporter=user, submitted_at=when
        )


@pytest.fixture
def reports_world(city):
    seed_categories()


def test_resident_applies_and_manager_approves(client, city, resident, manager):
    client.force_login(resident)
    community = Community.objects.get(name="望江社区")
    client.post(reverse("participation:observer-apply"), {"community": community.pk, "motivation": "我每天巡街。"})
    response = client.post(reverse("participation:observer-apply"), {"community": community.pk, "motivation": "再次"})
    assert response.status_code == 400  # a second pending application is refused
    application = ObserverApplication.objects.get()
    client.force_login(manager)
    client.post(reverse("admin:participation_observerapplication_changelist"),
                {"action": "approve", "_selected_action": [application.pk]})  # fmt: skip
    application.refresh_from_db()
    resident.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED and resident.role == Role.OBSERVER


def test_official_cannot_approve(client, city, resident, official):
    application = ObserverApplication.objects.create(
        user=resident, community=Community.objects.first(), motivation="愿意"
    )
    client.force_login(official)
    client.post(reverse("admin:participation_observerapplication_changelist"),
                {"action": "approve", "_selected_action": [application.pk]})  # fmt: skip
    application.refresh_from_db()
    resident.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING and resident.role == Role.RESIDENT


def test_observer_page_shows_the_record(client, reports_world, observer, settings):
    settings.PARTICIPATION_OBSERVER_QUOTA = 2
    today = date.today()
    _suggest(observer, today, 2)
    page = client.get(reverse("participation:observer-page", args=[observer.pk])).content.decode()
    assert 'max="2" value="2"' in page


def test_honour_roll_lists_observers_who_met_the_quota(client, reports_world, observer):
    diligent = factories.user(username="diligent", role=Role.OBSERVER, first_name="勤")
    _suggest(diligent, date(2026, 11, 3), 4)
    _suggest(observer, date(2026, 11, 3), 2)
    _suggest(observer, date(2026, 10, 3), 5)  # another month does not count
    page = client.get(reverse("participation:honour-roll"), {"month": "2026-11"}).content.decode()
    assert "勤" in page and ">observer<" not in page


def test_quota_reminder_once_per_month_and_only_in_the_last_week(reports_world, observer):
    met = factories.user(username="met", role=Role.OBSERVER)
    _suggest(met, date(2026, 11, 2), 3)
    _suggest(observer, date(2026, 11, 2), 1)
    assert notices.remind_observers_under_quota(today=date(2026, 11, 20)) == 0
    assert notices.remind_observers_under_quota(today=date(2026, 11, 25)) == 1
    assert notices.remind_observers_under_quota(today=date(2026, 11, 28)) == 0
    assert [m.to for m in mail.outbox] == [["observer@example.cn"]]
    assert SentNotice.objects.filter(key__startswith="observer-quota:").count() == 1
    # A new month, a new reminder — for both: neither has filed a suggestion in December.
    assert notices.remind_observers_under_quota(today=date(2026, 12, 29)) == 2


@pytest.mark.parametrize("n", [5, 50])
def test_honour_roll_query_count(client, reports_world, n, django_assert_max_num_queries):
    for i in range(n):
        _suggest(factories.user(username=f"o{i}", role=Role.OBSERVER), date(2026, 11, 3), 3)
    with django_assert_max_num_queries(3):
        assert client.get(reverse("participation:honour-roll"), {"month": "2026-11"}).status_code == 200
