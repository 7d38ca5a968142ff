"""An unverified account may sign in but not propose, support, vote, apply or redeem."""

import pytest
from django.urls import reverse
from django.utils import timezone

from civicworks.accounts.models import Role
from civicworks.errors import DomainError
from participation import services
from participation.models import DesignVote, Need, NeedSupport, ObserverApplication
from projects.models import Community
from tests import factories
from tests.participation.conftest import cocreation  # noqa: F401 - fixture

REFUSAL = "Please confirm your e-mail address"


@pytest.fixture
def newcomer(db):
    return factories.user(username="newcomer", role=Role.RESIDENT, verified=False)


@pytest.fixture
def need(city, resident):
    return factories.need(author=resident)


def test_unverified_is_refused_by_the_services(need, cocreation, newcomer):  # noqa: F811
    option = cocreation.options.first()
    with pytest.raises(DomainError) as refused:
        services.need_support(need=need, user=newcomer)
    assert refused.value.code == "unverified"
    with pytest.raises(DomainError):
        services.design_vote_cast(cocreation=cocreation, option=option, user=newcomer)
    with pytest.raises(DomainError):
        services.observer_apply(user=newcomer, community=Community.objects.first(), motivation="我想参与")
    assert not NeedSupport.objects.exists() and not DesignVote.objects.exists()
    assert not ObserverApplication.objects.exists()


def test_support_page_refuses_with_a_link_to_resend(client, need, newcomer):
    client.force_login(newcomer)
    response = client.post(reverse("participation:need-support", args=[need.pk]), HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert REFUSAL in page and f'href="{reverse("account_email")}"' in page
    assert not NeedSupport.objects.exists()


def test_vote_page_refuses(client, cocreation, newcomer):  # noqa: F811
    client.force_login(newcomer)
    url = reverse("participation:cocreation-vote", args=[cocreation.project.code])
    response = client.post(url, {"option": cocreation.options.first().pk}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert REFUSAL in response.content.decode() and not DesignVote.objects.exists()


def test_propose_page_refuses(client, city, newcomer):
    from tests.accounts.test_signup import need_data

    client.force_login(newcomer)
    response = client.post(reverse("participation:need-new"), need_data(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and REFUSAL in response.content.decode()
    assert not Need.objects.exists()


def test_api_refuses_support_and_vote_with_the_code(client, need, cocreation, newcomer):  # noqa: F811
    client.force_login(newcomer)
    support = client.post(reverse("participation-api-need-support", args=[need.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert support.status_code == 400
    body = support.json()
    assert body["code"] == "unverified" and REFUSAL in body["detail"] and body["verify_url"] == reverse("account_email")
    vote = client.post(
        reverse("participation-api-vote", args=[cocreation.project.code]), {"option": cocreation.options.first().pk}
    )
    assert vote.status_code == 400 and vote.json()["code"] == "unverified"
    assert not NeedSupport.objects.exists() and not DesignVote.objects.exists()


def test_a_confirmed_phone_is_enough(need, newcomer):
    newcomer.phone, newcomer.phone_verified_at = "+8613800138000", timezone.now()
    newcomer.save()
    assert services.need_support(need=need, user=newcomer) is True


def test_staff_are_verified_without_an_address(official):
    official.emailaddress_set.all().delete()
    assert official.is_verified
