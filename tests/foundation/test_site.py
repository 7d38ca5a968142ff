import pytest
from django.urls import reverse

from civicworks.accounts.models import Role, User


@pytest.mark.django_db
def test_home_is_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.text
    assert "民心工程" in response.text


@pytest.mark.django_db
def test_first_visit_follows_accept_language(client):
    response = client.get("/", headers={"accept-language": "en-GB,en;q=0.9"})
    assert 'lang="en"' in response.text
    assert "Civic improvement projects" in response.text


@pytest.mark.django_db
def test_language_switch_is_remembered(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert 'lang="en"' in client.get("/").text
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert 'lang="zh-hans"' in client.get("/", headers={"accept-language": "en"}).text


@pytest.mark.django_db
def test_every_page_has_the_language_switch_and_landmarks(client):
    for url in ["/", reverse("account_login")]:
        html = client.get(url).text
        assert 'name="language"' in html
        assert "<main" in html and "<nav" in html and "<header" in html


@pytest.mark.django_db
def test_admin_asks_for_a_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_staff_flag_follows_the_role(city, lead_department):
    user = User.objects.create_user("someone", password="x-x-x-x-x-1", role=Role.RESIDENT)
    assert not user.is_staff
    user.role, user.department = Role.OFFICIAL, lead_department
    user.save()
    assert user.is_staff


@pytest.mark.django_db
def test_a_department_role_needs_a_department():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        User.objects.create_user("lonely", password="x-x-x-x-x-1", role=Role.OFFICIAL)


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_when_everything_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content


def test_api_docs_work_offline(client, db):
    html = client.get("/api/docs/").text
    # The Swagger UI comes from the sidecar package, served by us, not from a CDN.
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()
    assert client.get("/api/schema/").status_code == 200
