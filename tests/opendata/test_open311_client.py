"""Open311 GeoReport v2 driven by a client nobody here wrote: `georeport` 0.3.1 from PyPI.

Tried: `georeport` 0.3.1 (2025) imports and works on Python 3.11 — used here; `three` 0.8.0
fails to import (`from itertools import ifilter`, Python 2); `open311` is Python 2 only.
georeport only reads (services, service definitions, requests, JSON and XML); it cannot POST,
so posting stays covered by tests/feedback/test_open311.py.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import Resolver404, resolve
from georeport import GeoReport

# The published examples of the GeoReport v2 specification (wiki.open311.org/GeoReport_v2).
SPEC_SERVICES = [
    {
        "service_code": "001",
        "service_name": "Cans left out 24x7",
        "description": "Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.",
        "metadata": True,
        "type": "realtime",
        "keywords": "lorem, ipsum, dolor",
        "group": "sanitation",
    },
    {
        "service_code": "002",
        "metadata": True,
        "type": "realtime",
        "keywords": "lorem, ipsum, dolor",
        "group": "street",
        "service_name": "Construction plate shifted",
        "description": "Metal construction plate covering the street or sidewalk has been moved.",
    },
]
SPEC_REQUESTS = [
    {
        "service_request_id": 638344,
        "status": "closed",
        "status_notes": "Duplicate request.",
        "service_name": "Sidewalk and Curb Issues",
        "service_code": "006",
        "description": None,
        "agency_responsible": None,
        "service_notice": None,
        "requested_datetime": "2010-04-14T06:37:38-08:00",
        "updated_datetime": "2010-04-14T06:37:38-08:00",
        "expected_datetime": "2010-04-15T06:37:38-08:00",
        "address": "8TH AVE and JUDAH ST",
        "address_id": 545483,
        "zipcode": 94122,
        "lat": 37.762221815,
        "long": -122.4651145,
        "media_url": "http://city.gov.s3.amazonaws.com/requests/media/638344.jpg",
    }
]
SPEC_ROUTES = {
    "/open311/v2/services.json": SPEC_SERVICES,
    "/open311/v2/requests.json": SPEC_REQUESTS,
    "/open311/v2/requests/638344.json": SPEC_REQUESTS,
}


class SpecExamples(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server API
        body = SPEC_ROUTES.get(self.path.split("?")[0])
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body).encode() if body is not None else b"[]")

    def log_message(self, *args):
        pass


@pytest.fixture
def spec_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), SpecExamples)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/open311/v2"
    server.shutdown()
    server.server_close()


def test_the_client_reads_the_spec_examples(spec_server):
    """The client itself works on this Python: it reads the specification's own example responses."""
    client = GeoReport(spec_server)

    services = client.get_service_list()
    requests = client.get_service_requests(status="closed")
    one = client.get_service_request("638344")

    assert [s["service_code"] for s in services] == ["001", "002"]
    assert requests[0]["status"] == "closed"
    assert one["service_request_id"] == 638344 and one["long"] == pytest.approx(-122.4651145)


def open311_is_routed() -> bool:
    try:
        resolve("/open311/v2/services.json")
    except Resolver404:
        return False
    return True


@pytest.fixture
def open311_city(transactional_db, lead_department, rich_project):
    from feedback.models import Report, ServiceCategory

    category = ServiceCategory.objects.create(code="streetlight", name="路灯不亮", department=lead_department)
    report = Report.objects.create(
        category=category,
        text="滨河路 3 号路灯不亮",
        latitude=30.69,
        longitude=103.99,
        department=lead_department,
        reporter_name="王五",
        reporter_phone="13700000000",
    )
    return category, report


def test_georeport_drives_our_open311(live_server, open311_city):
    assert open311_is_routed()
    category, report = open311_city
    client = GeoReport(f"{live_server.url}/open311/v2")

    services = client.get_service_list()
    ours = next(s for s in services if s["service_code"] == category.code)
    assert ours["service_name"] == "路灯不亮"
    assert {"metadata", "type"} <= set(ours)

    requests = client.get_service_requests(service_code=category.code)
    found = next(r for r in requests if str(r["service_request_id"]) == str(report.pk))
    assert found["status"] == "open"
    assert found["lat"] == pytest.approx(30.69) and found["long"] == pytest.approx(103.99)

    one = client.get_service_request(str(report.pk))
    assert one["service_code"] == category.code
    as_xml = GeoReport(f"{live_server.url}/open311/v2", output_format="xml").get_service_request(str(report.pk))
    assert as_xml["service_code"] == category.code and as_xml["status"] == "open"
    text = json.dumps([requests, one, as_xml], ensure_ascii=False)
    assert "王五" not in text and "13700000000" not in text  # contact details never leave the staff side
