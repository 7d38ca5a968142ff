import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from civicworks.accounts.models import Role, User
from participation.models import Need
from projects.models import Community, ProjectCategory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/")


def sign_up(client, email="xiaomei@example.cn", name="张小梅", **headers):
    data = {"display_name": name, "email": email, "password1": "Qiaotou-2026!", "password2": "Qiaotou-2026!"}
    return client.post(reverse("account_signup"), data, **headers)


def need_data() -> dict:
    community = Community.objects.get(name="望江社区")
    return {"category": ProjectCategory.objects.get(code="lighting").pk, "title": "滨河路晚上太黑",
            "text": "路灯坏了一半。", "district": community.district_id, "community": community.pk}  # fmt: skip


def test_sign_up_page_is_in_chinese_with_labelled_fields(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert "注册" in page and 'lang="zh-hans"' in page
    for field in ("id_display_name", "id_email", "id_password1", "id_password2"):
        assert f'id="{field}"' in page and f'for="{field}"' in page


def test_sign_up_verify_by_link_then_propose(client, city):
    response = sign_up(client, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    user = User.objects.get(email="xiaomei@example.cn")
    assert user.display_name == "张小梅" and user.role == Role.RESIDENT and user.language == "en"
    assert not user.is_verified
    # Signed in, but not allowed to propose yet.
    refused = client.post(reverse("participation:need-new"), need_data(), HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and not Need.objects.exists()
    assert "Please confirm your e-mail address" in refused.content.decode()
    assert reverse("account_email") in refused.content.decode()

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["xiaomei@example.cn"]
    link = LINK.search(mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    confirm_page = client.get("/" + path)
    # The link opens a page with a button: a mail scanner fetching it confirms nothing.
    assert confirm_page.status_code == 200 and not EmailAddress.objects.get(user=user).verified
    assert "<form" in confirm_page.content.decode()
    client.post("/" + path)
    assert EmailAddress.objects.get(user=user).verified
    user.refresh_from_db()
    assert user.is_verified

    created = client.post(reverse("participation:need-new"), need_data())
    assert created.status_code == 302 and Need.objects.get().author == user


def test_display_name_is_shown_in_the_header_as_written(client):
    sign_up(client)
    page = client.get("/").content.decode()
    assert "张小梅" in page


def test_sign_up_sets_chinese_by_default(client):
    sign_up(client)
    assert User.objects.get(email="xiaomei@example.cn").language == "zh-hans"


def test_display_name_is_required(client):
    response = client.post(
        reverse("account_signup"),
        {"display_name": "  ", "email": "a@example.cn", "password1": "Qiaotou-2026!", "password2": "Qiaotou-2026!"},
    )
    assert response.status_code == 200 and not User.objects.filter(email="a@example.cn").exists()
    assert 'role="alert"' in response.content.decode() or "errorlist" in response.content.decode()


def test_sign_up_per_address_is_limited_nothing_sent_over_it(client):
    assert sign_up(client, email="new@example.cn").status_code == 302
    client.logout()
    for _ in range(2):  # probing whether the address is taken counts too
        assert "已被其他用户注册" in sign_up(client, email="new@example.cn").content.decode()
    # From another client address, even for a new account after the first was deleted: refused.
    User.objects.filter(email="new@example.cn").delete()
    response = sign_up(client, email="NEW@example.cn", REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 200
    assert "请稍等，您已经提交过多次请求。" in response.content.decode()
    assert not User.objects.filter(email="new@example.cn").exists() and len(mail.outbox) == 1


def test_sign_up_per_client_address_is_limited(client):
    for i in range(5):
        assert sign_up(client, email=f"n{i}@example.cn", REMOTE_ADDR="10.1.1.1").status_code == 302
        client.logout()
    response = sign_up(client, email="n9@example.cn", REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 429
    assert "请稍等，您已经提交过多次请求。" in response.content.decode()
    assert not User.objects.filter(email="n9@example.cn").exists() and len(mail.outbox) == 5


def test_resending_the_verification_mail_is_limited(client):
    sign_up(client)
    assert len(mail.outbox) == 1
    # The sign-up mail counts: a resend at once is held back, and the page says so.
    response = client.post(reverse("account_email"), {"email": "xiaomei@example.cn", "action_send": ""}, follow=True)
    assert len(mail.outbox) == 1
    assert "请稍等，您已经提交过多次请求。" in response.content.decode()
