"""Care mode (关怀模式): one switch, remembered, on every page; the navigation of three things. And the
web app manifest that lets a phone add the site to its home screen."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

COOKIE = settings.CIVICWORKS_CARE_COOKIE


def test_switching_on_is_remembered_and_returns_to_the_page(client, city):
    response = client.post("/care-mode/", {"care": "1", "next": "/projects/?district=linjiang"})

    assert response.status_code == 302 and response["Location"] == "/projects/?district=linjiang"
    assert response.cookies[COOKIE].value == "1" and response.cookies[COOKIE]["max-age"] == 365 * 24 * 3600
    page = client.get("/projects/").content.decode()
    assert '<body class="care">' in page
    assert 'aria-pressed="true"' in page


def test_care_mode_navigation_is_the_three_things_a_resident_does(client, city):
    client.cookies[COOKIE] = "1"

    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    nav = page[page.index('class="site-nav"') : page.index("</nav>")]

    assert [label for label in ("附近的项目", "反映问题", "查询我的诉求") if label in nav] == [
        "附近的项目",
        "反映问题",
        "查询我的诉求",
    ]
    assert "/open-data/" not in nav and "/hotspots/" not in nav
    full = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_COOKIE="").content.decode()
    assert "/open-data/" in full


def test_switching_off_forgets_it(client, city):
    client.cookies[COOKIE] = "1"
    response = client.post("/care-mode/", {"care": "0", "next": "/"})

    assert response.cookies[COOKIE].value == ""  # deleted
    assert '<body class="care">' not in client.get("/").content.decode()


def test_the_way_back_stays_on_this_site(client):
    response = client.post("/care-mode/", {"care": "1", "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_switching_needs_a_post(client):
    assert client.get("/care-mode/?care=1").status_code == 405


@pytest.mark.parametrize(("language", "description"), [("zh-hans", "项目公开"), ("en", "Civic improvement projects")])
def test_the_site_can_be_added_to_a_home_screen(client, language, description):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page

    response = client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE=language)
    manifest = response.json()

    assert response["Content-Type"] == "application/manifest+json"
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert description in manifest["description"]
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200, icon["src"]
