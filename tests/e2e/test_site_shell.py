import pytest

from .conftest import axe_violations, collect_errors, open_menu

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_in_chinese_then_english_with_the_switch(phone):
    page = phone.new_page()
    errors = collect_errors(page)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").first.inner_text() == "民心工程"
    # The switch submits on change (site.js); no button press needed with JavaScript.
    open_menu(page)
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").first.inner_text() == "Civic improvement projects"
    assert errors == []


def test_login_page_is_accessible(phone):
    page = phone.new_page()
    page.goto("/accounts/login/")
    assert axe_violations(page) == []
