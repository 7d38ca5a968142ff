"""The demo city's projects: about forty, every stage, the article's kinds, idempotent, fast at size."""

import io
import re

import pytest

from projects import demo, selectors
from projects.demo_stories import COMMUNITY_PLACES
from projects.models import ProgressUpdate, Project, Stage

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


# A word of each category's work that every payment of a project of that category names.
PAYMENT_WORDS = {
    "elevator": "电梯", "toilet": "公厕", "playground": "游乐", "pocket-park": "口袋公园", "garden": "共享菜园",
    "lighting": "路灯", "renewal": "改造", "road": "道路", "elderly": "养老服务站", "parking": "停车",
}  # fmt: skip


def test_each_project_tells_its_own_story(city):
    """Updates name the project's place and agree with its figures; payments say what they pay for."""
    demo.seed(options={"projects": 40}, stdout=io.StringIO())
    updates = list(ProgressUpdate.objects.select_related("project"))
    by_text = {}
    for update in updates:
        by_text.setdefault(update.text, set()).add(update.project_id)
        said = re.search(r"总体进度(\d+)%", update.text)
        assert said is None or int(said.group(1)) == update.percent_complete, update.text
    assert all(len(projects) == 1 for projects in by_text.values())
    for project in Project.objects.select_related("category", "community").prefetch_related("expenditures"):
        places = [project.community.name, *(n for names in COMMUNITY_PLACES[project.community.name] for n in names)]
        purposes = [e.purpose for e in project.expenditures.all()]
        assert len(purposes) == len(set(purposes)), project.code
        for purpose in purposes:
            assert PAYMENT_WORDS[project.category.code] in purpose and any(p in purpose for p in places), purpose
    stories = [u.text for u in ProgressUpdate.objects.filter(project__code=demo.SHOWCASE).order_by("created_at")]
    assert stories[0].startswith("望江社区老旧小区综合改造立项批复") and "正在" in stories[-1]


def test_the_same_seed_tells_the_same_stories(city):
    demo.seed(options={"projects": 12}, stdout=io.StringIO())
    first = sorted(ProgressUpdate.objects.values_list("text", flat=True))
    Project.objects.all().delete()
    demo.seed(options={"projects": 12}, stdout=io.StringIO())
    assert sorted(ProgressUpdate.objects.values_list("text", flat=True)) == first
