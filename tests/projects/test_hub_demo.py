"""The demo's showcase project (projects.demo.SHOWCASE): every panel of its page full, and consistent
with the community and the departments it names."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from evaluation.models import ReviewCycle
from feedback.models import Report
from participation.models import Need
from projects.demo import SHOWCASE
from projects.models import Project

pytestmark = pytest.mark.django_db


def test_the_showcase_fills_every_panel_consistently(client):
    sizes = ["--projects", "12", "--reports", "60", "--responses", "120"]
    call_command("seed_demo", "--quiet-logins", *sizes, stdout=StringIO())
    project = Project.objects.select_related("community", "lead_unit").get(code=SHOWCASE)
    data = json.loads(client.get(reverse("projects-api:detail", args=[SHOWCASE])).content)

    score = data["score"]
    assert len(score["trend"]) >= 2 and score["latest"]["grade"]
    assert all(score["latest"][part] for part in ("satisfaction", "acceptance", "indicators"))
    open_cycle = ReviewCycle.objects.filter(surveys__project=project, state="open").first()
    assert (score["survey"] is not None) == bool(open_cycle and open_cycle.takes_answers())

    orders = data["rectification"]
    assert orders["open"] and orders["closed"] and orders["accountability"]
    assert all(o["answer"] for o in orders["open"] + orders["closed"])
    assert {o["department"] for o in orders["open"] + orders["closed"]} == {project.lead_unit.name}

    assert data["reports"]["total"] >= 3 and len(data["reports"]["by_status"]) >= 2
    about = Report.objects.filter(project=project)
    assert set(about.values_list("community", flat=True)) == {project.community_id}

    assert data["needs"] and all(n["supporters"] > 0 for n in data["needs"])
    assert set(Need.objects.filter(project_links__project=project).values_list("community", flat=True)) == {
        project.community_id
    }
    assert data["cocreation"]["winner"] and not data["cocreation"]["open"]
