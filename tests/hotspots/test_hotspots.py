"""Hotspots: counts in grid cells match hand-written SQL; constant queries; clear 400s; the page."""

import random
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.utils import timezone

from feedback.hotspot_params import HotspotQuery
from feedback.hotspots import cell_bounds, cell_counts
from tests import factories

API = "/api/v1/reports/hotspots/"
CELL = 0.01


def _centre(x: int, y: int, rng: random.Random) -> tuple[float, float]:
    """A point well inside cell (x, y): the SQL check below must not hinge on float edges."""
    return (y + 0.2 + 0.6 * rng.random()) * CELL, (x + 0.2 + 0.6 * rng.random()) * CELL


@pytest.fixture
def scattered(road, categories):
    """~120 reports over 12 cells: this period, the previous one, older, hidden, other category."""
    rng = random.Random(11)
    cells = [(10398 + i, 3060 + j) for i in range(4) for j in range(3)]
    for x, y in cells:
        for _ in range(rng.randint(1, 6)):
            factories.filed_report(category=road, at=_centre(x, y, rng), days_ago=rng.uniform(0.1, 29))
        for _ in range(rng.randint(0, 4)):
            factories.filed_report(category=road, at=_centre(x, y, rng), days_ago=rng.uniform(31, 59))
        factories.filed_report(category=road, at=_centre(x, y, rng), days_ago=75)  # before both periods
        factories.filed_report(category=road, at=_centre(x, y, rng), days_ago=2, is_hidden=True)
        factories.filed_report(category=categories["garbage"], at=_centre(x, y, rng), days_ago=3)
    return cells


def _query(**changes) -> HotspotQuery:
    today = timezone.localdate()
    values = {"since_date": today - timedelta(days=29), "until_date": today, "cell": CELL, "bbox": None}
    return HotspotQuery(**{**values, "category_id": None, **changes})


