"""Open311 GeoReport v2: each endpoint against the spec's field lists and error format."""

import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from feedback import services
from feedback.models import ApiKey, Channel, Report

from .conftest import CANARY_EMAIL, CANARY_NAME, CANARY_PHONE, jpeg_bytes

BASE = "/open311/v2"
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip
ATTRIBUTE_FIELDS = {
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
}


def parse_xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 — our own response, not untrusted input


@pytest.fixture
def api_key(db) -> str:
    return ApiKey.objects.create(name="锦川市民通 App").key


@pytest.fixture
def reported(road, official, django_capture_on_commit_callbacks) -> Report:
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(
            category=road, text="路面塌陷", latitude=30.69, longitude=103.99, address="望江路1号",
            reporter_name=CANARY_NAME, reporter_phone=CANARY_PHONE, reporter_email=CANARY_EMAIL,
            photos=[SimpleUploadedFile("a.jpg", jpeg_bytes())],
        )  # fmt: skip
    return services.report_resolve(report=report, by=official, answer="已修复")


def assert_error_shape(response, status):
    assert response.status_code == status
    body = response.json()
    assert isinstance(body, list) and set(body[0]) == {"code", "description"} and body[0]["code"] == status
    assert body[0]["description"]


def test_discovery(client, db):
    body = client.get(f"{BASE}/discovery.json").json()
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(body)
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and set(endpoint["formats"]) == {"application/json", "text/xml"}
    xml = parse_xml(client.get(f"{BASE}/discovery.xml").content)
    assert xml.tag == "discovery" and xml.find("endpoints/endpoint/formats/format") is not None


def test_services_are_the_categories(client, categories):
    body = client.get(f"{BASE}/services.json").json()
    assert {s["service_code"] for s in body} == set(categories)
    assert all(set(s) == SERVICE_FIELDS for s in body)
    xml = parse_xml(client.get(f"{BASE}/services.xml").content)
    assert xml.tag == "services" and {e.tag for e in xml.find("service")} == SERVICE_FIELDS


def test_service_definition(client, road):
    body = client.get(f"{BASE}/services/road.json").json()
    assert body["service_code"] == "road" and set(body["attributes"][0]) == ATTRIBUTE_FIELDS
    assert {v["key"] for v in body["attributes"][0]["values"]} == {"problem", "question", "suggestion", "praise"}
    xml = parse_xml(client.get(f"{BASE}/services/road.xml").content)
    assert xml.tag == "service_definition" and xml.find("attributes/attribute/values/value/key") is not None
    assert_error_shape(client.get(f"{BASE}/services/nope.json"), 404)
    xml = parse_xml(client.get(f"{BASE}/services/nope.xml").content)
    assert xml.tag == "errors" and xml.find("error/code").text == "404"


def test_requests_list_and_detail(client, reported):
    body = client.get(f"{BASE}/requests.json").json()
    assert len(body) == 1 and set(body[0]) == REQUEST_FIELDS
    item = body[0]
    assert item["service_request_id"] == str(reported.pk) and item["status"] == "closed"
    assert item["status_notes"] == "已修复" and item["agency_responsible"] == "市住房和城乡建设局"
    assert item["media_url"].startswith("http://testserver/files/reports/")
    assert client.get(f"{BASE}/requests/{reported.pk}.json").json()[0]["service_request_id"] == str(reported.pk)
    xml = parse_xml(client.get(f"{BASE}/requests.xml").content)
    assert xml.tag == "service_requests" and {e.tag for e in xml.find("request")} == REQUEST_FIELDS
    assert_error_shape(client.get(f"{BASE}/requests/999999.json"), 404)


