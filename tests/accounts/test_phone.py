import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civicworks import sms
from civicworks.accounts import services
from civicworks.accounts.models import PhoneCode, Role
from civicworks.errors import DomainError
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(db):
    return factories.user(username="newcomer", role=Role.RESIDENT, verified=False)


def last_code() -> str:
    return re.search(r"\b(\d{6})\b", sms.outbox[-1].text).group(1)


@pytest.mark.parametrize(
    "typed, stored",
    [("13800138000", "+8613800138000"), ("138 0013 8000", "+8613800138000"), ("+86 138-0013-8000", "+8613800138000"),
     ("+447700900123", "+447700900123")],
)  # fmt: skip
def test_numbers_are_normalised(typed, stored):
    assert services.normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "23800138000", "+86123", "abc", "+0123456789"])
def test_other_numbers_are_refused(typed):
    with pytest.raises(DomainError):
        services.normalise_phone(typed)


def test_right_code_confirms_the_number_and_the_account(client, newcomer):
    client.force_login(newcomer)
    response = client.post(reverse("accounts:phone-send"), {"phone": "138 0013 8000"})
    assert response.status_code == 302 and sms.outbox[-1].to == "+8613800138000"
    code = last_code()
    assert code not in PhoneCode.objects.get().code_hash  # stored hashed
    newcomer.refresh_from_db()
    assert newcomer.phone == "+8613800138000" and newcomer.phone_verified_at is None and not newcomer.is_verified
    response = client.post(reverse("accounts:phone-confirm"), {"code": code})
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.phone_verified_at is not None and newcomer.is_verified


def test_wrong_code_is_refused_and_counted(client, newcomer):
    client.force_login(newcomer)
    client.post(reverse("accounts:phone-send"), {"phone": "13800138000"})
    wrong = "000000" if last_code() != "000000" else "111111"
    response = client.post(reverse("accounts:phone-confirm"), {"code": wrong}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "The code is not correct." in response.content.decode()
    assert PhoneCode.objects.get().wrong_tries == 1
    newcomer.refresh_from_db()
    assert newcomer.phone_verified_at is None


def test_five_wrong_tries_end_the_code_even_the_right_one(newcomer):
    services.phone_code_send(user=newcomer, phone="13800138000")
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(DomainError):
            services.phone_code_confirm(user=newcomer, code=wrong)
    with pytest.raises(DomainError) as refused:
        services.phone_code_confirm(user=newcomer, code=code)
    assert refused.value.code == "too_many_tries"
    newcomer.refresh_from_db()
    assert newcomer.phone_verified_at is None


def test_an_expired_code_is_refused(newcomer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.phone_code_send(user=newcomer, phone="13800138000")
    PhoneCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(DomainError) as refused:
        services.phone_code_confirm(user=newcomer, code=last_code())
    assert refused.value.code == "expired"


def test_changing_the_number_clears_the_confirmation(newcomer):
    services.phone_code_send(user=newcomer, phone="13800138000")
    services.phone_code_confirm(user=newcomer, code=last_code())
    assert newcomer.is_verified
    services.phone_code_send(user=newcomer, phone="13900139000")
    newcomer.refresh_from_db()
    assert newcomer.phone == "+8613900139000" and newcomer.phone_verified_at is None and not newcomer.is_verified


def test_codes_per_number_are_limited_nothing_sent_over_it(client, newcomer):
    other = factories.user(username="other", role=Role.RESIDENT)
    for _ in range(3):
        services.phone_code_send(user=newcomer, phone="13800138000")
    client.force_login(other)  # another account asking for the same number
    response = client.post(reverse("accounts:phone-send"), {"phone": "13800138000"})
    assert response.status_code == 400 and "请稍等，您已经提交过多次请求。" in response.content.decode()
    assert len(sms.outbox) == 3 and PhoneCode.objects.count() == 3
    other.refresh_from_db()
    assert other.phone == ""


def test_codes_per_account_are_limited(newcomer):
    for number in ("13800138001", "13800138002", "13800138003"):
        services.phone_code_send(user=newcomer, phone=number)
    with pytest.raises(DomainError) as refused:
        services.phone_code_send(user=newcomer, phone="13800138004")
    assert refused.value.code == "rate_limited" and len(sms.outbox) == 3


def test_codes_per_day_are_limited(newcomer):
    # Ten earlier today, spread over the day, as the rows record them.
    for hours in range(1, 11):
        code = PhoneCode.objects.create(user=newcomer, phone="+8613800138000", code_hash="x", expires_at=timezone.now())
        PhoneCode.objects.filter(pk=code.pk).update(created_at=timezone.now() - timedelta(hours=hours))
    with pytest.raises(DomainError):
        services.phone_code_send(user=newcomer, phone="13800138000")
    assert sms.outbox == []


def test_a_bad_number_is_refused_with_a_message(client, newcomer):
    client.force_login(newcomer)
    response = client.post(reverse("accounts:phone-send"), {"phone": "12345"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "Enter a Chinese mobile number" in response.content.decode()
    assert sms.outbox == [] and not PhoneCode.objects.exists()


def test_phone_page_has_labelled_fields(client, newcomer):
    client.force_login(newcomer)
    page = client.get(reverse("accounts:phone")).content.decode()
    assert 'for="id_phone"' in page and 'id="id_phone"' in page
