"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): categories are its services.

Every response exists in `.json` and `.xml`; errors keep the spec's shape
(`[{"code": 400, "description": "..."}]`, `<errors><error>…</error></errors>`). Responses
carry public fields only: the contact a client posts goes to the department, never back out.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from civicworks.idempotency import idempotent
from civicworks.inputs import parse_id, plain_text

from . import selectors, services
from .models import DONE_STATUSES, ApiKey, Channel, Report, ReportKind, ServiceCategory, normalise_tracking_code

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_REQUESTS = 1000
DEFAULT_DAYS = 90

# Which element wraps one item of a list, per list root (the spec's XML names).
XML_ITEM = {"services": "service", "service_requests": "request", "errors": "error", "endpoints": "endpoint",
            "formats": "format", "attributes": "attribute", "values": "value"}  # fmt: skip


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# --- Rendering -----------------------------------------------------------------------------------


def _xml_value(parent: ET.Element, name: str, value) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, list):
        for item in value:
            _xml_value(element, XML_ITEM.get(name, "item"), item)
    elif isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(element, key, inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        # XML 1.0 cannot carry control characters: one stored in a report (before the input rule,
        # or by a bulk load) would make the whole list unreadable for every client.
        element.text = plain_text(str(value))


def to_xml(root: str, data) -> bytes:
    element = ET.Element(root)
    items = data if isinstance(data, list) else None
    if items is not None:
        for item in items:
            _xml_value(element, XML_ITEM.get(root, "item"), item)
    else:
        for key, value in data.items():
            _xml_value(element, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8", xml_declaration=False)


def render(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(to_xml(root, data), content_type="text/xml; charset=utf-8", status=status)
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt, "errors", [{"code": status, "description": description}], status=status)


def endpoint(view: Callable) -> Callable:
    """Turn Open311Error into the spec's error list, in the requested format."""

    def wrapped(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
        try:
            return view(request, fmt, **kwargs)
        except Open311Error as exc:
            return error(fmt, exc.status, exc.description)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- Services (categories) -----------------------------------------------------------------------


def service_dict(category: ServiceCategory) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": str(category.department) if category.department_id else "",
    }


KIND_ATTRIBUTE = "kind"


def service_definition(category: ServiceCategory) -> dict:
    """One optional attribute: the kind of report (problem by default)."""
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": KIND_ATTRIBUTE,
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "",
                "order": 1,
                "description": str(_("What is it?")),
                "values": [{"key": value, "name": str(label)} for value, label in ReportKind.choices],
            }
        ],
    }


@require_GET
@endpoint
def discovery(request, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": "json"}).rsplit("/", 1)[0] + "/")
    return render(
        fmt,
        "discovery",
        {
            "changeset": "2026-11-28T00:00:00+08:00",
            "contact": str(_("The city's 12345 service desk")),
            "key_service": str(_("API keys are issued by the city administrator.")),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base.rstrip("/"),
                    "changeset": "2026-11-28T00:00:00+08:00",
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        },
    )


@require_GET
@endpoint
def service_list(request, fmt: str) -> HttpResponse:
    categories = ServiceCategory.objects.filter(is_active=True).select_related("department")
    return render(fmt, "services", [service_dict(c) for c in categories])


@require_GET
@endpoint
def service_detail(request, fmt: str, code: str) -> HttpResponse:
    category = ServiceCategory.objects.filter(is_active=True, code=code).first()
    if category is None:
        raise Open311Error(404, _("No service with the code %(code)s.") % {"code": code})
    return render(fmt, "service_definition", service_definition(category))


# --- Requests (reports) ---------------------------------------------------------------------------


def request_dict(report: Report, request: HttpRequest) -> dict:
    """The spec's service request fields: public data only."""
    photo = next((p for p in report.photos.all() if not p.is_answer), None)
    return {
        "service_request_id": str(report.pk),
        "status": "closed" if report.status in DONE_STATUSES else "open",
        "status_notes": report.answer,
        "service_name": report.category.name,
        "service_code": report.category.code,
        "description": report.public_text,
        "agency_responsible": report.department.name if report.department_id else "",
        "service_notice": "",
        "requested_datetime": _iso(report.submitted_at),
        "updated_datetime": _iso(report.updated_at),
        "expected_datetime": _iso(report.due_at),
        "address": report.public_address,
        "address_id": "",
        "zipcode": "",
        "lat": report.latitude,
        "long": report.longitude,
        "media_url": request.build_absolute_uri(photo.image.url) if photo else "",
    }


def _date_param(request: HttpRequest, name: str) -> datetime | None:
    raw = request.GET.get(name)
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))
        value = value if value is None or timezone.is_aware(value) else timezone.make_aware(value)
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 in a literal (a 500 otherwise).
        value = value.astimezone(UTC) if value is not None else None
    except (ValueError, OverflowError):  # well formed but impossible: hour 99, year 10000 in UTC
        value = None
    if value is None:
        raise Open311Error(400, _("%(name)s must be a W3C date-time, e.g. 2026-11-01T00:00:00+08:00.") % {"name": name})
    return value


def _filtered(request: HttpRequest):
    """The spec's filters; without ids or dates, the last 90 days, at most 1000."""
    rows = selectors.public_reports().prefetch_related("photos")
    if ids := request.GET.get("service_request_id"):
        wanted = [parse_id(x) for x in ids.split(",") if x.strip()]
        if None in wanted:
            raise Open311Error(400, _("service_request_id must be numbers separated by commas."))
        return rows.filter(pk__in=wanted)
    if codes := request.GET.get("service_code"):
        rows = rows.filter(category__code__in=[c.strip() for c in codes.split(",")])
    start, end = _date_param(request, "start_date"), _date_param(request, "end_date")
    if start is None and end is None:
        start = timezone.now() - timedelta(days=DEFAULT_DAYS)
    if start:
        rows = rows.filter(submitted_at__gte=start)
    if end:
        rows = rows.filter(submitted_at__lte=end)
    if status := request.GET.get("status"):
        wanted = {s.strip() for s in status.split(",")}
        if not wanted <= {"open", "closed"}:
            raise Open311Error(400, _("status is open or closed."))
        if wanted == {"open"}:
            rows = rows.exclude(status__in=DONE_STATUSES)
        elif wanted == {"closed"}:
            rows = rows.filter(status__in=DONE_STATUSES)
    return rows


def _client(request: HttpRequest) -> ApiKey:
    key = request.POST.get("api_key", "")
    client = ApiKey.objects.filter(key=key, is_active=True).first() if key else None
    if client is None:
        raise Open311Error(403, _("A valid api_key is required."))
    return client


def _float(request: HttpRequest, name: str) -> float | None:
    raw = request.POST.get(name, "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise Open311Error(400, _("%(name)s must be a number.") % {"name": name}) from None


def _create(request: HttpRequest) -> Report:
    _client(request)
    code = request.POST.get("service_code", "")
    category = ServiceCategory.objects.filter(is_active=True, code=code).select_related("department").first()
    if category is None:
        raise Open311Error(404, _("No service with the code %(code)s.") % {"code": code})
    kind = request.POST.get(f"attribute[{KIND_ATTRIBUTE}]", ReportKind.PROBLEM)
    name = " ".join(x for x in [request.POST.get("last_name", ""), request.POST.get("first_name", "")] if x)
    try:
        return services.report_submit(
            category=category, kind=kind, text=request.POST.get("description", ""),
            latitude=_float(request, "lat"), longitude=_float(request, "long"),
            address=request.POST.get("address_string", ""), reporter_name=name,
            reporter_phone=request.POST.get("phone", ""), reporter_email=request.POST.get("email", ""),
            channel=Channel.OPEN311, photos=request.FILES.getlist("media"),
        )  # fmt: skip
    except ValidationError as exc:
        raise Open311Error(400, " ".join(exc.messages)) from None


@csrf_exempt  # a machine client authenticated by api_key, no cookies involved
@require_http_methods(["GET", "POST"])
@idempotent
@endpoint
def requests_view(request, fmt: str) -> HttpResponse:
    if request.method == "POST":
        report = _create(request)
        notice = str(_("Keep the token to follow the request: %(token)s") % {"token": report.tracking_code})
        body = [
            {
                "service_request_id": str(report.pk),
                "token": report.tracking_code,
                "service_notice": notice,
                "account_id": "",
            }
        ]
        return render(fmt, "service_requests", body, status=201)
    rows = _filtered(request).order_by("-submitted_at")[:MAX_REQUESTS]
    return render(fmt, "service_requests", [request_dict(r, request) for r in rows])


@require_GET
@endpoint
def request_detail(request, fmt: str, pk: str) -> HttpResponse:
    wanted = parse_id(pk)
    report = selectors.public_reports().prefetch_related("photos").filter(pk=wanted).first() if wanted else None
    if report is None:
        raise Open311Error(404, _("No service request with the id %(id)s.") % {"id": pk})
    return render(fmt, "service_requests", [request_dict(report, request)])


@require_GET
@endpoint
def token_detail(request, fmt: str, token: str) -> HttpResponse:
    report = (
        Report.objects.public().filter(tracking_code=normalise_tracking_code(token)).only("pk", "tracking_code").first()
    )
    if report is None:
        raise Open311Error(404, _("No service request with this token."))
    return render(fmt, "service_requests", [{"service_request_id": str(report.pk), "token": token}])
