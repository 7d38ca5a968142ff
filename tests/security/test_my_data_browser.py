"""My data in a real browser: reached from the menu, accessible (axe), the deletion refused then done."""

import pytest

from civicworks.accounts.models import User
from tests.e2e.conftest import (  # noqa: F401 — fixtures
    axe_violations,
    browser_type_launch_args,
    collect_errors,
    open_menu,
    phone,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_my_data_from_the_menu_accessible_and_deletion(phone, resident):  # noqa: F811
    page = phone.new_page()
    errors = collect_errors(page)
    page.goto("/accounts/login/")
    page.fill("#id_login", "resident")
    page.fill("#id_password", "pw-for-tests-only")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto("/")
    open_menu(page)  # on a phone the menu folds behind a button
    with page.expect_navigation():
        page.get_by_role("link", name="我的数据").click()
    assert page.locator("h1").inner_text() == "我的数据"
    assert axe_violations(page) == []

    page.fill("#id_password", "wrong password")
    with page.expect_navigation():
        page.get_by_role("button", name="注销我的账号").click()
    assert "密码不正确" in page.get_by_role("alert").inner_text()
    assert page.locator("#id_password").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []
    assert User.objects.get(pk=resident.pk).is_active

    page.fill("#id_password", "pw-for-tests-only")
    with page.expect_navigation():
        page.get_by_role("button", name="注销我的账号").click()
    assert "已删除" in page.locator(".messages").inner_text()
    assert not User.objects.get(pk=resident.pk).is_active
    # The refused password answers 400 (the browser logs it); nothing else may fail.
    assert [e for e in errors if "status of 400" not in e] == []
