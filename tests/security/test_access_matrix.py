"""Walk the whole access table (tests/security/access_table.py): every role × every action."""

import pytest
from django.apps import apps
from django.test import Client

from feedback import services

from .access_table import ACTIONS, ROLES, markdown

PERSONAS = [r for r in ROLES if r != "anonymous"]


@pytest.fixture
def world(request, road, project, other_project, official, django_capture_on_commit_callbacks):
    for name in PERSONAS:
        request.getfixturevalue(name)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(
            category=road, text="井盖缺失", project=project, latitude=30.69, longitude=103.99,
            reporter_name="金丝雀赵六", reporter_phone="13700001111", reporter_email="matrix@example.cn",
        )  # fmt: skip
    return {"project": project.code, "project_pk": project.pk, "other_project": other_project.code,
            "report_pk": report.pk, "users": {n: request.getfixturevalue(n) for n in PERSONAS}}  # fmt: skip


def outcome(action, response) -> str:
    if action["key"] == "api_report_contact":
        text = response.content.decode()
        return "ok" if "13700001111" in text or "matrix@example.cn" in text else "no"
    return "ok" if 200 <= response.status_code < 300 else "no"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS, ids=[a["key"] for a in ACTIONS])
def test_access(action, role, world):
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    url = action["url"].format(**world)
    model = apps.get_model(action["changes"]) if action["changes"] else None
    before = model.objects.count() if model else None
    if action["method"] == "GET":
        response = client.get(url)
    else:
        response = client.post(url, action["body"], content_type="application/json")
    got = outcome(action, response)
    assert got == action["expected"][role], f"{role} {action['key']}: {response.status_code}"
    if model is not None:
        assert model.objects.count() == before + (1 if got == "ok" else 0), "a refusal changed something"


def test_the_doc_shows_the_table_the_test_walks():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()
    assert markdown() in doc, "run .venv/bin/python tests/security/access_table.py"
