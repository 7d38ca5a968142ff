"""Nothing an anonymous visitor sends makes the server fail (issue 14, finding 10).

Each request below once answered 500 on SQLite or PostgreSQL (NUL bytes only on PostgreSQL):
dates at the calendar's edges, a NUL byte in a path or a filter, a non-ASCII digit as an
Open311 id, ids beyond 64 bits, a JSON body nested 100,000 deep, a 311-character e-mail. Each
must be a 4xx or a normal page. Then: control characters can not make the Open311 XML invalid
(refused/stripped on the way in, and dropped on the way out for rows stored before), and a
hidden project's title is on no public answer about a report that names it.
"""

from xml.etree import ElementTree as ET

import pytest

from feedback import services
from feedback.models import ApiKey, Report
from tests.feedback.conftest import INSIDE_WANGJIANG

HUGE = "99999999999999999999"  # beyond a 64-bit id
EDGE_DATES = ["0001-01-01", "9999-12-31"]

GET_URLS = [
    # Dates at the calendar's edges.
    *[f"/hotspots/?since={d}" for d in EDGE_DATES],
    *[f"/hotspots/?until={d}" for d in EDGE_DATES],
    *[f"/hotspots/?since={d}&until={d}" for d in EDGE_DATES],
    *[f"/api/v1/reports/hotspots/?since={d}" for d in EDGE_DATES],
    *[f"/api/v1/reports/hotspots/?until={d}" for d in EDGE_DATES],
    *[f"/api/v1/reports/hotspots/?since={d}&until={d}" for d in EDGE_DATES],
    *[f"/reports/figures/?period={p}" for p in ("9999-Q4", "0001-Q1", "9999-12", "0001-01", "0000-01", "0000-Q1")],
    *[f"/observers/honour-roll/?month={m}" for m in ("9999-12", "0001-01", "0000-01")],
    *[f"/open311/v2/requests.json?start_date={d}T00:00:00Z" for d in EDGE_DATES],
    *[f"/open311/v2/requests.json?end_date={d}T23:59:59-12:00" for d in EDGE_DATES],
    *[f"/open-data/projects.csv?year={y}" for y in ("0", "99999")],
    "/api/v1/projects/?year=99999",
    # A NUL byte in a path.
    "/track/%00/", "/track/%00/live/", "/track/%00/confirm/", "/projects/%00/", "/projects/%00/qr.svg",
    "/projects/%00/expenditures/", "/projects/%00/live/", "/api/v1/projects/%00/", "/cocreation/%00/",
    "/cocreation/%00/results.json", "/open311/v2/requests/%00.json", "/open311/v2/tokens/%00.json",
    "/open311/v2/services/%00.json", "/open-data/%00.csv", "/evaluation/survey/%00/", "/%00/",
    # A NUL byte in a filter or a parameter.
    "/?q=%00", "/?district=%00", "/?category=%00", "/projects/?q=%00", "/projects/?district=%00",
    "/projects/?page=%00", "/reports/?category=%00", "/reports/?page=%00", "/reports/new/?project=%00",
    "/reports/new/?via=%00", "/reports/nearby/?lat=30.69&lng=103.99&category=%00", "/reports/map.json?bbox=%00",
    "/track/?code=%00", "/hotspots/?category=%00", "/api/v1/reports/hotspots/?category=%00",
    "/api/v1/reports/?category=%00", "/api/v1/reports/?status=%00", "/api/v1/projects/?search=%00",
    "/api/v1/projects/?ordering=%00", "/api/v1/projects/?district=%00", "/api/v1/projects/?category=%00",
    "/api/v1/projects/map/?district=%00", "/api/v1/projects/map/?category=%00", "/api/v1/needs/?category=%00",
    "/api/v1/needs/?district=%00", "/api/v1/needs/?status=%00", "/needs/?status=%00", "/needs/?category=%00",
    "/open311/v2/requests.json?service_code=%00", "/open311/v2/requests.xml?status=%00",
    "/open311/v2/requests.json?service_request_id=%00", "/open-data/projects.csv?q=%00",
    "/open-data/projects.csv?district=%00", "/api/v1/exports/projects.csv?category=%00",
    "/api/v1/exports/scorecards.csv?district=%00", "/evaluation/?district=%00", "/accounts/login/?next=%00",
    "/observers/honour-roll/?month=%00", "/reports/figures/?period=%00",
    # Ids: a non-ASCII digit, beyond 64 bits.
    "/open311/v2/requests/%C2%B2.json", "/open311/v2/requests/%C2%B2.xml", "/open311/v2/requests/%D9%A3.json",
    "/open311/v2/requests.json?service_request_id=%C2%B2", f"/open311/v2/requests/{HUGE}.json",
    f"/open311/v2/requests.json?service_request_id={HUGE}", f"/reports/{HUGE}/", f"/api/v1/reports/{HUGE}/",
    f"/needs/{HUGE}/", f"/meetings/{HUGE}/", f"/observers/{HUGE}/", "/annual/99999/", "/annual/0/",
    "/evaluation/99999/q4/", f"/evaluation/2026/q{HUGE}/", "/api/v1/evaluation/cycles/99999/4/scorecards/",
    f"/api/v1/projects/?department={HUGE}", f"/?department={HUGE}", f"/needs/?district={HUGE}",
    f"/reports/nearby/?lat=30.69&lng=103.99&category={HUGE}",
    # Numbers that are not numbers.
    *[f"/reports/nearby/?lat={n}&lng=103.99" for n in ("nan", "inf", "1e999", "-inf")],
    *[f"/reports/map.json?bbox={n},{n},{n},{n}" for n in ("nan", "inf")],
    *[f"/api/v1/projects/map/?bbox={n},{n},{n},{n}&zoom=5" for n in ("nan", "inf")],
    *[f"/hotspots/?bbox={n},{n},{n},{n}" for n in ("nan", "inf")],
    *[f"/open311/v2/requests.json?lat={n}" for n in ("nan", "inf")],
]  # fmt: skip


