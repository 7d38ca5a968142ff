"""Query counts do not grow with the number of projects (pinned with 5 and 50)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

PAGES = {
    "home": ("/", 6),
    "list page": ("/projects/", 6),
    "list API": ("/api/v1/projects/", 3),
    "map API": ("/api/v1/projects/map/?bbox=103.9,30.5,104.3,30.9&zoom=15", 2),
    "map API clustered": ("/api/v1/projects/map/?zoom=9", 2),
}


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", PAGES)
def test_lists_cost_the_same_with_5_and_50_projects(client, make_projects, django_assert_max_num_queries, name):
    url, limit = PAGES[name]
    make_projects(5)
    with django_assert_max_num_queries(limit):
        few = count(client, url)
    make_projects(45)
    with django_assert_max_num_queries(limit):
        many = count(client, url)
    assert few == many


def test_project_page_and_api_detail_are_constant(client, make_projects, django_assert_max_num_queries):
    projects = make_projects(5)
    # The page: the project with its prefetches, one for the Follow buttons' counts, and the
    # panels of the other apps (projects.panels; tests/projects/test_hub.py pins them with many rows).
    with django_assert_max_num_queries(17):
        few_page = count(client, f"/projects/{projects[0].code}/")
    with django_assert_max_num_queries(16):
        few_api = count(client, f"/api/v1/projects/{projects[0].code}/")
    projects = make_projects(45)
    with django_assert_max_num_queries(17):
        many_page = count(client, f"/projects/{projects[-1].code}/")
    with django_assert_max_num_queries(16):
        many_api = count(client, f"/api/v1/projects/{projects[-1].code}/")
    assert (few_page, few_api) == (many_page, many_api)
