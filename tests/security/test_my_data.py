"""A signed-in resident's own data: the page, the JSON download, and deleting the account."""

import json

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from civicworks.accounts.models import User
from evaluation.models import Survey, SurveyResponse
from feedback import services as feedback_services
from feedback.models import Report
from participation import services as participation_services
from participation.models import DesignVote, NeedSupport, ObserverApplication, PointsEntry
from projects.models import Community
from tests import factories
from tests.evaluation.conftest import cycle, scheme  # noqa: F401 — fixtures
from tests.participation.conftest import cocreation  # noqa: F401 — fixture

PASSWORD = "pw-for-tests-only"
PHONE, EMAIL = "13811112222", "me@example.cn"


@pytest.fixture
def footprint(resident, official, road, cocreation, cycle, project, django_capture_on_commit_callbacks):  # noqa: F811
    """One of everything a resident leaves: a report, a survey answer, a need, a support, a vote, points."""
    with django_capture_on_commit_callbacks(execute=True):
        report = feedback_services.report_submit(
            category=road, text="路灯不亮", latitude=30.69, longitude=103.99, reporter=resident,
            reporter_name="居民王五", reporter_phone=PHONE, reporter_email=EMAIL,
        )  # fmt: skip
    survey = Survey.objects.get(cycle=cycle, project=project)
    SurveyResponse.objects.create(
        survey=survey, user=resident, kind="account", satisfaction=4, happiness=8, comment="电话 13811112222"
    )
    own_need = factories.need(author=resident, title="我的需求：加装电梯")
    other_need = factories.need(author=official, title="别人的需求：修路")
    participation_services.need_support(need=other_need, user=resident)
    option = cocreation.options.first()
    participation_services.design_vote_cast(cocreation=cocreation, option=option, user=resident)
    participation_services.points_award(user=resident, rule="survey_answered", source_key=f"survey:{survey.pk}:me")
    participation_services.observer_apply(
        user=resident, community=Community.objects.get(name="望江社区"), motivation="我住在望江社区，电话 13811112222"
    )
    return {"report": report, "own_need": own_need, "other_need": other_need, "option": option}


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for name in ("accounts:my-data", "accounts:my-data-download"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert client.post(reverse("accounts:my-data-delete"), {"password": PASSWORD}).status_code == 302


def test_the_account_menu_links_to_my_data(client, resident):
    client.force_login(resident)
    assert f'href="{reverse("accounts:my-data")}"' in client.get("/").content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_page_lists_the_data_in_the_users_language(client, resident, footprint, language):
    client.force_login(resident)
    response = client.get(reverse("accounts:my-data"), HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 200 and footprint["report"].tracking_code in html
    assert ("我的数据" if language == "zh-hans" else "My data") in html
    assert 'autocomplete="current-password"' in html and 'for="id_password"' in html


def test_the_download_holds_everything_tied_to_the_account(client, resident, footprint):
    client.force_login(resident)
    response = client.get(reverse("accounts:my-data-download"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["username"] == "resident" and data["account"]["email"] == "resident@example.cn"
    [report] = data["reports"]
    assert report["tracking_code"] == footprint["report"].tracking_code and report["contact"]["phone"] == PHONE
    assert [a["satisfaction"] for a in data["survey_answers"]] == [4]
    part = data["participation"]
    assert [n["title"] for n in part["needs"]] == ["我的需求：加装电梯"]
    assert [s["need_id"] for s in part["needs_supported"]] == [footprint["other_need"].pk]
    assert [v["option__title"] for v in part["design_votes"]] == [footprint["option"].title]
    assert part["points"]["balance"] == sum(e["delta"] for e in part["points"]["entries"]) > 0
    assert len(part["observer_applications"]) == 1


def test_another_account_sees_only_its_own(client, neighbour_account, footprint):
    client.force_login(neighbour_account)
    data = json.loads(client.get(reverse("accounts:my-data-download")).content)
    assert data["reports"] == [] and data["survey_answers"] == [] and data["participation"]["needs"] == []


@pytest.fixture
def neighbour_account(db):

    return factories.user(username="neighbour", role="resident")


def test_a_wrong_password_deletes_nothing(client, resident, footprint):
    client.force_login(resident)
    response = client.post(reverse("accounts:my-data-delete"), {"password": "wrong"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400 and "密码不正确" in response.content.decode()
    resident.refresh_from_db()
    assert resident.is_active and resident.username == "resident"
    assert Report.objects.get(pk=footprint["report"].pk).reporter_phone == PHONE


def test_deleting_the_account_removes_the_person_and_keeps_the_record(client, resident, footprint):
    other_session = Client()
    other_session.force_login(resident)
    client.force_login(resident)
    points_before = PointsEntry.objects.count()
    response = client.post(reverse("accounts:my-data-delete"), {"password": PASSWORD})
    assert response.status_code == 302 and SESSION_KEY not in client.session

    user = User.objects.get(pk=resident.pk)
    assert not user.is_active and user.username.startswith("deleted-") and not user.has_usable_password()
    assert user.email == user.first_name == user.phone == ""
    report = Report.objects.get(pk=footprint["report"].pk)
    assert report.reporter_id is None and report.reporter_name == report.reporter_phone == report.reporter_email == ""
    assert report.text == "路灯不亮"  # the report stays for the department
    answer = SurveyResponse.objects.get()
    assert answer.user_id is None and answer.satisfaction == 4 and PHONE not in answer.comment
    assert answer.kind == "account"  # unlinked, still a counted answer: it stays in the figures
    assert not ObserverApplication.objects.exists()
    # Counts in the public record stay: the support, the vote, the need, a balanced ledger.
    assert NeedSupport.objects.filter(need=footprint["other_need"]).count() == 1
    assert DesignVote.objects.filter(option=footprint["option"]).count() == 1
    assert PointsEntry.objects.count() == points_before
    # Every session of the account has ended, and the old password no longer signs in.
    assert other_session.get(reverse("accounts:my-data")).status_code == 302
    assert not Client().login(username="resident", password=PASSWORD)


def test_staff_accounts_are_not_deleted_here(client, official):
    client.force_login(official)
    response = client.post(reverse("accounts:my-data-delete"), {"password": PASSWORD})
    assert response.status_code == 302
    official.refresh_from_db()
    assert official.is_active and official.username == "official"