@pytest.fixture
def anonymous(client):
    client.raise_request_exception = False  # a server error is an answer to assert on, not an exception
    return client


@pytest.fixture
def world(road, project, official):
    report = services.report_submit(category=road, text="井盖缺失", latitude=30.69, longitude=103.99, project=project)
    report.refresh_from_db()
    return report


@pytest.mark.parametrize("url", GET_URLS)
def test_an_anonymous_get_is_never_a_server_error(anonymous, world, url):
    response = anonymous.get(url)
    assert response.status_code < 500, (url, response.status_code)


DEEP = "[" * 100_000 + "]" * 100_000
JSON_POSTS = [
    "/api/v1/reports/", "/api/v1/needs/1/support/", "/api/v1/cocreation/MX-2026-001/vote/",
    "/api/v1/projects/MX-2026-001/updates/", "/open311/v2/requests.json",
]  # fmt: skip


@pytest.mark.parametrize("url", JSON_POSTS)
@pytest.mark.parametrize("body", [DEEP, '{"text": ' + DEEP + "}", '{"category": "road\\u0000"}', '{"a": "\\ud800"}'])
def test_a_hostile_json_body_is_a_client_error(anonymous, world, url, body):
    before = Report.objects.count()
    response = anonymous.post(url, body, content_type="application/json")
    assert 400 <= response.status_code < 500, (url, response.status_code)
    assert Report.objects.count() == before