def _sql_count(bounds, since, until, category_id=None) -> int:
    west, south, east, north = bounds
    sql = (
        "SELECT COUNT(*) FROM feedback_report WHERE is_hidden = %s"
        " AND latitude >= %s AND latitude < %s AND longitude >= %s AND longitude < %s"
        " AND submitted_at >= %s AND submitted_at < %s"
    )
    params = [False, south, north, west, east, since, until]
    if category_id:
        sql += " AND category_id = %s"
        params.append(category_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


@pytest.mark.parametrize("with_category", [False, True])
def test_cell_counts_equal_hand_written_sql(scattered, road, with_category):
    query = _query(category_id=road.pk if with_category else None)
    cells = {(c["x"], c["y"]): c for c in cell_counts(query)}
    assert set(cells) == set(scattered)
    for x, y in random.Random(3).sample(scattered, 6):
        bounds = cell_bounds(x, y, CELL)
        category = road.pk if with_category else None
        assert cells[(x, y)]["count"] == _sql_count(bounds, query.since, query.until, category)
        assert cells[(x, y)]["previous"] == _sql_count(bounds, query.previous_since, query.since, category)


def test_counts_in_a_bbox_leave_out_other_cells(scattered):
    x, y = scattered[0]
    west, south, east, north = cell_bounds(x, y, CELL)
    inside = (west + 0.001, south + 0.001, east - 0.001, north - 0.001)
    from feedback.hotspot_params import snap

    cells = cell_counts(_query(bbox=snap(inside, CELL)))
    assert [(c["x"], c["y"]) for c in cells] == [(x, y)]


def test_api_returns_rfc7946_cells_with_change_and_top_table(client, road):
    rng = random.Random(1)
    for _ in range(5):
        factories.filed_report(category=road, at=_centre(10399, 3069, rng), days_ago=1)  # 望江社区, 5 now
    for _ in range(2):
        factories.filed_report(category=road, at=_centre(10399, 3069, rng), days_ago=40)  # and 2 before
    factories.filed_report(category=road, at=_centre(10405, 3062, rng), days_ago=1)
    factories.filed_report(category=road, at=_centre(10410, 3064, rng), days_ago=1, is_hidden=True)  # hidden: no cell

    response = client.get(API)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 2
    first = data["features"][0]
    ring = first["geometry"]["coordinates"][0]
    assert first["geometry"]["type"] == "Polygon" and ring[0] == ring[-1] and len(ring) == 5
    assert ring[0] == pytest.approx([103.99, 30.69])
    assert first["properties"] | {"bbox": None} == {
        "count": 5, "previous": 2, "change": 3, "change_percent": 150, "level": 5, "bbox": None,
    }  # fmt: skip
    assert data["total"] == 6
    top = data["top"]
    assert [row["count"] for row in top] == [5, 1]
    assert top[0]["community"] == "望江社区"
    assert top[1]["change_percent"] is None  # nothing before: no percentage
    assert "reporter_phone" not in response.content.decode()


def test_cells_at_the_edge_of_the_world_stay_within_geojson_range(client, road):
    """A report at latitude 90, longitude 180 (outside the city, so only about a project) made a
    cell whose corners were 180.01 and 90.01: not GeoJSON coordinates."""
    factories.filed_report(category=road, at=(90, 180), days_ago=1)
    factories.filed_report(category=road, at=(-90, -180), days_ago=1)

    features = client.get(API).json()["features"]

    assert len(features) == 2
    for feature in features:
        for lng, lat in feature["geometry"]["coordinates"][0]:
            assert -180 <= lng <= 180 and -90 <= lat <= 90
        west, south, east, north = feature["properties"]["bbox"]
        assert -180 <= west <= east <= 180 and -90 <= south <= north <= 90


@pytest.mark.parametrize("accept", ["application/geo+json", "application/json", "*/*"])
def test_api_speaks_geojson_and_json(client, categories, accept):
    response = client.get(API, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == ("application/json" if accept == "application/json" else "application/geo+json")


def test_query_count_does_not_grow_with_reports(client, road, settings, django_assert_num_queries):
    settings.CIVICWORKS_HOTSPOT_CACHE_SECONDS = 0
    rng = random.Random(5)

    def file(n):
        for _ in range(n):
            factories.filed_report(
                category=road,
                at=(30.6 + 0.12 * rng.random(), 103.98 + 0.16 * rng.random()),
                days_ago=rng.uniform(0, 59),
            )

    file(5)
    with django_assert_num_queries(3):  # category, cells, community names
        assert client.get(API, {"category": "road"}).status_code == 200
    file(45)
    with django_assert_num_queries(3):
        response = client.get(API, {"category": "road"})
    assert sum(f["properties"]["count"] for f in response.json()["features"]) > 5


def test_answer_is_cached_per_parameters(client, road, django_assert_num_queries):
    factories.filed_report(category=road, at=(30.695, 103.995))
    assert client.get(API).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(API).json()["total"] == 1
    factories.filed_report(category=road, at=(30.695, 103.995))
    assert client.get(API, {"bbox": "103.9,30.6,104.2,30.8"}).json()["total"] == 2  # other key, fresh


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"bbox": "1,2,3"}, "bbox must be four numbers"),
        ({"bbox": "a,b,c,d"}, "bbox must be four numbers"),
        ({"bbox": "104.1,30.6,103.9,30.8"}, "west < east"),
        ({"bbox": "90,10,120,40"}, "too large"),
        ({"since": "2026-13-01"}, "Enter a valid date"),
        ({"since": "2026-05-01", "until": "2026-04-01"}, "must not be after"),
        ({"since": "2024-01-01", "until": "2026-01-01"}, "at most 366 days"),
        ({"category": "no-such-thing"}, "Unknown category"),
        ({"cell": "0.3"}, "cell must be one of"),
    ],
)
def test_bad_parameters_get_a_clear_400(client, categories, params, message):
    response = client.get(API, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_bad_parameters_are_explained_in_chinese(client, categories):
    response = client.get(API, {"bbox": "x"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert re.search(r"[\u4e00-\u9fff]", response.json()["error"])


# --- The residents' page ---------------------------------------------------------------------


def test_page_lists_top_hotspots_without_javascript(client, road):
    for _ in range(3):
        factories.filed_report(category=road, at=(30.695, 103.995))
    response = client.get("/hotspots/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["top"][0]["community"] == "望江社区"
    assert "望江社区" in html and "hotspots-level-5" in html
    assert 'id="hotspots-map"' in html and "/api/v1/reports/hotspots/?" in html
    assert "<script>" not in html and "style=" not in html and " onclick" not in html
    assert "/admin/feedback/report/" not in html  # residents get no console links


def test_page_with_bad_filters_shows_the_error_and_defaults(client, categories):
    response = client.get("/hotspots/", {"since": "2026-05-01", "until": "2026-04-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "must not be after" in response.content.decode()


def test_page_filters_by_category(client, road, categories):
    factories.filed_report(category=categories["garbage"], at=(30.615, 104.125))
    factories.filed_report(category=road, at=(30.695, 103.995))
    html = client.get("/hotspots/", {"category": "garbage"}).content.decode()
    assert "category=garbage" in html
    assert "0.695" not in html and "30.615" in html


def test_official_opens_only_their_departments_reports_behind_a_cell(
    client, official, road, lead_department, other_department
):
    mine = factories.filed_report(category=road, at=(30.695, 103.995), department=lead_department)
    theirs = factories.filed_report(category=road, at=(30.696, 103.996), department=other_department)
    elsewhere = factories.filed_report(category=road, at=(30.615, 104.125), department=lead_department)
    client.force_login(official)
    html = client.get("/hotspots/").content.decode()
    links = re.findall(r'href="(/admin/feedback/report/\?[^"]+)"', html)
    cell_link = next(link for link in links if "latitude__gte=30.69" in link.replace("&amp;", "&"))
    url = cell_link.replace("&amp;", "&")
    assert parse_qs(urlsplit(url).query)["longitude__lt"] == ["104.0"]
    listing = client.get(url)
    assert listing.status_code == 200
    codes = {r.tracking_code for r in listing.context["cl"].result_list}
    assert codes == {mine.tracking_code}
    assert theirs.tracking_code not in codes and elsewhere.tracking_code not in codes


@pytest.mark.parametrize("highest", [1, 3, 5, 6, 17, 1000])
def test_legend_and_levels_agree(highest):
    from feedback.hotspots import legend, level_of

    rows = legend(highest)
    assert rows[-1]["level"] == 5 and rows[-1]["high"] == highest and rows[0]["low"] == 1
    for count in range(1, highest + 1):
        (row,) = [r for r in rows if r["low"] <= count <= r["high"]]
        assert level_of(count, highest) == row["level"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_date_fields_show_iso_dates_in_both_languages(client, categories, language):
    """The page opens on the default period: the date inputs must get values they accept."""
    response = client.get("/hotspots/", HTTP_ACCEPT_LANGUAGE=language)
    query, page = response.context["query"], response.content.decode()
    assert f'value="{query.since_date.isoformat()}"' in page
    assert f'value="{query.until_date.isoformat()}"' in page
