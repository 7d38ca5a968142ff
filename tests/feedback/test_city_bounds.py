"""Reports from outside the city are refused on every intake path, unless they are about a project.

The city is the union of its districts' boundaries (the demo: four rectangles around 30.6–30.72 N,
103.98–104.14 E). Latitude 90, longitude 180 was accepted and its hotspot cell had corners
outside GeoJSON's coordinate range.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from feedback import services
from feedback.models import ApiKey, Channel, DispatchOutbox, Report
from projects.models import District

from .conftest import INSIDE_WANGJIANG
from .test_pages import form_data

OUTSIDE = [(90, 180), (-90, -180), (31.5, 105.0), (30.65, 103.97)]  # the poles, far away, just west
OUTSIDE_MESSAGE = "This place is outside the city"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def nothing_stored() -> bool:
    return not Report.objects.exists() and not DispatchOutbox.objects.exists()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(("latitude", "longitude"), OUTSIDE)
def test_the_service_refuses_a_place_outside_the_city(road, latitude, longitude):
    with pytest.raises(ValidationError) as error:
        services.report_submit(category=road, text="坑", latitude=latitude, longitude=longitude)
    assert OUTSIDE_MESSAGE in error.value.message_dict["latitude"][0]
    assert nothing_stored()


def test_a_point_on_the_city_edge_is_inside(road):
    report = services.report_submit(category=road, text="坑", latitude=30.60, longitude=104.14)  # SE corner
    assert report.district.code == "gaoxin"


def test_a_report_about_a_project_may_be_placed_outside_near_the_project(road, project):
    just_outside = (30.6595, 103.9795)  # beyond 锦华区's west edge, a few dozen metres away
    report = services.report_submit(
        category=road, text="工地围挡倒了", latitude=just_outside[0], longitude=just_outside[1], project=project
    )
    assert report.project == project and report.district == project.district
    # Still on Earth: a project does not lift the coordinate range.
    with pytest.raises(ValidationError):
        services.report_submit(category=road, text="坑", latitude=91, longitude=180, project=project)
    assert Report.objects.count() == 1


def test_without_any_district_boundary_only_the_range_is_checked(road):
    """A fresh install has no boundaries yet: the city cannot be told from elsewhere, so any place on Earth."""
    District.objects.update(boundary={})
    report = services.report_submit(category=road, text="坑", latitude=31.5, longitude=105.0)
    assert report.district is None
    with pytest.raises(ValidationError):
        services.report_submit(category=road, text="坑", latitude=90.5, longitude=105.0)
    assert Report.objects.count() == 1


def test_a_report_without_a_pin_is_not_placed_anywhere(road):
    report = services.report_submit(category=road, text="坑", latitude=None, longitude=None, address="望江路12号")
    assert report.latitude is None


def test_the_web_form_shows_the_error_at_the_map(client, road):
    response = client.post(reverse("feedback:submit"), form_data(road, latitude=90, longitude=180), **EN)
    assert response.status_code == 400
    assert OUTSIDE_MESSAGE in response.content.decode()
    assert nothing_stored()


def test_the_service_window_is_refused_too(client, road, official):
    client.force_login(official)
    response = client.post(reverse("feedback:submit"), form_data(road, latitude=31.5, longitude=105.0, via="window"))
    assert response.status_code == 400 and nothing_stored()
    client.post(reverse("feedback:submit"), form_data(road, via="window"))
    assert Report.objects.get().channel == Channel.WINDOW


def test_the_api_answers_400_with_the_message(client, road):
    body = {"category": "road", "text": "井盖缺失", "latitude": 90, "longitude": 180}
    response = client.post("/api/v1/reports/", body, content_type="application/json", **EN)
    assert response.status_code == 400
    assert OUTSIDE_MESSAGE in response.json()["latitude"][0]
    assert nothing_stored()
    inside = {**body, "latitude": INSIDE_WANGJIANG[0], "longitude": INSIDE_WANGJIANG[1]}
    assert client.post("/api/v1/reports/", inside, content_type="application/json").status_code == 201


def test_open311_answers_400_in_its_error_format(client, road):
    data = {
        "api_key": ApiKey.objects.create(name="App").key, "service_code": "road",
        "description": "路面塌陷", "lat": "90", "long": "180",
    }  # fmt: skip
    response = client.post("/open311/v2/requests.json", data, **EN)
    assert response.status_code == 400
    (error,) = response.json()
    assert error["code"] == 400 and OUTSIDE_MESSAGE in error["description"]
    assert nothing_stored()
    xml = client.post("/open311/v2/requests.xml", data, **EN)
    assert xml.status_code == 400 and OUTSIDE_MESSAGE in xml.content.decode()
    assert nothing_stored()
