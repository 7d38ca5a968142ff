"""Residents' pages and the read API: the survey (one answer per person/device) and published results."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.models import (
    CycleState,
    Grade,
    RectificationOrder,
    ReviewCycle,
    Scorecard,
    Survey,
    SurveyResponse,
)
from tests import factories

from .conftest import EARLY, answer, inspect


def test_survey_one_answer_per_device_and_per_resident(client, cycle, project, resident):
    survey = Survey.objects.get(cycle=cycle, project=project)
    url = survey.get_absolute_url()
    assert client.get(url).status_code == 200
    data = {"satisfaction": "4", "happiness": "8", "comment": "电梯很方便"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 409  # same cookie
    assert SurveyResponse.objects.filter(survey=survey).count() == 1

    client.force_login(resident)
    assert client.post(url, data).status_code == 302
    client.cookies.pop("cw_survey_device")
    assert client.post(url, data).status_code == 409  # same account, other device
    assert SurveyResponse.objects.filter(survey=survey).count() == 2


def test_survey_rejects_bad_input_and_closed_cycle(client, cycle, project, evaluator):
    survey = Survey.objects.get(cycle=cycle, project=project)
    assert client.post(survey.get_absolute_url(), {"satisfaction": "9", "happiness": "x"}).status_code == 400
    cycle.state = "closed"
    cycle.closed_at = cycle.opened_at
    cycle.save()
    assert client.post(survey.get_absolute_url(), {"satisfaction": "4", "happiness": "5"}).status_code == 400
    assert not SurveyResponse.objects.exists()


def test_qr_code_points_to_the_survey(client, cycle, project):
    survey = Survey.objects.get(cycle=cycle, project=project)
    response = client.get(reverse("evaluation:survey_qr", args=[survey.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def publish(cycle, evaluator, captured):
    services.cycle_compute(cycle=cycle, by=evaluator)
    with captured(execute=True):
        services.cycle_close(cycle=cycle, by=evaluator, reason=EARLY)
    services.cycle_publish(cycle=cycle, by=evaluator)


def test_results_are_public_only_once_published(client, cycle, project, evaluator, django_capture_on_commit_callbacks):
    answer(cycle, project, (5, 9), (4, 8))
    url = reverse("evaluation:cycle", args=[2026, 3])
    api = reverse("evaluation-api-scorecards", args=[2026, 3])
    services.cycle_compute(cycle=cycle, by=evaluator)
    assert client.get(url).status_code == 404
    assert client.get(api).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        services.cycle_close(cycle=cycle, by=evaluator, reason=EARLY)
    services.cycle_publish(cycle=cycle, by=evaluator)
    page = client.get(url)
    assert page.status_code == 200
    assert project.title in page.content.decode()
    assert "No project needed a rectification order" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    RectificationOrder.objects.create(
        cycle=cycle, project=project, department=project.lead_unit, responsible_person="王建国",
        findings="电梯运行噪音超标，需更换曳引机减震垫。", deadline=date(2026, 11, 30), issued_by=evaluator,
    )  # fmt: skip
    page = client.get(url).content.decode()
    assert "整改通知" in page or "责令整改" in page
    assert "王建国" in page and "电梯运行噪音超标" in page and "2026-11-30" in page
    data = client.get(api).json()
    assert {row["project_code"] for row in data["results"]} == {"MX-2026-001", "MX-2026-002"}
    assert client.get(reverse("evaluation-api-cycles")).json()["results"][0]["year"] == 2026


def test_results_show_the_trend_and_before_after(
    client, scheme, cycle, project, evaluator, django_capture_on_commit_callbacks
):
    answer(cycle, project, (2, 5), (4, 6))  # 50 % satisfied
    publish(cycle, evaluator, django_capture_on_commit_callbacks)
    q4 = services.cycle_create(year=2026, quarter=4, by=evaluator, scheme=scheme)
    q4.projects.set([project])
    services.cycle_open(cycle=q4, by=evaluator)
    answer(q4, project, (5, 9), (4, 8))  # 100 % satisfied
    publish(q4, evaluator, django_capture_on_commit_callbacks)

    page = client.get(reverse("evaluation:cycle", args=[2026, 4])).content.decode()
    assert "50.0%" in page and "100.0%" in page
    assert "<polyline" in page
    trend = client.get(reverse("evaluation-api-trend")).json()
    assert [row["label"] for row in trend] == ["2026Q3", "2026Q4"]


@pytest.mark.parametrize("n", [5, 50])
def test_results_page_query_count(
    n, client, cycle, evaluator, lead_department, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    cycle.projects.add(*factories.projects(n, lead_unit=lead_department))
    publish(cycle, evaluator, django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(9):  # + the quarter's rectification orders
        assert client.get(reverse("evaluation:cycle", args=[2026, 3])).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("evaluation-api-scorecards", args=[2026, 3])).status_code == 200


def test_index_page(client, cycle):
    page = client.get(reverse("evaluation:index"))
    assert page.status_code == 200
    assert "望江社区老旧小区加装电梯" in page.content.decode()  # its survey is open


def test_inspection_fixture_signs_off(cycle, project, evaluator):
    inspection = inspect(cycle, project, "88", evaluator)
    assert inspection.signed_off_by == evaluator


def test_results_filter_by_district_and_category(
    client, cycle, project, other_project, evaluator, django_capture_on_commit_callbacks
):
    publish(cycle, evaluator, django_capture_on_commit_callbacks)
    url = reverse("evaluation:cycle", args=[2026, 3])
    page = client.get(url, {"district": project.district.code}).content.decode()
    assert project.code in page and other_project.code not in page
    page = client.get(url, {"category": other_project.category.code}).content.decode()
    assert other_project.code in page and project.code not in page
    response = client.get(url, {"district": "<script>"})
    assert response.status_code == 200 and project.code in response.content.decode()


def test_survey_page_query_count(client, cycle, project, django_assert_max_num_queries):
    survey = Survey.objects.get(cycle=cycle, project=project)
    with django_assert_max_num_queries(4):
        assert client.get(survey.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(reverse("evaluation:index")).status_code == 200


def test_survey_poster_shows_the_qr_and_link(client, cycle, project):
    survey = Survey.objects.get(cycle=cycle, project=project)
    page = client.get(reverse("evaluation:survey_poster", args=[survey.token])).content.decode()
    assert reverse("evaluation:survey_qr", args=[survey.token]) in page
    assert survey.get_absolute_url() in page


def test_answering_a_survey_signed_in_earns_participation_points(
    client, cycle, project, resident, django_capture_on_commit_callbacks
):
    from participation.models import PointsEntry

    survey = Survey.objects.get(cycle=cycle, project=project)
    data = {"satisfaction": "5", "happiness": "9"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(survey.get_absolute_url(), data).status_code == 302  # anonymous: no account to pay
    client.force_login(resident)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(survey.get_absolute_url(), data).status_code == 302
    response = SurveyResponse.objects.get(survey=survey, user=resident)
    entry = PointsEntry.objects.get()
    assert (entry.user, entry.reason, entry.source_key) == (resident, "survey_answered", f"survey:{response.pk}")


def test_the_trend_rounds_its_averages_half_up_on_every_database(client, scheme, project, other_project):
    """Totals 60, 70 and 69.95 average 66.65 and satisfied shares 50, 66.67 and 100 average 72.2233….

    The API gave the raw average, 72.2233333333333 from SQLite but 72.22333333333333 from
    PostgreSQL; the page rounded 66.65 half to even (66.6) where the scorecards round half up.
    """
    third = factories.projects(1, lead_unit=project.lead_unit)[0]
    published = ReviewCycle.objects.create(year=2026, quarter=2, scheme=scheme, state=CycleState.PUBLISHED)
    for p, total, share in ((project, "60", "50"), (other_project, "70", "66.67"), (third, "69.95", "100")):
        Scorecard.objects.create(cycle=published, project=p, total=D(total), satisfied_share=D(share), grade=Grade.PASS)

    (row,) = client.get(reverse("evaluation-api-trend")).json()
    assert (row["average"], row["satisfied"]) == (66.65, 72.22)
    page = client.get(reverse("evaluation:index")).content.decode()
    assert ">66.7</meter> 66.7<" in page and ">72.2%</meter> 72.2%<" in page
