"""The demo city's projects: about forty, every stage, the article's kinds, idempotent, fast at size."""

import io

import pytest

from projects import demo, selectors
from projects.models import Project, Stage

pytestmark = pytest.mark.django_db


def test_demo_projects_are_complete_and_idempotent(city):
    demo.seed(options={"projects": 40}, stdout=io.StringIO())
    demo.seed(options={"projects": 40}, stdout=io.StringIO())
    assert Project.objects.count() == 40
    assert set(Project.objects.values_list("stage", flat=True)) == set(Stage.values)
    titles = "".join(Project.objects.values_list("title", flat=True))
    for word in ("加装电梯", "公共厕所", "儿童游乐", "口袋公园", "共享菜园", "路灯", "老旧小区综合改造"):
        assert word in titles
    assert Project.objects.values("district").distinct().count() == 4
    figures = selectors.project_list()
    assert figures.filter(over_budget=True).exists()
    assert figures.filter(overdue_milestones__gt=0).exists()
    for project in Project.objects.exclude(stage__in=["planned"]):
        assert project.people.count() == 3
        assert project.milestones.count() == 6
    assert Project.objects.filter(stage="completed", percent_complete=100, actual_completion__isnull=False).count() == (
        Project.objects.filter(stage="completed").count()
    )


def test_large_sizes_use_bulk_rows(city, django_assert_max_num_queries):
    demo.seed(options={"projects": 40}, stdout=io.StringIO())
    # Fewer queries than rows: batches (the directory and the detailed forty cost a fixed ~500).
    with django_assert_max_num_queries(1000):
        demo.seed(options={"projects": 2040}, stdout=io.StringIO())
    assert Project.objects.count() == 2040
