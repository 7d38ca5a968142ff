"""Error pages in the site's layout and the reader's language, with a way back, as production serves them."""

import pytest
from django.conf import settings
from django.test import Client

from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.foundation.error_urls")]

HEADINGS = {
    "zh-hans": {400: "请求有误", 403: "无权访问", 404: "页面不存在", 500: "出了点问题"},
    "en": {400: "Bad request", 403: "Access denied", 404: "This page does not exist", 500: "Something went wrong"},
}
WAY_BACK = {"zh-hans": "返回首页", "en": "Back to the home page"}
URLS = {400: "/test-errors/400/", 403: "/test-errors/403/", 404: "/track/NOSUCHCODE0000/", 500: "/test-errors/500/"}


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def reader(language: str) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_each_error_page_is_in_the_layout_and_the_readers_language(language, status):
    response = reader(language).get(URLS[status])

    assert response.status_code == status
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert HEADINGS[language][status] in page
    assert WAY_BACK[language] in page
    assert 'class="site-header"' in page  # the site's layout, not Django's bare page
    other = "en" if language == "zh-hans" else "zh-hans"
    assert HEADINGS[other][status] not in page


def test_a_tracking_code_is_found_however_it_is_typed(client, road):
    report = factories.filed_report(category=road)
    code = report.tracking_code
    spaced = " ".join([code[:4], code[4:8], code[8:]]).lower()
    dashed = "-".join([code[:4], code[4:8], code[8:]])
    lookalike = code.replace("0", "O").replace("1", "I")

    for typed in (spaced, dashed, lookalike, f"  {code.lower()}  "):
        lookup = client.get("/track/", {"code": typed})
        assert lookup.status_code == 302 and lookup["Location"] == f"/track/{code}/", typed
        direct = client.get(f"/track/{typed}/")
        assert direct.status_code in (200, 302), typed
        if direct.status_code == 302:
            assert direct["Location"] == f"/track/{code}/"
    assert client.get(f"/track/{code}/").status_code == 200


def test_a_wrong_code_is_still_not_found(client, road):
    report = factories.filed_report(category=road)
    wrong = report.tracking_code[:-1] + ("A" if report.tracking_code[-1] != "A" else "B")

    assert client.get(f"/track/{wrong}/").status_code == 404
