import re

import pytest
from django.urls import reverse

from civicworks.accounts.models import Role
from tests import factories

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)


@pytest.mark.django_db
def test_five_failed_logins_lock_the_account_for_that_address(client):
    factories.user(username="target", role=Role.RESIDENT)
    login = reverse("account_login")
    for _ in range(5):
        response = client.post(login, {"login": "target", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    # Even the right password is refused while locked...
    response = client.post(login, {"login": "target", "password": "pw-for-tests-only"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # ...but the owner signing in from elsewhere is not locked out by an attacker's address.
    response = client.post(login, {"login": "target", "password": "pw-for-tests-only"}, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 302


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/api/docs/"])
def test_pages_have_no_inline_scripts(client, url):
    html = client.get(url).text
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not re.search(r"\son[a-z]+=\"", html), "inline event handler"
