"""The tracking code is the resident's key: staff never see it, and staff never act as the reporter.

Issue 14, finding 6. The console, the exports, the staff's API answers and the notices refer to
a report by its number (`Report.reference`, `#<id>`), never by its tracking code; confirming,
rating and reopening are refused to anyone who handles the report, code or not, and their
ratings are left out of the satisfaction figures.
"""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token

from feedback import selectors, services
from feedback.models import ContactDisclosure, EventKind, Report, ReportStatus
from tests import factories

from .test_dispatch import webhook_server  # noqa: F401 — fixture

CONSOLE_VIEWERS = ["official", "manager", "supervisor", "grid_worker", "evaluator", "city_admin", "other_official"]
HANDLERS = ["official", "manager", "supervisor", "grid_worker", "city_admin"]
RESIDENT_STEPS = [("confirm", {}), ("rate", {"rating": "5", "comment": "非常满意"}), ("reopen", {"reason": "还没修好"})]


@pytest.fixture
def submit(road, django_capture_on_commit_callbacks):
    """File a road report (the official's department) and let its on-commit work run."""

    def submit(**extra) -> Report:
        with django_capture_on_commit_callbacks(execute=True):
            report = factories.report(category=road, text="望江路路面塌陷", **extra)
        report.refresh_from_db()
        return report

    return submit


@pytest.fixture
def reports(submit, official, grid):
    """`waiting` just reached the official's department; `answered` was answered by it (anonymous reporter)."""
    waiting = submit(reporter_phone="13912345678")
    answered = submit(reporter_phone="13912345679")
    services.report_resolve(report=answered, by=official, answer="已修补")
    waiting.refresh_from_db()
    answered.refresh_from_db()
    return waiting, answered


def _html(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


@pytest.mark.parametrize("persona", CONSOLE_VIEWERS)
def test_the_code_is_in_no_console_page(client, request, persona, reports):
    waiting, answered = reports
    user = request.getfixturevalue(persona)
    client.force_login(user)
    codes = (waiting.tracking_code, answered.tracking_code)
    changelist = reverse("admin:feedback_report_changelist")
    pages = [changelist, changelist + "?deadline=open", reverse("admin:index"), reverse("feedback:queue-live")]
    for report in reports:
        pages += [
            reverse("admin:feedback_report_change", args=[report.pk]),
            reverse("admin:feedback_report_history", args=[report.pk]),
        ]
    for url in pages:
        html = _html(client.get(url))
        assert not any(code in html for code in codes), url
    if services.may_handle(user, waiting):
        # The department's queue names each report by its number, linked to its page.
        listing = client.get(changelist).content.decode()
        link = reverse("admin:feedback_report_change", args=[waiting.pk])
        assert f'href="{link}">{waiting.reference}</a>' in listing
        page = client.post(reverse("admin:feedback_report_contact", args=[waiting.pk]))
        assert page.status_code == 200 and waiting.tracking_code not in page.content.decode()
        assert waiting.reference in page.content.decode()
        audit = client.get(reverse("admin:feedback_contactdisclosure_changelist")).content.decode()
        assert waiting.tracking_code not in audit


def test_view_on_site_does_not_lead_to_the_tracking_page(client, reports, official, other_official):
    waiting, _ = reports
    shortcut = reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(Report).pk, waiting.pk])
    for user in (official, other_official):
        client.force_login(user)
        response = client.get(shortcut)
        assert waiting.tracking_code not in response.get("Location", "") + _html(response)
    assert waiting.tracking_code not in waiting.get_absolute_url()
    assert waiting.tracking_code not in str(waiting)


