"""Every console page of the evaluation app opens for the people who use it; the import page reports bad rows."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluation import services
from evaluation.models import (
    Inspection,
    ManualIndicator,
    RectificationOrder,
    Scorecard,
    Survey,
    SurveyResponse,
)
from tests import factories

from .conftest import answer, inspect

MODELS = [
    "weightingscheme",
    "reviewcycle",
    "survey",
    "manualindicator",
    "indicatorvalue",
    "inspection",
    "scorecard",
    "rectificationorder",
    "accountabilityrecord",
    "departmentreport",
    "surveyresponse",
    "responsereview",
    "invitationcode",
]


def test_every_page_opens_for_the_evaluator(client, evaluator, cycle, project, other_project):
    answer(cycle, project, (1, 2), (2, 3))
    inspect(cycle, project, "40", evaluator)
    ManualIndicator.objects.create(cycle=cycle, project=project, name="亮灯率", target=100, actual=90)
    services.cycle_compute(cycle=cycle, by=evaluator)
    services.orders_issue(cycle=cycle, by=evaluator)
    client.force_login(evaluator)
    for name in MODELS:
        assert client.get(reverse(f"admin:evaluation_{name}_changelist")).status_code == 200, name
    objects = {
        "reviewcycle": cycle,
        "survey": Survey.objects.get(cycle=cycle, project=project),
        "manualindicator": ManualIndicator.objects.get(),
        "inspection": Inspection.objects.get(project=project),
        "scorecard": Scorecard.objects.get(project=project),
        "rectificationorder": RectificationOrder.objects.get(project=project),
        "surveyresponse": SurveyResponse.objects.first(),
    }
    for name, obj in objects.items():
        assert client.get(reverse(f"admin:evaluation_{name}_change", args=[obj.pk])).status_code == 200, name
    for name in ("reviewcycle", "manualindicator", "inspection", "weightingscheme"):
        assert client.get(reverse(f"admin:evaluation_{name}_add")).status_code == 200, name


def test_official_sees_only_the_department_pages(client, official, cycle):
    client.force_login(official)
    assert client.get(reverse("admin:evaluation_scorecard_changelist")).status_code == 200
    assert client.get(reverse("admin:evaluation_rectificationorder_changelist")).status_code == 200
    assert client.get(reverse("admin:evaluation_reviewcycle_changelist")).status_code == 403
    assert client.get(reverse("admin:evaluation_manualindicator_add")).status_code == 403


def test_import_page_lists_every_bad_row_and_imports_nothing(client, evaluator, cycle):
    client.force_login(evaluator)
    url = reverse("admin:evaluation_import", args=[cycle.pk])
    bad = b"project_code,respondent_ref,satisfaction,happiness\nMX-2026-001,A,7,5\nMX-2026-001,B,4,5\nNOPE,C,4,5\n"
    response = client.post(url, {"file": SimpleUploadedFile("r.csv", bad, "text/csv")})
    assert response.status_code == 400
    page = response.content.decode()
    assert "第 2 行" in page and "第 4 行" in page and "第 3 行" not in page  # the console speaks Chinese
    assert not SurveyResponse.objects.exists()

    good = b"project_code,respondent_ref,satisfaction,happiness\nMX-2026-001,A,5,5\n"
    response = client.post(url, {"file": SimpleUploadedFile("r.csv", good, "text/csv")})
    assert response.status_code == 302
    assert SurveyResponse.objects.get().external_ref == "A"


def test_adding_a_project_to_an_open_cycle_in_the_console_gives_it_a_survey(client, evaluator, cycle, lead_department):

    (extra,) = factories.projects(1, lead_unit=lead_department)
    client.force_login(evaluator)
    url = reverse("admin:evaluation_reviewcycle_change", args=[cycle.pk])
    page = client.get(url).content.decode()
    assert "2 个项目" in page or "2 projects" in page
    data = {
        "year": cycle.year,
        "quarter": cycle.quarter,
        "scheme": cycle.scheme_id,
        "projects": [p.pk for p in cycle.projects.all()] + [extra.pk],
        "survey_closes_on": cycle.survey_closes_on.isoformat(),
        "organisation": "第三方",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Survey.objects.filter(cycle=cycle, project=extra).exists()
