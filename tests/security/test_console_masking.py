"""Contact details in the console: masked by default, shown only on an explicit, logged click."""

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import ContactDisclosure
from feedback.privacy import mask_email, mask_name, mask_phone

PHONE, EMAIL, NAME = "13812345678", "zhang.san@example.cn", "张三丰"


@pytest.fixture
def report(road, official, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.report_submit(
            category=road, text="路灯不亮", latitude=30.69, longitude=103.99,
            reporter_name=NAME, reporter_phone=PHONE, reporter_email=EMAIL,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13812345678", "138****5678"), ("+86 139 0000 4242", "139****4242"), ("028-8765 4321", "028****4321"),
     ("12345", "****"), ("", "")],
)  # fmt: skip
def test_phone_mask(phone, masked):
    assert mask_phone(phone) == masked


def test_email_and_name_masks():
    assert mask_email(EMAIL) == "z***@example.cn" and mask_email("") == ""
    assert mask_name(NAME) == "张**" and mask_name("Canary Smith") == "C***" and mask_name("李") == "李*"


def test_the_report_page_shows_the_contact_masked_with_the_unmask_button(client, report, official):
    client.force_login(official)
    html = client.get(reverse("admin:feedback_report_change", args=[report.pk])).content.decode()
    assert "138****5678" in html and "z***@example.cn" in html and "张**" in html
    assert PHONE not in html and EMAIL not in html and NAME not in html
    assert reverse("admin:feedback_report_contact", args=[report.pk]) in html
    assert not ContactDisclosure.objects.exists()


@pytest.mark.parametrize("persona", ["official", "manager", "supervisor", "city_admin"])
def test_each_unmask_click_shows_the_contact_and_logs_one_row(request, client, report, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    url = reverse("admin:feedback_report_contact", args=[report.pk])
    for clicks in (1, 2):
        response = client.post(url)
        html = response.content.decode()
        assert response.status_code == 200 and PHONE in html and EMAIL in html and NAME in html
        assert ContactDisclosure.objects.filter(report=report, viewer=user).count() == clicks


@pytest.mark.parametrize("persona", ["evaluator", "other_official", "resident"])
def test_other_roles_never_get_the_control_and_are_refused(request, client, report, persona):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse("admin:feedback_report_change", args=[report.pk])).content.decode()
    assert reverse("admin:feedback_report_contact", args=[report.pk]) not in page and PHONE not in page
    response = client.post(reverse("admin:feedback_report_contact", args=[report.pk]))
    assert response.status_code in (403, 302)  # 302: no console at all (log-in page)
    assert PHONE not in response.content.decode()
    assert not ContactDisclosure.objects.exists()


def test_staff_of_another_department_get_403(client, report, other_official, evaluator):
    for user in (other_official, evaluator):
        client.force_login(user)
        assert client.post(reverse("admin:feedback_report_contact", args=[report.pk])).status_code == 403
    assert not ContactDisclosure.objects.exists()


def test_a_get_never_discloses(client, report, official):
    client.force_login(official)
    assert client.get(reverse("admin:feedback_report_contact", args=[report.pk])).status_code == 405
    assert not ContactDisclosure.objects.exists()


def test_the_audit_is_read_only_for_supervisors_and_city_admins(client, report, official, supervisor, city_admin):
    client.force_login(official)
    client.post(reverse("admin:feedback_report_contact", args=[report.pk]))
    audit = reverse("admin:feedback_contactdisclosure_changelist")
    assert client.get(audit).status_code == 403
    for user in (supervisor, city_admin):
        client.force_login(user)
        response = client.get(audit)
        html = response.content.decode()
        # The report by its number; its tracking code (the resident's key) is shown to no staff.
        assert response.status_code == 200 and f'field-report nowrap">{report.reference}<' in html
        assert report.tracking_code not in html
        row = ContactDisclosure.objects.get()
        change = client.get(reverse("admin:feedback_contactdisclosure_change", args=[row.pk]))
        assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
        assert (
            client.post(reverse("admin:feedback_contactdisclosure_delete", args=[row.pk]), {"post": "yes"}).status_code
            == 403
        )
    assert ContactDisclosure.objects.count() == 1
