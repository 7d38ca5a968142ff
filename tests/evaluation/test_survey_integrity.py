"""Issue 14, finding 8: survey ballot stuffing.

The rule (docs/evaluation.md, "Who counts"): an answer counts in the satisfaction part when it
comes from a signed-in resident (once per survey), with a single-use invitation code, or from
the third party's import, and the evaluator has not excluded it. Anonymous answers are kept,
flagged when they come in bursts, shown apart and not counted (unless the scheme says so, and
then never the suspicious ones).
"""

import csv
import io
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from evaluation import integrity, services
from evaluation.models import (
    InvitationCode,
    ResponseKind,
    ResponseReview,
    Scorecard,
    Survey,
    SurveyResponse,
)
from tests.participation.conftest import postgres_only

from .conftest import inspect

IP = "203.0.113.45"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) MicroMessenger/8.0.47"


def third_party(cycle, project, *pairs) -> None:
    """Counted answers from the third party's survey, through the import."""
    rows = "".join(f"{project.code},R{i},{s},{h}\n" for i, (s, h) in enumerate(pairs))
    data = ("project_code,respondent_ref,satisfaction,happiness\n" + rows).encode()
    services.survey_import(cycle=cycle, name="third-party.csv", data=data, by=cycle_evaluator(cycle))


def cycle_evaluator(cycle):
    from civicworks.accounts.models import Role, User

    return User.objects.filter(role=Role.EVALUATOR).first()


def post_fresh(survey, data, ip=IP, agent=PHONE, user=None):
    """One POST from a client that has never been here (no cookie), as a ballot stuffer sends them."""
    client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent, HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client.post(survey.get_absolute_url(), data)


def card(cycle, project) -> Scorecard:
    return Scorecard.objects.get(cycle=cycle, project=project)


# --- The finding ------------------------------------------------------------------------------------


def test_fifteen_fresh_clients_do_not_move_the_counted_satisfaction(cycle, project, evaluator):
    third_party(cycle, project, *[(5, 9)] * 9)
    inspect(cycle, project, "80", evaluator)
    services.cycle_compute(cycle=cycle, by=evaluator)
    before = card(cycle, project)
    assert before.response_count == 9

    survey = Survey.objects.get(cycle=cycle, project=project)
    for _ in range(15):
        assert post_fresh(survey, {"satisfaction": "1", "happiness": "0"}).status_code == 302
    services.cycle_compute(cycle=cycle, by=evaluator)

    after = card(cycle, project)
    assert (after.satisfaction_score, after.total, after.response_count) == (
        before.satisfaction_score,
        before.total,
        9,
    )
    assert after.anonymous_count == 15
    # Nothing a resident sends is lost: the 15 are stored, marked anonymous and suspicious.
    stuffed = SurveyResponse.objects.filter(survey=survey, kind=ResponseKind.ANONYMOUS)
    assert stuffed.count() == 15 and stuffed.filter(suspicious=True).count() == 15
    # The client is remembered as a keyed hash, never as its address.
    for row in SurveyResponse.objects.values():
        assert not any(IP in str(value) for value in row.values())


# --- (a) Signed-in residents answer once ---------------------------------------------------------------


def test_a_signed_in_resident_answers_once_and_is_told_so(cycle, project, resident):
    survey = Survey.objects.get(cycle=cycle, project=project)
    assert post_fresh(survey, {"satisfaction": "5", "happiness": "9"}, user=resident).status_code == 302
    second = post_fresh(survey, {"satisfaction": "1", "happiness": "0"}, user=resident)
    assert second.status_code == 409
    assert "You have already answered this survey" in second.content.decode()
    in_chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    in_chinese.force_login(resident)
    refused = in_chinese.post(survey.get_absolute_url(), {"satisfaction": "1", "happiness": "0"})
    assert refused.status_code == 409 and "您已经填写过本问卷" in refused.content.decode()
    (kept,) = SurveyResponse.objects.filter(survey=survey)
    assert (kept.user, kept.kind, kept.satisfaction) == (resident, ResponseKind.ACCOUNT, 5)
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(
            survey=survey, user=resident, kind=ResponseKind.ACCOUNT, satisfaction=1, happiness=0
        )


# --- (b) Invitation codes ---------------------------------------------------------------------------------


