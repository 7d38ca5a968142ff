"""Care mode on a phone: one switch in the header, remembered from page to page, body text of at
least 18 px, the three-item navigation, and axe-core clean on every public page."""

import pytest
from playwright.sync_api import expect

from .conftest import axe_violations, collect_errors
from .test_small_screens import public_pages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The smallest computed font size of the text a resident reads in <main> (hidden helpers aside).
# Returns [size, the element's tag and class] of the smallest.
SMALLEST_TEXT = """() => [...document.querySelectorAll(
    'main p, main li, main td, main th, main label, main dd, main dt, main a, main button, main input, main select'
  )].filter(e => e.offsetParent !== null && !e.closest('.visually-hidden') && e.textContent.trim())
   .map(e => [parseFloat(getComputedStyle(e).fontSize), e.tagName + '.' + e.className])
   .reduce((a, b) => (b[0] < a[0] ? b : a), [99, ''])"""


def test_care_mode_on_every_public_page(phone, world):
    pages = {url: url for url in public_pages(world)}  # the phone test's pages, every public one
    page = phone.new_page()
    errors = collect_errors(page)
    page.goto("/")
    page.get_by_role("button", name="关怀模式").click()
    expect(page.get_by_role("button", name="关怀模式")).to_have_attribute("aria-pressed", "true")
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link")).to_have_count(3 + 2)  # the three things, then sign in and sign up

    measured, found = {}, {}
    for name, url in pages.items():
        assert page.goto(url).status == 200, name
        expect(page.locator("body.care")).to_have_count(1)
        measured[name] = page.evaluate(SMALLEST_TEXT)
        found[name] = axe_violations(page)

    assert {name: smallest for name, smallest in measured.items() if smallest[0] < 18} == {}
    assert found == {name: [] for name in pages}
    assert errors == []