def test_the_console_finds_no_report_by_its_code(client, reports, official, supervisor):
    waiting, answered = reports
    changelist = reverse("admin:feedback_report_changelist")
    client.force_login(official)

    def shown(query: str) -> list[int]:
        response = client.get(changelist + query)
        assert response.status_code == 200, query
        return [r.pk for r in response.context["cl"].result_list]

    assert shown(f"?q={waiting.tracking_code}") == []
    assert shown(f"?q={waiting.tracking_code.lower()}") == []
    # The number is how the console finds a report.
    assert shown(f"?q={waiting.pk}") == [waiting.pk]
    assert shown(f"?q=%23{waiting.pk}") == [waiting.pk]
    # No filter on the code either: each would tell, one character at a time, whose code it is.
    for lookup in (
        f"tracking_code={waiting.tracking_code}",
        f"tracking_code__startswith={waiting.tracking_code[0]}",
        f"tracking_code__iexact={waiting.tracking_code}",
        f"tracking_code__in={waiting.tracking_code},{answered.tracking_code}",
    ):
        assert client.get(f"{changelist}?{lookup}").status_code == 400, lookup
    # The disclosure audit: neither searched nor filtered by the code.
    client.force_login(supervisor)
    client.post(reverse("admin:feedback_report_contact", args=[waiting.pk]))
    assert ContactDisclosure.objects.count() == 1
    audit = reverse("admin:feedback_contactdisclosure_changelist")
    response = client.get(f"{audit}?q={waiting.tracking_code}")
    assert response.status_code == 200 and list(response.context["cl"].result_list) == []
    assert client.get(f"{audit}?report__tracking_code__startswith={waiting.tracking_code[0]}").status_code == 400


