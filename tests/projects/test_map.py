"""The map endpoint: RFC 7946 GeoJSON for a bbox; clusters counted in SQL when zoomed out."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/projects/map/"


def assert_feature_collection(body: dict) -> None:
    assert body["type"] == "FeatureCollection"
    for feature in body["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        lng, lat = feature["geometry"]["coordinates"]  # RFC 7946: longitude first
        assert -180 <= lng <= 180 and -90 <= lat <= 90
        assert isinstance(feature["properties"], dict)


def test_bbox_returns_only_projects_inside(client, project, other_project):
    response = client.get(URL, {"bbox": "103.95,30.65,104.03,30.72", "zoom": 15})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    body = response.json()
    assert_feature_collection(body)
    assert body["bbox"] == [103.95, 30.65, 104.03, 30.72]
    assert [f["properties"]["code"] for f in body["features"]] == [project.code]
    props = body["features"][0]["properties"]
    assert body["features"][0]["geometry"]["coordinates"] == [103.99, 30.69]
    assert props["stage"] == "construction" and props["percent_complete"] == 40
    assert props["url"] == f"/projects/{project.code}/"


def test_filters_apply_to_the_map(client, project, other_project):
    body = client.get(URL, {"stage": "design"}).json()
    assert [f["properties"]["code"] for f in body["features"]] == [other_project.code]
    # Years and ids out of range (found by schemathesis: 500s from PostgreSQL and SQLite) are a 400.
    for params in ({"year": "-420"}, {"year": "418463195239"}, {"department": "-1.39e259"}):
        response = client.get(URL, params)
        assert response.status_code == 400 and set(params) <= set(response.json()), params


def test_hidden_projects_stay_off_the_map(client, project):
    project.is_public = False
    project.save()
    assert client.get(URL).json()["features"] == []


def test_zoomed_out_returns_clusters(client, make_projects):
    projects = make_projects(30)
    body = client.get(URL, {"zoom": 8, "bbox": "103,30,105,31"}).json()
    assert_feature_collection(body)
    assert 0 < len(body["features"]) < len(projects)
    assert all(f["properties"]["cluster"] for f in body["features"])
    assert sum(f["properties"]["count"] for f in body["features"]) == 30
    zoomed_in = client.get(URL, {"zoom": 16, "bbox": "103,30,105,31"}).json()
    assert len(zoomed_in["features"]) == 30
    assert not any(f["properties"].get("cluster") for f in zoomed_in["features"])


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "1,2,3"},
        {"bbox": "a,b,c,d"},
        {"bbox": "105,30,104,31"},
        {"bbox": "0,-100,1,1"},
        {"zoom": "x"},
        {"zoom": 40},
        {"year": "abc"},
        {"stage": "finished"},
    ],
)
def test_bad_parameters_are_a_clear_400(client, params):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert set(response.json()) & {"bbox", "zoom", "year", "stage"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_features_built_by_the_database_equal_the_python_ones(project, other_project, language):
    """PostgreSQL builds the point features (hot path); SQLite builds them in Python: same answer."""
    import json

    from django.db import connection
    from django.urls import reverse
    from django.utils import translation

    from projects import selectors
    from projects.api import CODE_SLOT, _point_feature
    from projects.models import Project, Stage

    if connection.vendor != "postgresql":
        pytest.skip("the database-built path is PostgreSQL's")  # CI runs on PostgreSQL (REQUIRE_SERVICES)
    with translation.override(language):
        labels = {value: str(label) for value, label in Stage.choices}
        template = reverse("projects:detail", args=[CODE_SLOT])
        rows = selectors.map_points(projects=Project.objects.public(), bbox=None).order_by("code")
        built = json.loads(selectors.map_features_json(rows, stage_labels=labels, url_template=template,
                                                        code_slot=CODE_SLOT))  # fmt: skip
        assert built == [_point_feature(row, labels, template) for row in rows]
        assert len(built) == 2


def test_the_map_answers_304_until_a_project_changes(client, project, official, django_assert_num_queries):
    """The home map polls every 10 s: while nothing changed the answer is a 304 from one index probe."""
    from projects import services

    params = {"bbox": "103.9,30.6,104.2,30.8"}
    first = client.get(URL, params)
    etag = first["ETag"]
    assert first.status_code == 200 and "no-cache" in first["Cache-Control"]
    with django_assert_num_queries(1):
        assert client.get(URL, params, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(URL, {"bbox": "103.9,30.6,104.3,30.8"}, HTTP_IF_NONE_MATCH=etag).status_code == 200  # other view
    services.progress_record(project=project, by=official, stage="acceptance", percent=95, text="进入验收")
    changed = client.get(URL, params, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["features"][0]["properties"]["stage"] == "acceptance"