def test_an_invitation_code_counts_once(cycle, project, other_project, evaluator):
    survey = Survey.objects.get(cycle=cycle, project=project)
    other = Survey.objects.get(cycle=cycle, project=other_project)
    code, spare = services.invitation_codes_create(survey=survey, count=2, by=evaluator)
    (elsewhere,) = services.invitation_codes_create(survey=other, count=1, by=evaluator)
    assert len(code.code) == 12 and code.code != spare.code

    # Typed the way it is printed (groups of four), in lower case: still the code.
    printed = code.printed.lower()
    assert post_fresh(survey, {"satisfaction": "4", "happiness": "8", "code": printed}).status_code == 302
    code.refresh_from_db()
    assert code.used_at is not None
    answer = SurveyResponse.objects.get(invitation=code)
    assert answer.kind == ResponseKind.CODE and answer.fingerprint == ""

    for bad in (code.code, elsewhere.code, "ABCD-EFGH-JKLM"):
        refused = post_fresh(survey, {"satisfaction": "1", "happiness": "0", "code": bad}, ip="198.51.100.7")
        assert refused.status_code == 400
        assert "not valid for this survey" in refused.content.decode()
    elsewhere.refresh_from_db()
    assert elsewhere.used_at is None
    assert SurveyResponse.objects.filter(survey=survey).count() == 1

    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(
            survey=survey, invitation=code, kind=ResponseKind.CODE, satisfaction=1, happiness=0
        )


def test_the_survey_link_with_a_code_fills_it_in(client, cycle, project, evaluator):
    survey = Survey.objects.get(cycle=cycle, project=project)
    (code,) = services.invitation_codes_create(survey=survey, count=1, by=evaluator)
    page = client.get(code.survey_link).content.decode()
    assert f'value="{code.printed}"' in page


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_racing_answers_with_one_code_count_once(cycle, project, evaluator):
    survey = Survey.objects.get(cycle=cycle, project=project)
    (code,) = services.invitation_codes_create(survey=survey, count=1, by=evaluator)
    barrier, outcomes = threading.Barrier(8), []

    def answer(n: int) -> None:
        try:
            barrier.wait()
            services.survey_respond(
                survey=survey, user=None, device_token=f"device-{n:02d}-xxxxxxxxxx", satisfaction=5, happiness=9,
                code=code.code,
            )  # fmt: skip
            outcomes.append("counted")
        except services.InvalidCode:
            outcomes.append("refused")
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["counted"] + ["refused"] * 7
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert SurveyResponse.objects.get().invitation_id == code.pk


