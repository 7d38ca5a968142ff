import json

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from civicworks.accounts.models import PhoneCode, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(resident):
    resident.display_name, resident.phone, resident.phone_verified_at = "吴小居", "+8613800138000", timezone.now()
    resident.save()
    EmailAddress.objects.create(user=resident, email="second@example.cn", verified=False, primary=False)
    PhoneCode.objects.create(user=resident, phone=resident.phone, code_hash="x", expires_at=timezone.now())
    return resident


def test_the_download_holds_the_account_fields(client, person):
    client.force_login(person)
    account = json.loads(client.get(reverse("accounts:my-data-download")).content)["account"]
    assert account["display_name"] == "吴小居" and account["phone"] == "+8613800138000"
    assert account["phone_verified_at"] and account["language"] == "zh-hans"
    assert account["email_addresses"] == [
        {"email": "resident@example.cn", "verified": True, "primary": True},
        {"email": "second@example.cn", "verified": False, "primary": False},
    ]
    assert "吴小居" in client.get(reverse("accounts:my-data")).content.decode()


def test_erasing_removes_the_sign_in_records(client, person):
    client.force_login(person)
    client.post(reverse("accounts:my-data-delete"), {"password": "pw-for-tests-only"})
    user = User.objects.get(pk=person.pk)
    assert user.display_name == "" and user.phone_verified_at is None and not user.is_active
    assert not EmailAddress.objects.filter(user=user).exists() and not PhoneCode.objects.filter(user=user).exists()


def test_demo_residents_are_confirmed_and_one_newcomer_is_not(city):
    import io

    from civicworks.accounts import demo

    demo.seed(options={}, stdout=io.StringIO())
    demo.seed(options={}, stdout=io.StringIO())  # idempotent
    assert User.objects.get(username="resident").is_verified
    newcomer = User.objects.get(username="newcomer")
    assert newcomer.display_name == "林小雨" and not newcomer.is_verified
    assert EmailAddress.objects.filter(user__username="resident").count() == 1
