"""Log-in by username or e-mail, lock-out, password reset, change of e-mail address."""

import re

import pytest
from allauth.account.models import EmailAddress
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

from civicworks.accounts.models import Role
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-only"


def path_of(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_staff_sign_in_with_their_username(client, official):
    response = client.post(reverse("account_login"), {"login": "official", "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(official.pk)
    assert client.get("/admin/").status_code == 200


def test_residents_sign_in_with_their_address_in_any_case(client, resident):
    response = client.post(reverse("account_login"), {"login": "Resident@Example.cn", "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(resident.pk)


def test_the_log_in_page_is_labelled_and_in_chinese(client):
    page = client.get(reverse("account_login")).content.decode()
    assert 'for="id_login"' in page and 'for="id_password"' in page
    assert "登录" in page and reverse("account_reset_password") in page and reverse("account_signup") in page


def test_wrong_password_shows_an_error(client, resident):
    response = client.post(reverse("account_login"), {"login": "resident", "password": "wrong"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lock_out_by_e_mail_address_through_the_new_log_in(client, resident):
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": "resident@example.cn", "password": "wrong"}, REMOTE_ADDR="10.0.0.7"
        )
    assert response.status_code == 429
    assert AccessAttempt.objects.filter(username="resident@example.cn", ip_address="10.0.0.7").exists()
    response = client.post(
        reverse("account_login"), {"login": "resident@example.cn", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7"
    )
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_log_out_is_a_post(client, resident):
    client.force_login(resident)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_password_reset_end_to_end(client, resident):
    client.post(reverse("account_reset_password"), {"email": "resident@example.cn"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["resident@example.cn"]
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[0].body).group(0)
    form_page = client.get(path_of(link), follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path_of(link)
    response = client.post(action, {"password1": "Xin-mima-2026!", "password2": "Xin-mima-2026!"})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password("Xin-mima-2026!")


def test_password_reset_mails_per_address_are_limited(client, resident):
    for _ in range(3):
        client.post(reverse("account_reset_password"), {"email": "resident@example.cn"})
    response = client.post(reverse("account_reset_password"), {"email": "resident@example.cn"})
    assert len(mail.outbox) == 3
    assert response.status_code == 429 or "请稍等，您已经提交过多次请求。" in response.content.decode()


def test_changing_the_address_needs_the_new_one_verified(client, resident):
    client.force_login(resident)
    client.post(reverse("account_email"), {"email": "new@example.cn", "action_add": ""})
    new = EmailAddress.objects.get(email="new@example.cn")
    assert not new.verified and len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.cn"]
    resident.refresh_from_db()
    # Until the new address is confirmed the old one stays the account's, and mail goes there.
    assert resident.email == "resident@example.cn" and resident.is_verified
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    client.post(path_of(link))
    resident.refresh_from_db()
    assert resident.email == "new@example.cn"
    assert list(EmailAddress.objects.filter(user=resident).values_list("email", "verified", "primary")) == [
        ("new@example.cn", True, True)
    ]


def test_an_unverified_resident_sees_the_resend_button(client):
    newcomer = factories.user(username="newcomer", role=Role.RESIDENT, verified=False)
    client.force_login(newcomer)
    page = client.get(reverse("account_email")).content.decode()
    assert 'name="action_send"' in page


def test_account_pages_have_no_inline_style(client):
    # The site's Content-Security-Policy blocks inline styles; allauth's e-mail page had one.
    pages = [client.get(reverse(name)) for name in ("account_login", "account_signup", "account_reset_password")]
    client.force_login(factories.user(username="newcomer", role=Role.RESIDENT, verified=False))
    client.post(reverse("account_email"), {"email": "next@example.cn", "action_add": ""})
    pages += [client.get(reverse(name)) for name in ("account_email", "account_change_password", "accounts:phone")]
    for page in pages:
        assert page.status_code == 200 and "<form" in page.content.decode()
        assert " style=" not in page.content.decode()
