"""The notifications core: once per event and recipient, channels by choice, unsubscribe, retries."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.utils import timezone

from civicworks import sms
from civicworks.accounts.models import User
from civicworks.notifications import kinds, services
from civicworks.notifications.models import Delivery, DeliveryStatus, Notification

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent
TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [HERE / "templates", *settings.TEMPLATES[0]["DIRS"]]}]
KIND = kinds.register(kinds.Kind(key="test.hello", label="Hello", email=True, sms=True))


@pytest.fixture(autouse=True)
def _templates(settings):
    settings.TEMPLATES = TEMPLATES
    settings.CIVICWORKS_SMS_BACKEND = "civicworks.sms.MemoryBackend"
    sms.outbox.clear()


def resident(name="wang", *, verified=True, **extra) -> User:
    """A resident whose address is confirmed (unless `verified=False`): mail goes only to such."""
    user = User.objects.create_user(name, email=f"{name}@example.cn", password="x", **extra)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    return user


def tell(to, key="report:1:answered", **context):
    return services.notify(
        kind="test.hello",
        key=key,
        to=to,
        context={"reference": "R-1", "answer": "修好了", **context},
        link="/track/R-1/",
    )


def test_each_event_is_told_once_per_recipient(django_capture_on_commit_callbacks):
    wang = resident()
    with django_capture_on_commit_callbacks(execute=True):
        assert tell([wang, wang]) == 1
        assert tell([wang]) == 0  # the same event again: a repeated signal or a retried task
    assert Notification.objects.filter(user=wang).count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["wang@example.cn"]
    assert "修好了" in message.body and settings.CIVICWORKS_SITE_URL + "/track/R-1/" in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<" + settings.CIVICWORKS_SITE_URL + "/notifications/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in message.body


def test_mail_goes_only_to_a_verified_address(django_capture_on_commit_callbacks):
    confirmed, newcomer = resident("li"), resident("newcomer", verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert tell([confirmed, newcomer]) == 2
    # The newcomer still has it in the in-app list, but no mail went to an unconfirmed address.
    assert Notification.objects.filter(user=newcomer).exists()
    assert [m.to for m in mail.outbox] == [["li@example.cn"]]
    assert not Delivery.objects.filter(address="newcomer@example.cn").exists()


def test_recipients_addresses_are_looked_up_together(django_assert_num_queries):
    from civicworks.accounts.selectors import verified_emails

    people = [resident(f"r{i}") for i in range(5)] + [resident("late", verified=False)]
    with django_assert_num_queries(1):
        found = verified_emails(people)
    assert found == {p.pk: p.email for p in people[:5]}


def test_text_is_written_in_each_recipients_language(django_capture_on_commit_callbacks):
    zh, en = resident("li"), resident("smith", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        tell([zh, en])
    assert Notification.objects.get(user=zh).body.endswith("(zh-hans)")
    assert Notification.objects.get(user=en).body.endswith("(en)")


def test_sms_goes_only_to_a_verified_number_and_choices_are_kept(django_capture_on_commit_callbacks):
    unverified = resident("zhao", phone="+8613800000001")
    verified = resident("qian", phone="+8613800000002", phone_verified_at=timezone.now())
    quiet = resident("sun", phone="+8613800000003", phone_verified_at=timezone.now())
    services.preference_set(user=quiet, kind="test.hello", channel=kinds.Channel.SMS, enabled=False)
    services.preference_set(user=quiet, kind="test.hello", channel=kinds.Channel.EMAIL, enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert tell([unverified, verified, quiet]) == 3
    assert [m.to for m in sms.outbox] == ["+8613800000002"]
    assert sorted(m.to[0] for m in mail.outbox) == ["qian@example.cn", "zhao@example.cn"]
    # The in-app list has it for everyone, whatever the channels.
    assert Notification.objects.filter(user=quiet).exists()


def test_an_address_without_an_account_can_unsubscribe_in_one_click(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tell(["Reporter@Example.cn"])
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>").removeprefix(settings.CIVICWORKS_SITE_URL)
    assert client.get(link).status_code == 200  # a link scanner's GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        tell(["reporter@example.cn"], key="report:1:closed")
    assert len(mail.outbox) == 2
    response = client.post(link, {"List-Unsubscribe": "One-Click"})  # RFC 8058, no CSRF token
    assert response.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert tell(["reporter@example.cn"], key="report:1:reopened") == 0
    assert len(mail.outbox) == 2


def test_a_forged_unsubscribe_link_changes_nothing(client):
    response = client.post("/notifications/unsubscribe/not-a-token/")
    assert response.status_code == 400
    assert not services.EmailOptOut.objects.exists()


def test_a_refused_send_is_kept_and_sent_by_the_sweep(settings, django_capture_on_commit_callbacks):
    wang = resident()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1  # nothing listens
    with django_capture_on_commit_callbacks(execute=True):
        tell([wang])
    row = Delivery.objects.get()
    assert (row.status, row.attempts, row.sent_at) == (DeliveryStatus.PENDING, 1, None)
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.sweep(now=timezone.now()) == 0  # not due yet: the backoff holds it
    assert services.sweep(now=row.next_attempt_at) == 1
    assert services.sweep(now=row.next_attempt_at) == 0
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT and row.attempts == 2


class Gateway(BaseHTTPRequestHandler):
    received: list = []
    answer = 200

    def do_POST(self):  # noqa: N802 — http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Gateway.received.append((self.headers["Authorization"], json.loads(body)))
        self.send_response(Gateway.answer)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Gateway.received, Gateway.answer = [], 200
    settings.CIVICWORKS_SMS_BACKEND = "civicworks.sms.HttpBackend"
    settings.CIVICWORKS_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.CIVICWORKS_SMS_GATEWAY_TOKEN = "s3cret"
    yield Gateway
    server.shutdown()


def test_the_http_sms_gateway_gets_the_message_and_a_refusal_is_retried(gateway, django_capture_on_commit_callbacks):
    holder = resident("zhou", phone="+8613800000009", phone_verified_at=timezone.now())
    services.preference_set(user=holder, kind="test.hello", channel=kinds.Channel.EMAIL, enabled=False)
    gateway.answer = 503
    with django_capture_on_commit_callbacks(execute=True):
        tell([holder])
    row = Delivery.objects.get(channel="sms")
    assert row.status == DeliveryStatus.PENDING and "503" in row.last_error
    gateway.answer = 200
    assert services.sweep(now=row.next_attempt_at) == 1
    authorization, payload = gateway.received[-1]
    assert authorization == "Bearer s3cret"
    assert payload["to"] == "+8613800000009" and "R-1" in payload["text"]
    assert payload["text"].endswith("/track/R-1/")


def test_unread_count_and_mark_read(django_capture_on_commit_callbacks):
    wang = resident()
    tell([wang], key="a")
    tell([wang], key="b")
    assert services.unread_count(wang) == 2
    first = Notification.objects.filter(user=wang).last()
    assert services.mark_read(user=wang, ids=[first.pk]) == 1
    assert services.unread_count(wang) == 1
    other = resident("li")
    assert services.mark_read(user=other, ids=[first.pk]) == 0  # not theirs
