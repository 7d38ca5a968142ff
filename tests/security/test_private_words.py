"""A resident's words follow the privacy of the description (issue 14, finding 4).

A report whose description is private ("Show my description on the public map" unticked) keeps
every text the resident typed off the public side: the description, the reason given when the
resident reopens it (often with a phone number in it), the address typed as a landmark and the
rating comment. Anonymous visitors (and other accounts holding the tracking code of a report
filed from an account) crawl every public surface — pages, tracking page and its live fragment,
the API, Open311 (JSON and XML), the map JSON, hotspots, open data — and find none of them; the
resident who wrote them still sees them on their own tracking page.
"""

from collections import deque

import pytest

from feedback import services
from feedback.models import ReportStatus
from tests.security.test_personal_data import MUST_SEE, SKIP_PREFIXES, links, parameterless_routes

PRIVATE_WORDS = {
    "description": "私密描述金丝雀",
    "reopen_reason": "还是漏水请打13700001111找金丝雀阿姨",
    "address": "金丝雀花园3栋201",
    "rating_comment": "评价金丝雀13700002222",
}
PUBLIC_REASON = "公开的重开理由：井盖又松了"


def _answered(road, official, reporter, *, text, text_is_public, address, capture):
    with capture(execute=True):
        report = services.report_submit(
            category=road, text=text, text_is_public=text_is_public, latitude=30.69, longitude=103.99,
            address=address, reporter=reporter,
        )  # fmt: skip
    report.refresh_from_db()
    services.report_accept(report=report, by=official)
    return services.report_resolve(report=report, by=official, answer="已修复")


@pytest.fixture
def private_report(road, official, resident, django_capture_on_commit_callbacks):
    """Private description, reopened with a reason, answered again and rated with a comment."""
    report = _answered(road, official, resident, text=PRIVATE_WORDS["description"], text_is_public=False,
                       address=PRIVATE_WORDS["address"], capture=django_capture_on_commit_callbacks)  # fmt: skip
    code = report.tracking_code
    with django_capture_on_commit_callbacks(execute=True):
        services.report_reopen(report=report, user=resident, tracking_code=code, reason=PRIVATE_WORDS["reopen_reason"])
    services.report_accept(report=report, by=official)
    services.report_resolve(report=report, by=official, answer="已再次修复")
    services.report_rate(report=report, user=resident, tracking_code=code, rating=2,
                         comment=PRIVATE_WORDS["rating_comment"])  # fmt: skip
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED and report.events.filter(kind="reopened").exists()
    return report


@pytest.fixture
def public_report(road, official, django_capture_on_commit_callbacks):
    """A public description: the reopen reason is part of the public timeline, as before."""
    report = _answered(road, official, None, text="井盖松动", text_is_public=True, address="望江路口",
                       capture=django_capture_on_commit_callbacks)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.report_reopen(report=report, user=None, tracking_code=report.tracking_code, reason=PUBLIC_REASON)
    return report


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "replace")


def test_private_words_appear_on_no_public_surface(client, observer, private_report, public_report, project):
    code = private_report.tracking_code
    queue = deque(parameterless_routes())
    queue += [f"/reports/{private_report.pk}/", f"/api/v1/reports/{private_report.pk}/", f"/track/{code}/",
              f"/track/{code}/live/", f"/open311/v2/requests/{private_report.pk}.json",
              f"/open311/v2/requests/{private_report.pk}.xml", "/reports/nearby/?lat=30.69&lng=103.99",
              "/open311/v2/requests.xml?status=open,closed", "/api/v1/reports/?status=resolved", *MUST_SEE]  # fmt: skip
    seen: set[str] = set()
    leaks: list[tuple[str, str]] = []
    for who in (None, observer):  # anonymous, then another account that holds the tracking code
        if who is not None:
            client.force_login(who)
        seen.clear()
        todo = deque(queue)
        while todo and len(seen) < 600:
            url = todo.popleft()
            if url in seen or url.startswith(SKIP_PREFIXES):
                continue
            seen.add(url)
            response = client.get(url)
            text = _body(response)
            leaks += [(url, what) for what, words in PRIVATE_WORDS.items() if words in text]
            if response.status_code == 200:
                todo += sorted(links(url, response.get("Content-Type", ""), text) - seen)
    assert f"/reports/{private_report.pk}/" in seen and len(seen) > 40
    assert not leaks, leaks[:10]


def test_the_report_page_shows_that_a_reason_was_given_but_not_the_words(client, private_report):
    html = client.get(f"/reports/{private_report.pk}/").content.decode()
    assert "居民要求重新办理" in html  # the event stays in the timeline
    assert PRIVATE_WORDS["reopen_reason"] not in html


def test_the_reporter_still_reads_their_own_words(client, resident, private_report):
    client.force_login(resident)
    for url in (f"/track/{private_report.tracking_code}/", f"/track/{private_report.tracking_code}/live/"):
        html = client.get(url).content.decode()
        assert PRIVATE_WORDS["description"] in html and PRIVATE_WORDS["reopen_reason"] in html, url


def test_a_public_description_keeps_its_reopen_reason_public(client, public_report):
    assert PUBLIC_REASON in client.get(f"/reports/{public_report.pk}/").content.decode()
    api = client.get(f"/api/v1/reports/{public_report.pk}/").json()
    assert api["address"] == "望江路口" and api["text"] == "井盖松动"
