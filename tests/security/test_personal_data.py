"""Reporters' contact details never leave the staff side.

Canary names, phones and e-mails are stored on reports through `report_submit` (web, API,
Open311 and window channels; one linked to a project, some handled to the end; three with a
photo carrying them in its JPEG comment and EXIF). Then an anonymous visitor crawls the whole
public surface — every parameterless route the URL resolver knows, the tracking pages, and
every same-site link found in pages and JSON (API, GeoJSON, Open311, OC4IDS, exports, the
photos under /files/) — and no canary may appear in any answer.
"""

import io
import json
import os
import re
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from PIL import Image

from feedback import services
from feedback.models import Channel

CANARIES = {
    "name": "金丝雀王五",
    "phone": "13800138123",
    "email": "canary-pii@example.cn",
    "name_2": "Canary Smith",
    "phone_2": "+86 139 0000 4242",
    "email_2": "canary-two@example.cn",
}
SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/i18n/", "/accounts/logout", "/__")
FIGURES = Path(__file__).resolve().parents[2] / "docs" / "reliability" / "figures"
MAX_PAGES = 600
# Whatever the crawl finds by itself, these are fetched (the issue names them).
MUST_SEE = [
    "/", "/projects/", "/reports/", "/reports/map.json", "/reports/figures/", "/evaluation/", "/hotspots/",
    "/api/v1/reports/", "/api/v1/projects/", "/api/v1/projects/map/", "/api/v1/oc4ids/", "/open-data/",
    "/open311/v2/requests.json", "/open311/v2/requests.xml", "/open311/v2/services.json", "/open311/v2/discovery.json",
    "/open-data/projects.csv", "/open-data/expenditures.xlsx",
]  # fmt: skip


def parameterless_routes(resolver=None, prefix: str = "") -> list[str]:
    """Every route without a URL parameter ('/', '/projects/', '/api/v1/reports/', ...)."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = str(entry.pattern)
        if "<" in route or "(?P" in route:
            continue
        route = route.lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            found += parameterless_routes(entry, prefix + route)
        elif isinstance(entry, URLPattern):
            found.append("/" + prefix + route)
    return found


def links(url: str, content_type: str, text: str) -> set[str]:
    if "json" in content_type:
        candidates = re.findall(r'"((?:https?://testserver)?/[^"\s]*)"', text)
    elif "html" in content_type or "xml" in content_type:
        candidates = re.findall(r'(?:href|src|action)="([^"#]+)"', text)
    else:
        return set()
    out = set()
    for link in candidates:
        link = link.replace("http://testserver", "").replace("&amp;", "&")
        if link.startswith("/") and not link.startswith("//") and not link.startswith(SKIP_PREFIXES):
            out.add(link)
    return out


def canary_photo() -> SimpleUploadedFile:
    """A phone photo whose JPEG comment and EXIF carry the reporter's contact (as some apps write)."""
    exif = Image.Exif()
    exif[0x013B] = CANARIES["name"]  # Artist
    out = io.BytesIO()
    comment = f"{CANARIES['phone']} {CANARIES['email']}".encode()
    Image.new("RGB", (64, 48), (90, 90, 90)).save(out, format="JPEG", comment=comment, exif=exif)
    return SimpleUploadedFile("IMG_0001.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def canary_reports(road, project, official, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reports = [
            services.report_submit(category=road, text="井盖缺失", latitude=30.69, longitude=103.99,
                                   reporter_name=CANARIES["name"], reporter_phone=CANARIES["phone"],
                                   reporter_email=CANARIES["email"], channel=channel, photos=[canary_photo()])
            for channel in (Channel.WEB, Channel.API, Channel.OPEN311)
        ] + [
            services.report_submit(category=road, text="电梯噪音", project=project, latitude=30.69, longitude=103.99,
                                   reporter_name=CANARIES["name_2"], reporter_phone=CANARIES["phone_2"],
                                   reporter_email=CANARIES["email_2"], channel=Channel.WINDOW, taken_by=official),
        ]  # fmt: skip
    for report in reports[:2]:
        report.refresh_from_db()
        services.report_accept(report=report, by=official)
        services.report_resolve(report=report, by=official, answer="已修复")
    return reports


def test_no_canary_anywhere_public(client, canary_reports, project):
    queue = deque(parameterless_routes())
    queue += [f"/track/{r.tracking_code}/" for r in canary_reports]
    queue += [f"/reports/{r.pk}/" for r in canary_reports] + [f"/api/v1/reports/{r.pk}/" for r in canary_reports]
    queue += [f"/projects/{project.code}/", f"/open311/v2/requests/{canary_reports[0].pk}.json"]
    queue += [f"/open311/v2/requests/{canary_reports[0].pk}.xml", *MUST_SEE]
    seen: set[str] = set()
    leaks: list[tuple[str, str]] = []
    statuses: dict[str, int] = {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen or url.startswith(SKIP_PREFIXES):
            continue
        seen.add(url)
        response = client.get(url)
        statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        leaks += [(url, what) for what, value in CANARIES.items() if value in text]
        if response.status_code == 200:
            queue += sorted(links(url, response.get("Content-Type", ""), text) - seen)
    if os.environ.get("CIVICWORKS_FAULTS") == "1":  # `make reliability` records the figures
        write_figures(seen, statuses, leaks, canary_reports)
    assert len(seen) > 40, f"the crawl reached too little: {sorted(seen)}"
    assert set(MUST_SEE) <= seen
    photos = [u for u in seen if u.startswith("/files/")]  # the photos, fetched through the checking view
    assert len(photos) >= 6, photos
    assert not leaks, leaks[:10]


def write_figures(seen, statuses, leaks, canary_reports) -> None:
    FIGURES.mkdir(parents=True, exist_ok=True)
    (FIGURES / "personal_data.json").write_text(
        json.dumps(
            {
                "test": "personal_data",
                "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "canary_values": len(CANARIES),
                "canary_reports": len(canary_reports),
                "public_urls_fetched": len(seen),
                "answers": statuses,
                "api_and_open_data_urls": sum(1 for u in seen if u.startswith(("/api/", "/open311/", "/open-data"))),
                "leaks": len(leaks),
                "passed": not leaks,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )
