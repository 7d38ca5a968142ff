"""The residents' notification pages: the list, opening one, mark all read, the header's count,
preferences, unsubscribing; and the console's delivery log, masked."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civicworks.notifications import services
from civicworks.notifications.models import Delivery, Notification, Preference
from tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")


def told(user, n: int, start: int = 0, **extra) -> list[Notification]:
    return [
        Notification.objects.create(
            user=user,
            kind="report.answered",
            key=f"k:{user.pk}:{i}",
            subject=f"通知{i:03d}",
            body="正文",
            link="/reports/",
            **extra,
        )  # fmt: skip
        for i in range(start, start + n)
    ]


def test_the_list_is_the_owners_newest_first_in_pages_of_constant_queries(
    client, resident, observer, django_assert_max_num_queries
):
    told(resident, 25)
    told(observer, 3)
    client.force_login(resident)
    with CaptureQueriesContext(connection) as few:
        page = client.get(LIST).content.decode()
    subjects = re.findall(r"通知\d{3}", page)
    assert subjects == [f"通知{i:03d}" for i in range(24, 4, -1)]  # 20 a page, the newest first
    assert page.count('class="notification unread"') == 20
    told(resident, 40, start=100)
    with django_assert_max_num_queries(len(few)):  # three times the rows, the same queries
        assert client.get(LIST, {"page": 2}).status_code == 200
    assert "通知000" in client.get(LIST, {"page": 4}).content.decode()


def test_opening_marks_read_and_follows_the_link_only_for_the_owner(client, resident, observer):
    (mine,) = told(resident, 1)
    (theirs,) = told(observer, 1)
    client.force_login(resident)
    assert client.get(reverse("notifications:open", args=[mine.pk])).status_code == 405
    response = client.post(reverse("notifications:open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/reports/"
    assert client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_mark_all_read_touches_only_the_owners(client, resident, observer):
    told(resident, 3)
    told(observer, 2)
    client.force_login(resident)
    assert client.post(reverse("notifications:read-all")).status_code == 302
    assert not Notification.objects.filter(user=resident, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=observer, read_at__isnull=True).count() == 2


def notification_queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200
    return [q["sql"] for q in queries if "notifications_notification" in q["sql"]]


def test_the_header_counts_unread_in_one_query_and_none_for_visitors(client, resident):
    told(resident, 3)
    Notification.objects.filter(subject="通知000").update(read_at=timezone.now())
    assert notification_queries(client, reverse("feedback:track-lookup")) == []
    client.force_login(resident)
    (count,) = notification_queries(client, reverse("feedback:track-lookup"))
    assert "COUNT" in count.upper()
    page = client.get(reverse("feedback:track-lookup")).content.decode()
    assert re.search(r'class="badge">2 ', page)


def test_preferences_offer_sms_only_with_a_verified_phone_and_are_stored(client, resident):
    client.force_login(resident)
    page = client.get(reverse("notifications:settings")).content.decode()
    assert 'value="report.answered:email" id="pref-report.answered-email" checked' in page
    assert ":sms" not in page
    client.post(reverse("notifications:settings"), {"on": ["report.accepted:email", "report.answered:sms"]})
    stored = set(Preference.objects.filter(user=resident).values_list("kind", "channel", "enabled"))
    assert ("report.accepted", "email", True) in stored and ("report.answered", "email", False) in stored
    assert not any(channel == "sms" for _kind, channel, _on in stored)  # not offered: not stored

    resident.phone, resident.phone_verified_at = "+8613800000001", timezone.now()
    resident.save()
    assert 'value="report.answered:sms"' in client.get(reverse("notifications:settings")).content.decode()
    client.post(reverse("notifications:settings"), {"on": ["report.answered:sms"]})
    assert Preference.objects.get(user=resident, kind="report.answered", channel="sms").enabled


def test_the_unsubscribe_page_names_the_kind(client, resident):
    (notification,) = told(resident, 1)
    url = reverse("notifications:unsubscribe", args=[services.unsubscribe_token(notification)])
    page = client.get(url).content.decode()
    assert "我的诉求已答复" in page
    assert not Preference.objects.exists()  # the GET asks; it changes nothing
    assert client.get(reverse("notifications:unsubscribe", args=["forged"])).status_code == 400


def test_the_console_shows_deliveries_masked_and_never_the_text_or_link(client, resident, official):
    admin = factories.user(username="cityadmin", role="city_admin")
    notification = Notification.objects.create(
        email="wang@example.cn",
        kind="report.answered",
        key="k",
        subject="S",
        body="秘密正文",
        link="/track/ABCDEFGH12345/",
    )
    delivery = Delivery.objects.create(
        notification=notification, channel="email", address="wang@example.cn", attempts=2,
        last_error="SMTPRecipientsRefused: {'wang@example.cn': (550, b'no')}",
    )  # fmt: skip
    sms = Delivery.objects.create(notification=notification, channel="sms", address="+8613800000001")
    client.force_login(admin)
    for url in (
        reverse("admin:notifications_delivery_changelist"),
        reverse("admin:notifications_delivery_change", args=[delivery.pk]),
        reverse("admin:notifications_delivery_change", args=[sms.pk]),
    ):
        page = client.get(url).content.decode()
        assert "wang@example.cn" not in page and "13800000001" not in page
        assert "ABCDEFGH12345" not in page and "秘密正文" not in page
    listed = client.get(reverse("admin:notifications_delivery_changelist")).content.decode()
    assert "w***@example.cn" in listed and "+86138****0001" in listed
    for role in (resident, official):
        client.force_login(role)
        assert client.get(reverse("admin:notifications_delivery_changelist")).status_code in (302, 403)