def _export(client, user, fmt: str) -> str:
    client.force_login(user)
    response = client.get(reverse("opendata-export", args=["reports", fmt]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    if fmt == "csv":
        return body.decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    return "\n".join(",".join("" if v is None else str(v) for v in row) for row in sheet.iter_rows(values_only=True))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("persona", ["official", "evaluator", "city_admin"])
def test_the_anonymised_export_holds_no_code(client, request, persona, fmt, reports):
    text = _export(client, request.getfixturevalue(persona), fmt)
    for report in reports:
        assert report.tracking_code not in text
        # Each row is named by the report's number, as in the console.
        assert f"\n{report.pk}," in text
    if fmt == "csv":
        header = next(csv.reader(io.StringIO(text)))
        assert "tracking code" not in header and "跟踪码" not in header


def test_the_console_export_action_holds_no_code(client, reports, official):
    waiting, answered = reports
    client.force_login(official)
    response = client.post(
        reverse("admin:feedback_report_changelist"),
        {"action": "opendata_export_xlsx", "_selected_action": [waiting.pk, answered.pk]},
    )
    assert response.status_code == 200
    cells = [
        str(v)
        for row in load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active.iter_rows(
            values_only=True
        )
        for v in row
    ]
    assert str(waiting.pk) in cells and not {waiting.tracking_code, answered.tracking_code} & set(cells)


@pytest.mark.parametrize("persona", ["official", "city_admin"])
def test_staff_api_answers_hold_no_code(client, request, persona, reports):
    user = request.getfixturevalue(persona)
    token = Token.objects.create(user=user)
    waiting, answered = reports
    urls = [
        "/api/v1/reports/",
        f"/api/v1/reports/{waiting.pk}/",
        f"/api/v1/reports/{answered.pk}/",
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        f"/open311/v2/requests/{waiting.pk}.json",
        reverse("feedback-api-hotspots"),
        reverse("feedback:map-data"),
        reverse("feedback:list"),
        reverse("feedback:detail", args=[waiting.pk]),
    ]
    token_header = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    for url in urls:
        client.logout()
        by_token = _html(client.get(url, **token_header))
        client.force_login(user)
        by_session = _html(client.get(url))
        for body in (by_token, by_session):
            assert waiting.tracking_code not in body and answered.tracking_code not in body, url


def test_notices_name_the_report_by_its_number(submit, lead_department, webhook_server, official, manager):  # noqa: F811
    url, received = webhook_server
    lead_department.dispatch_webhook, lead_department.webhook_secret = url, "s3cret"
    lead_department.save()
    report = submit()
    (message,) = mail.outbox
    assert report.tracking_code not in message.subject + message.body
    assert report.reference in message.subject
    payload = json.loads(received[0][1])
    assert report.tracking_code not in json.dumps(payload) and "tracking_code" not in payload
    assert payload["report_id"] == report.pk and payload["reference"] == report.reference
    # Reminder and escalation too.
    mail.outbox.clear()
    services.deadlines_check(now=report.dispatched_at + timedelta(hours=37))
    services.deadlines_check(now=report.dispatched_at + timedelta(hours=49))
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert report.tracking_code not in message.subject + message.body and report.reference in message.subject


# --- Confirm, rate and reopen are the reporter's ------------------------------------------------


def _resident_step(client, report: Report, step: str, data: dict, code: str | None = None):
    return client.post(reverse(f"feedback:{step}", args=[code or report.tracking_code]), data)


def _unchanged(report: Report) -> None:
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED and report.rating is None and report.rated_at is None
    assert not report.events.filter(kind__in=[EventKind.CONFIRMED, EventKind.RATED, EventKind.REOPENED]).exists()


@pytest.mark.parametrize("persona", HANDLERS)
def test_staff_of_the_handling_department_cannot_confirm_rate_or_reopen(client, request, persona, reports):
    _, answered = reports
    user = request.getfixturevalue(persona)
    client.force_login(user)
    # Even holding the code (it is shown to no staff; suppose it leaked), the page shows no forms ...
    html = client.get(reverse("feedback:track", args=[answered.tracking_code])).content.decode()
    assert reverse("feedback:rate", args=[answered.tracking_code]) not in html
    # ... and each step is refused, changing nothing.
    for step, data in RESIDENT_STEPS:
        assert _resident_step(client, answered, step, data).status_code == 403, step
    _unchanged(answered)
    with pytest.raises(PermissionDenied):
        services.report_rate(report=answered, user=user, tracking_code=answered.tracking_code, rating=5)
    with pytest.raises(PermissionDenied):
        services.report_confirm(report=answered, user=user, tracking_code=answered.tracking_code)
    _unchanged(answered)


def test_an_official_who_filed_the_report_still_cannot_rate_the_own_department(client, submit, official):
    report = submit(reporter=official)  # filed from the official's own account, routed to the same department
    services.report_resolve(report=report, by=official, answer="已处理")
    client.force_login(official)
    for step, data in RESIDENT_STEPS:
        assert _resident_step(client, report, step, data).status_code == 403, step
    _unchanged(report)


def test_a_window_clerk_cannot_answer_for_the_resident(client, submit, official, other_official):
    """The clerk hands the code over at the window; answering for the resident later is refused."""
    client.force_login(other_official)
    report = submit(channel="window", taken_by=other_official)
    services.report_resolve(report=report, by=official, answer="已处理")
    for step, data in RESIDENT_STEPS:
        assert _resident_step(client, report, step, data).status_code == 403, step
    _unchanged(report)


def test_the_reporter_still_confirms_and_rates(client, submit, reports, official, other_official):
    _, answered = reports
    # The anonymous holder of the code.
    assert _resident_step(client, answered, "confirm", {}).status_code == 302
    assert _resident_step(client, answered, "rate", {"rating": "4"}).status_code == 302
    answered.refresh_from_db()
    assert answered.status == ReportStatus.CONFIRMED and answered.rating == 4
    # Staff of another department reporting as a resident of the city: their own report, not theirs to handle.
    own = submit(reporter=other_official)
    services.report_resolve(report=own, by=official, answer="已处理")
    client.force_login(other_official)
    assert _resident_step(client, own, "rate", {"rating": "2"}).status_code == 302
    own.refresh_from_db()
    assert own.rating == 2


def test_ratings_from_handlers_are_not_in_the_satisfaction_figures(submit, official, resident, lead_department):
    by_resident = submit(reporter=resident)
    services.report_resolve(report=by_resident, by=official, answer="已处理")
    services.report_rate(report=by_resident, user=resident, tracking_code=by_resident.tracking_code, rating=1)
    # A rating an official of the department gave to the department (stored before the rule existed).
    by_official = submit(reporter=official)
    services.report_resolve(report=by_official, by=official, answer="已处理")
    Report.objects.filter(pk=by_official.pk).update(rating=5, rated_at=timezone.now())
    today = timezone.localdate()
    figures = selectors.figures(period=selectors.month_period(today.year, today.month))
    (row,) = [r for r in figures["by_department"] if r["name"] == lead_department.name]
    assert row["reports"] == 2 and row["satisfaction"] == 1.0
