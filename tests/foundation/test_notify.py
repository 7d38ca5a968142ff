import pytest
from django.core import mail

from civicworks.notify import notify_once


@pytest.mark.django_db
def test_a_notice_is_sent_once_per_key():
    assert notify_once(key="k:1", subject="s", body="b", recipients=["a@example.cn"])
    assert not notify_once(key="k:1", subject="s", body="b", recipients=["a@example.cn"])
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_no_recipients_sends_nothing_and_claims_nothing():
    assert not notify_once(key="k:2", subject="s", body="b", recipients=["", None])
    assert notify_once(key="k:2", subject="s", body="b", recipients=["a@example.cn"])


def test_links_in_notices_are_absolute(settings):
    from civicworks.notify import site_link

    settings.CIVICWORKS_SITE_URL = "https://minxin.jinchuan.gov.cn"
    assert site_link("/projects/MX-2026-001/") == "https://minxin.jinchuan.gov.cn/projects/MX-2026-001/"