def test_evaluator_generates_codes_as_csv_in_the_console(client, evaluator, cycle, project):
    survey = Survey.objects.get(cycle=cycle, project=project)
    client.force_login(evaluator)
    changelist = reverse("admin:evaluation_survey_changelist")
    asked = client.post(changelist, {"action": "generate_codes", "_selected_action": [survey.pk]})
    assert asked.status_code == 200 and 'name="count"' in asked.content.decode()
    assert not InvitationCode.objects.exists()

    response = client.post(
        changelist, {"action": "generate_codes", "_selected_action": [survey.pk], "count": "25", "apply": "1"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 25
    codes = {row[3] for row in rows[1:]}
    assert len(codes) == 25 and {c.replace("-", "") for c in codes} == set(
        InvitationCode.objects.filter(survey=survey).values_list("code", flat=True)
    )
    assert all(row[0] == project.code and "?code=" in row[4] for row in rows[1:])


def test_codes_are_refused_to_non_evaluators_and_on_a_closed_cycle(client, official, evaluator, cycle, project):
    survey = Survey.objects.get(cycle=cycle, project=project)
    with pytest.raises(PermissionDenied):
        services.invitation_codes_create(survey=survey, count=3, by=official)
    client.force_login(official)
    response = client.post(
        reverse("admin:evaluation_survey_changelist"),
        {"action": "generate_codes", "_selected_action": [survey.pk], "count": "3", "apply": "1"},
    )
    assert response.status_code == 403
    with pytest.raises(services.EvaluationError):
        services.invitation_codes_create(survey=survey, count=0, by=evaluator)
    services.cycle_compute(cycle=cycle, by=evaluator)
    services.cycle_close(cycle=cycle, by=evaluator, reason="第三方测评已提前完成", send_reports=False)
    with pytest.raises(services.EvaluationError):
        services.invitation_codes_create(survey=survey, count=3, by=evaluator)
    assert not InvitationCode.objects.exists()


def test_the_command_writes_codes_for_a_cycle(cycle, project, other_project, evaluator, tmp_path):
    out = tmp_path / "codes.csv"
    call_command("invitation_codes", "2026-q3", "--count", "4", "--by", evaluator.username, "--output", str(out))
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert len(rows) == 1 + 2 * 4
    assert {row[0] for row in rows[1:]} == {project.code, other_project.code}
    assert InvitationCode.objects.filter(used_at__isnull=True).count() == 8


# --- (c) Anonymous answers are kept apart ------------------------------------------------------------------


def test_anonymous_answers_are_shown_apart_in_the_console_and_the_results(
    client, cycle, project, evaluator, django_capture_on_commit_callbacks
):
    third_party(cycle, project, (5, 9), (4, 8))
    survey = Survey.objects.get(cycle=cycle, project=project)
    post_fresh(survey, {"satisfaction": "1", "happiness": "0"})
    post_fresh(survey, {"satisfaction": "2", "happiness": "1"}, ip="198.51.100.20")
    thanks = post_fresh(survey, {"satisfaction": "3", "happiness": "5"}, ip="198.51.100.21")
    assert "kept apart" in Client(HTTP_ACCEPT_LANGUAGE="en").get(thanks["Location"]).content.decode()
    services.cycle_compute(cycle=cycle, by=evaluator)
    result = card(cycle, project)
    assert (result.response_count, result.anonymous_count, result.excluded_count) == (2, 3, 0)
    assert result.satisfaction_score == pytest.approx(
        ((17.5 * 4 + 27) + (17.5 * 3 + 24)) / 2, abs=0.01
    )  # the two counted answers only

    client.force_login(evaluator)
    console = client.get(reverse("admin:evaluation_survey_changelist"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "anonymous (held apart)" in console.lower()
    cycle_page = client.get(
        reverse("admin:evaluation_reviewcycle_change", args=[cycle.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "2 survey responses counted · 3 anonymous held apart" in cycle_page

    services.cycle_close(cycle=cycle, by=evaluator, reason="第三方测评已提前完成", send_reports=False)
    services.cycle_publish(cycle=cycle, by=evaluator)
    client.logout()
    page = client.get(reverse("evaluation:cycle", args=[2026, 3]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "+3 anonymous, not counted" in page
    api = client.get(reverse("evaluation-api-scorecards", args=[2026, 3])).json()["results"]
    row = next(r for r in api if r["project_code"] == project.code)
    assert (row["response_count"], row["anonymous_count"], row["excluded_count"]) == (2, 3, 0)


def test_a_scheme_may_count_anonymous_answers_but_never_suspicious_ones(cycle, project, evaluator):
    cycle.scheme.count_anonymous = True
    cycle.scheme.save()
    survey = Survey.objects.get(cycle=cycle, project=project)
    post_fresh(survey, {"satisfaction": "5", "happiness": "10"}, ip="198.51.100.30")
    post_fresh(survey, {"satisfaction": "5", "happiness": "10"}, ip="198.51.100.31")
    for _ in range(3):  # one client three times: suspicious
        post_fresh(survey, {"satisfaction": "1", "happiness": "0"})
    services.cycle_compute(cycle=cycle, by=evaluator)
    result = card(cycle, project)
    assert (result.response_count, result.anonymous_count) == (2, 3)
    assert result.satisfaction_score == 100


# --- (d) Bursts are flagged ----------------------------------------------------------------------------------


def test_three_answers_from_one_client_are_suspicious_two_are_not(cycle, project):
    survey = Survey.objects.get(cycle=cycle, project=project)
    post_fresh(survey, {"satisfaction": "3", "happiness": "5"})
    post_fresh(survey, {"satisfaction": "3", "happiness": "5"})
    assert not SurveyResponse.objects.filter(suspicious=True).exists()
    post_fresh(survey, {"satisfaction": "3", "happiness": "5"}, agent="another browser")  # another fingerprint
    assert not SurveyResponse.objects.filter(suspicious=True).exists()
    post_fresh(survey, {"satisfaction": "3", "happiness": "5"})
    assert SurveyResponse.objects.filter(suspicious=True).count() == 3  # the earlier two as well
    assert SurveyResponse.objects.get(fingerprint=integrity.fingerprint(survey.pk, IP, "another browser"))


def test_many_answers_in_a_short_window_are_suspicious(cycle, project, other_project):
    survey = Survey.objects.get(cycle=cycle, project=project)
    for n in range(integrity.BURST_SIZE - 1):
        post_fresh(survey, {"satisfaction": "2", "happiness": "2"}, ip=f"198.51.100.{n + 1}")
    assert not SurveyResponse.objects.filter(suspicious=True).exists()
    post_fresh(survey, {"satisfaction": "2", "happiness": "2"}, ip="198.51.100.99")
    assert SurveyResponse.objects.filter(suspicious=True).count() == integrity.BURST_SIZE
    # Spread over a day, the same number of answers is not a burst (the sweep at compute time agrees).
    other = Survey.objects.get(cycle=cycle, project=other_project)
    for n in range(integrity.BURST_SIZE):
        post_fresh(other, {"satisfaction": "2", "happiness": "2"}, ip=f"198.51.100.{n + 1}")
    SurveyResponse.objects.filter(survey=other, suspicious=True).update(suspicious=False)
    start = timezone.now() - timedelta(days=1)
    for n, answer in enumerate(SurveyResponse.objects.filter(survey=other).order_by("pk")):
        SurveyResponse.objects.filter(pk=answer.pk).update(submitted_at=start + timedelta(hours=n))
    services.responses_flag_bursts(cycle=cycle)
    assert not SurveyResponse.objects.filter(survey=other, suspicious=True).exists()


def test_the_compute_sweep_flags_a_burst_that_raced_past_the_answer_check(cycle, project, evaluator):
    survey = Survey.objects.get(cycle=cycle, project=project)
    print_ = integrity.fingerprint(survey.pk, IP, PHONE)
    SurveyResponse.objects.bulk_create(
        SurveyResponse(survey=survey, device_token=f"race-{n}-xxxxxxxxxxxx", fingerprint=print_, satisfaction=1,
                       happiness=0)
        for n in range(4)
    )  # fmt: skip
    services.cycle_compute(cycle=cycle, by=evaluator)
    assert SurveyResponse.objects.filter(suspicious=True).count() == 4


# --- (e) Exclusion with an audit row -------------------------------------------------------------------------


def test_evaluator_excludes_and_reincludes_with_an_audit_row(client, cycle, project, evaluator):
    third_party(cycle, project, (5, 10), (5, 10), (1, 0))
    services.cycle_compute(cycle=cycle, by=evaluator)
    assert card(cycle, project).response_count == 3
    doubtful = SurveyResponse.objects.get(satisfaction=1)

    client.force_login(evaluator)
    changelist = reverse("admin:evaluation_surveyresponse_changelist")
    asked = client.post(changelist, {"action": "exclude_answers", "_selected_action": [doubtful.pk]})
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    blank = client.post(
        changelist, {"action": "exclude_answers", "_selected_action": [doubtful.pk], "reason": " ", "apply": "1"}
    )
    assert blank.status_code == 200
    doubtful.refresh_from_db()
    assert not doubtful.excluded and not ResponseReview.objects.exists()

    client.post(
        changelist,
        {"action": "exclude_answers", "_selected_action": [doubtful.pk], "reason": "同一号码重复受访", "apply": "1"},
    )
    doubtful.refresh_from_db()
    assert doubtful.excluded
    (audit,) = ResponseReview.objects.all()
    assert (audit.response, audit.excluded, audit.reason, audit.by) == (doubtful, True, "同一号码重复受访", evaluator)
    assert audit.at is not None
    services.cycle_compute(cycle=cycle, by=evaluator)
    result = card(cycle, project)
    assert (result.response_count, result.excluded_count, result.satisfaction_score) == (2, 1, 100)

    services.responses_review(responses=[doubtful], by=evaluator, excluded=False, reason="核实为真实受访者")
    doubtful.refresh_from_db()
    assert not doubtful.excluded
    assert list(ResponseReview.objects.order_by("at", "pk").values_list("excluded", flat=True)) == [True, False]
    services.cycle_compute(cycle=cycle, by=evaluator)
    assert card(cycle, project).response_count == 3
    suspicious = client.get(changelist, {"suspicious__exact": "1"})
    assert suspicious.status_code == 200


@pytest.mark.parametrize("who", ["official", "manager", "supervisor", "resident"])
def test_exclusion_is_refused_to_non_evaluators(who, request, client, cycle, project):
    third_party(cycle, project, (5, 10))
    answer = SurveyResponse.objects.get()
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.responses_review(responses=[answer], by=user, excluded=True, reason="我不喜欢")
    client.force_login(user)
    response = client.post(
        reverse("admin:evaluation_surveyresponse_changelist"),
        {"action": "exclude_answers", "_selected_action": [answer.pk], "reason": "我不喜欢", "apply": "1"},
    )
    assert response.status_code in (302, 403)
    answer.refresh_from_db()
    assert not answer.excluded and not ResponseReview.objects.exists()


def test_a_closed_cycle_answers_cannot_be_excluded(cycle, project, evaluator):
    third_party(cycle, project, (5, 10))
    answer = SurveyResponse.objects.get()
    services.cycle_compute(cycle=cycle, by=evaluator)
    services.cycle_close(cycle=cycle, by=evaluator, reason="第三方测评已提前完成", send_reports=False)
    with pytest.raises(services.EvaluationError):
        services.responses_review(responses=[answer], by=evaluator, excluded=True, reason="太晚了")
    answer.refresh_from_db()
    assert not answer.excluded and not ResponseReview.objects.exists()