def test_requests_filters(client, reported, road, categories):
    other = services.report_submit(category=categories["noise"], text="夜间施工", latitude=30.69, longitude=103.99)
    ids = lambda response: {r["service_request_id"] for r in response.json()}  # noqa: E731
    assert ids(client.get(f"{BASE}/requests.json", {"service_code": "noise"})) == {str(other.pk)}
    assert ids(client.get(f"{BASE}/requests.json", {"status": "open"})) == {str(other.pk)}
    assert ids(client.get(f"{BASE}/requests.json", {"status": "closed"})) == {str(reported.pk)}
    assert ids(client.get(f"{BASE}/requests.json", {"service_request_id": f"{reported.pk},{other.pk}"})) == {
        str(reported.pk), str(other.pk)
    }  # fmt: skip
    assert ids(client.get(f"{BASE}/requests.json", {"start_date": "2099-01-01T00:00:00Z"})) == set()
    assert ids(client.get(f"{BASE}/requests.json", {"end_date": "2000-01-01T00:00:00Z"})) == set()
    assert_error_shape(client.get(f"{BASE}/requests.json", {"start_date": "yesterday"}), 400)
    assert_error_shape(client.get(f"{BASE}/requests.json", {"status": "pending"}), 400)


def test_post_request_with_api_key_and_token(client, road, api_key, django_capture_on_commit_callbacks):
    data = {
        "api_key": api_key, "service_code": "road", "lat": "30.69", "long": "103.99", "description": "井盖缺失",
        "email": CANARY_EMAIL, "first_name": "三", "last_name": "张", "phone": CANARY_PHONE, "attribute[kind]": "problem",
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}/requests.json", data)
    assert response.status_code == 201
    body = response.json()
    report = Report.objects.get()
    assert body[0]["service_request_id"] == str(report.pk) and "token" in body[0]
    assert report.channel == Channel.OPEN311 and report.reporter_phone == CANARY_PHONE
    assert CANARY_PHONE not in response.content.decode() and CANARY_EMAIL not in response.content.decode()
    token = client.get(f"{BASE}/tokens/{body[0]['token']}.json").json()
    assert token == [{"service_request_id": str(report.pk), "token": body[0]["token"]}]
    xml = parse_xml(client.post(f"{BASE}/requests.xml", data).content)
    assert xml.tag == "service_requests" and xml.find("request/service_request_id").text


def test_post_refused_without_a_valid_key_and_nothing_stored(client, road, api_key):
    data = {"service_code": "road", "lat": "30.69", "long": "103.99", "description": "井盖缺失"}
    assert_error_shape(client.post(f"{BASE}/requests.json", data), 403)
    assert_error_shape(client.post(f"{BASE}/requests.json", {**data, "api_key": "wrong"}), 403)
    ApiKey.objects.update(is_active=False)
    assert_error_shape(client.post(f"{BASE}/requests.json", {**data, "api_key": api_key}), 403)
    assert not Report.objects.exists()


def test_post_bad_input_gives_spec_errors(client, road, api_key):
    base = {"api_key": api_key, "lat": "30.69", "long": "103.99", "description": "井盖缺失"}
    assert_error_shape(client.post(f"{BASE}/requests.json", {**base, "service_code": "nope"}), 404)
    assert_error_shape(client.post(f"{BASE}/requests.json", {**base, "service_code": "road", "lat": "x"}), 400)
    assert_error_shape(client.post(f"{BASE}/requests.json", {**base, "service_code": "road", "description": ""}), 400)
    assert not Report.objects.exists()


def test_no_personal_data_in_open311(client, reported):
    for url in [f"{BASE}/requests.json", f"{BASE}/requests.xml", f"{BASE}/requests/{reported.pk}.json"]:
        text = client.get(url).content.decode()
        assert CANARY_NAME not in text and CANARY_PHONE not in text and CANARY_EMAIL not in text
        assert reported.tracking_code not in text


@pytest.mark.parametrize("n", [5, 50])
def test_requests_query_count(client, road, n, django_assert_max_num_queries):
    for i in range(n):
        services.report_submit(category=road, text=f"坑{i}", latitude=30.69, longitude=103.99)
    with django_assert_max_num_queries(3):
        assert len(client.get(f"{BASE}/requests.json").json()) == n