def test_a_hostile_json_body_is_refused_for_a_signed_in_user_too(client, official, world):
    client.raise_request_exception = False
    client.force_login(official)
    before = world.project.updates.count()
    response = client.post(f"/api/v1/projects/{world.project.code}/updates/", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert world.project.updates.count() == before


LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".cn"  # 311 characters, well formed


def test_the_long_email_is_311_characters():
    assert len(LONG_EMAIL) == 311


def _form(road, **extra):
    lat, lng = INSIDE_WANGJIANG
    return {"kind": "problem", "category": road.pk, "text": "路灯不亮", "text_is_public": "on",
            "latitude": lat, "longitude": lng, **extra}  # fmt: skip


def test_a_311_character_email_is_refused_on_every_door(anonymous, road):
    web = anonymous.post("/reports/new/", _form(road, reporter_email=LONG_EMAIL, not_a_duplicate="on"))
    assert web.status_code == 400 and "reporter_email" in web.context["form"].errors
    api = anonymous.post(
        "/api/v1/reports/",
        {"category": "road", "text": "路灯不亮", "latitude": 30.69, "longitude": 103.99, "reporter_email": LONG_EMAIL},
        content_type="application/json",
    )
    assert api.status_code == 400 and "reporter_email" in api.json()
    key = ApiKey.objects.create(name="client")
    body = {"api_key": key.key, "service_code": "road", "description": "路灯不亮", "lat": "30.69", "long": "103.99",
            "email": LONG_EMAIL}  # fmt: skip
    open311 = anonymous.post("/open311/v2/requests.json", body)
    assert open311.status_code == 400
    with pytest.raises(Exception, match="e-mail|邮"):
        services.report_submit(category=road, text="路灯不亮", latitude=30.69, longitude=103.99,
                               reporter_email=LONG_EMAIL)  # fmt: skip
    assert not Report.objects.exists()


# --- Control characters and the Open311 XML ----------------------------------------------------

CONTROL = "坏\x00字\x01符\x08号\x0b\x0c\x1b[31m\x7f\ufffe\x85结束"


def _parse(anonymous, url: str) -> ET.Element:
    response = anonymous.get(url)
    assert response.status_code == 200, response.status_code
    return ET.fromstring(response.content)  # noqa: S314 — our own answer; ParseError on a bad character


def test_open311_xml_stays_valid_for_rows_stored_with_control_characters(anonymous, road, official):
    """Rows written before the input rule (or by a bulk load) are cleaned on the way out."""
    report = Report.objects.create(category=road, text=CONTROL.replace("\x00", ""), address="门\x1f口",
                                   answer="已\x02修复", latitude=30.69, longitude=103.99)  # fmt: skip
    road.description = "道路\x03破损"
    road.save()
    for url in ("/open311/v2/requests.xml", f"/open311/v2/requests/{report.pk}.xml", "/open311/v2/services.xml"):
        root = _parse(anonymous, url)
        assert "结束" in ET.tostring(root, encoding="unicode") or url.endswith("services.xml")
    request = _parse(anonymous, f"/open311/v2/requests/{report.pk}.xml").find("request")
    assert request.findtext("description") == "坏字符号[31m结束"
    assert request.findtext("status_notes") == "已修复"


@pytest.mark.parametrize("door", ["service", "web", "api", "open311"])
def test_control_characters_are_stripped_on_the_way_in(anonymous, road, door):
    lat, lng = INSIDE_WANGJIANG
    text = CONTROL if door == "service" else CONTROL.replace("\x00", "")  # a request with NUL is refused
    if door == "service":
        services.report_submit(category=road, text=text, latitude=lat, longitude=lng, address="门\x1f口\x00")
    elif door == "web":
        response = anonymous.post("/reports/new/", _form(road, text=text, address="门\x1f口", not_a_duplicate="on"))
        assert response.status_code == 302
    elif door == "api":
        body = {"category": "road", "text": text, "latitude": lat, "longitude": lng, "address": "门\x1f口"}
        assert anonymous.post("/api/v1/reports/", body, content_type="application/json").status_code == 201
    else:
        key = ApiKey.objects.create(name="client")
        body = {"api_key": key.key, "service_code": "road", "description": text, "lat": lat, "long": lng,
                "address_string": "门\x1f口"}  # fmt: skip
        assert anonymous.post("/open311/v2/requests.json", body).status_code == 201
    report = Report.objects.get()
    assert report.text == "坏字符号[31m结束" and report.address == "门口"
    _parse(anonymous, "/open311/v2/requests.xml")


@pytest.mark.parametrize("field", ["description", "address_string", "service_code", "email"])
def test_a_nul_in_a_form_body_is_refused_and_stores_nothing(anonymous, road, field):
    key = ApiKey.objects.create(name="client")
    body = {"api_key": key.key, "service_code": "road", "description": "路灯不亮", "lat": "30.69", "long": "103.99"}
    body[field] = body.get(field, "x") + "\x00"
    response = anonymous.post("/open311/v2/requests.json", body)
    assert response.status_code == 400 and "NUL" in response.content.decode()
    assert not Report.objects.exists()


def test_tabs_and_line_breaks_are_kept(road):
    report = services.report_submit(category=road, text="第一行\r\n第二行\t完", latitude=30.69, longitude=103.99)
    assert Report.objects.get(pk=report.pk).text == "第一行\r\n第二行\t完"


def test_a_resident_step_strips_control_characters(road, official, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(category=road, text="井盖", latitude=30.69, longitude=103.99, reporter=resident)
    report.refresh_from_db()
    services.report_accept(report=report, by=official)
    services.report_resolve(report=report, by=official, answer="已\x07修复\x00")
    code = report.tracking_code
    services.report_reopen(report=report, user=resident, tracking_code=code, reason="还\x1b没\x00修")
    report.refresh_from_db()
    assert report.answer == "已修复"
    assert report.events.get(kind="reopened").note == "还没修"


def test_spreadsheets_stay_readable_for_rows_stored_with_control_characters(anonymous, world):
    """openpyxl refuses control characters in a cell: a title saved with one broke the public XLSX."""
    import io

    import openpyxl

    type(world.project).objects.filter(pk=world.project.pk).update(title="电梯\x01加装\x1b")
    response = anonymous.get("/open-data/projects.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert "电梯加装" in [cell.value for row in sheet.iter_rows() for cell in row]


# --- A hidden project -----------------------------------------------------------------------------


def test_a_hidden_projects_title_is_on_no_public_answer_about_a_report(anonymous, world):
    project = world.project
    project.is_public = False
    project.save()
    urls = [
        f"/reports/{world.pk}/", f"/track/{world.tracking_code}/", f"/track/{world.tracking_code}/live/",
        "/reports/", "/reports/map.json", f"/api/v1/reports/{world.pk}/", "/api/v1/reports/",
        f"/open311/v2/requests/{world.pk}.json", f"/open311/v2/requests/{world.pk}.xml", "/open311/v2/requests.json",
        "/reports/nearby/?lat=30.69&lng=103.99", "/api/v1/reports/hotspots/", "/hotspots/",
    ]  # fmt: skip
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert project.title not in body and project.code not in body, url
    assert anonymous.get(f"/api/v1/reports/{world.pk}/").json()["project"] is None


def test_a_public_projects_title_is_still_shown(anonymous, world):
    assert world.project.title in anonymous.get(f"/reports/{world.pk}/").content.decode()
    assert anonymous.get(f"/api/v1/reports/{world.pk}/").json()["project"] == world.project.code
