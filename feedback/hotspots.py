"""Hotspots: where reports concentrate, counted in the database into grid cells.

One SQL query groups the day rows of the rollups (feedback.rollups: public located reports per
day, cell and category) of the period AND of the previous period of equal length into cells
(floor(lat / size), floor(lng / size)) with conditional sums; the direct count over the reports
stays as `cell_counts_direct`. The answer is cached for a short time, keyed on the validated filters.
The filters, their defaults and their (translated) errors live in `feedback.hotspot_params`.
"""

import contextlib
import hashlib
import math
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, FloatField, Q, Value
from django.db.models.functions import Floor
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from redis import RedisError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from shapely.geometry import Point, shape

from civicworks.accounts.models import DEPARTMENT_ROLES, Role
from civicworks.maps import map_settings
from civicworks.permissions import has_role
from projects.models import Community

from .hotspot_params import HotspotForm, HotspotQuery
from .models import Report

MAX_CELLS = 2500  # a bbox is at most 60 × 60 cells; without one, the densest 2,500
TOP = 10
LEVELS = 5


def cell_counts(query: HotspotQuery) -> list[dict]:
    """[{x, y, count, previous}] per non-empty cell of the period, densest first — one query over the
    rollups' day rows (feedback.rollups.cell_counts), whatever the number of reports."""
    from . import rollups

    return rollups.cell_counts(query)


def cell_counts_direct(query: HotspotQuery) -> list[dict]:
    """The same counted over the reports — one aggregate query (the rollups' oracle in the tests)."""
    size = Value(query.cell, output_field=FloatField())
    rows = Report.objects.public().filter(
        latitude__isnull=False,
        longitude__isnull=False,
        submitted_at__gte=query.previous_since,
        submitted_at__lt=query.until,
    )
    if query.category_id:
        rows = rows.filter(category_id=query.category_id)
    if query.bbox:
        west, south, east, north = query.bbox
        rows = rows.filter(latitude__gte=south, latitude__lt=north, longitude__gte=west, longitude__lt=east)
    in_period = Q(submitted_at__gte=query.since)
    # COUNT(submitted_at), not COUNT(id): every column then lives in the covering index (index-only scan).
    cells = (
        rows.annotate(x=Floor(F("longitude") / size), y=Floor(F("latitude") / size))
        .values("x", "y")
        .annotate(count=Count("submitted_at", filter=in_period), previous=Count("submitted_at", filter=~in_period))
        .filter(count__gt=0)
        .order_by("-count", "x", "y")[:MAX_CELLS]
    )
    return [{"x": int(c["x"]), "y": int(c["y"]), "count": c["count"], "previous": c["previous"]} for c in cells]


def cell_bounds(x: int, y: int, size: float) -> tuple[float, float, float, float]:
    """West, south, east, north of cell (x, y), within GeoJSON's range: the cell of a point at
    longitude 180 or latitude 90 (a report about a project may lie outside the city) ends there."""
    west, east = (max(-180.0, min(180.0, round(i * size, 6))) for i in (x, x + 1))
    south, north = (max(-90.0, min(90.0, round(j * size, 6))) for j in (y, y + 1))
    return west, south, east, north


def _steps(highest: int) -> list[int]:
    return [math.ceil(highest * i / LEVELS) for i in range(LEVELS + 1)]


def level_of(count: int, highest: int) -> int:
    """1..LEVELS in equal steps up to the densest cell, which is always the darkest (as in the legend)."""
    if highest < LEVELS:  # fewer counts than colours: one colour per count, ending at the darkest
        return LEVELS - highest + count if highest else 0
    steps = _steps(highest)
    return next(i for i in range(1, LEVELS + 1) if count <= steps[i])


def legend(highest: int) -> list[dict]:
    if highest < LEVELS:
        return [{"level": level_of(c, highest), "low": c, "high": c} for c in range(1, highest + 1)]
    steps = _steps(highest)
    return [{"level": i, "low": steps[i - 1] + 1, "high": steps[i]} for i in range(1, LEVELS + 1)]


def change(count: int, previous: int) -> dict:
    percent = round(100 * (count - previous) / previous) if previous else None
    return {"change": count - previous, "change_percent": percent}


def _feature(cell: dict, size: float, highest: int) -> dict:
    west, south, east, north = cell_bounds(cell["x"], cell["y"], size)
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]  # RFC 7946: CCW
    properties = {
        "count": cell["count"],
        "previous": cell["previous"],
        **change(cell["count"], cell["previous"]),
        "level": level_of(cell["count"], highest),
        "bbox": [west, south, east, north],
    }
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": properties}


def _community_names(points: list[tuple[float, float]]) -> list[str]:
    """Name each top cell by the community its centre lies in (one small query, Shapely in memory)."""
    areas = [(c.name, shape(c.boundary)) for c in Community.objects.exclude(boundary={}).only("name", "boundary")]
    return [next((name for name, area in areas if area.contains(Point(lng, lat))), "") for lng, lat in points]


def _top(cells: list[dict], size: float) -> list[dict]:
    top = cells[:TOP]
    centres = [((c["x"] + 0.5) * size, (c["y"] + 0.5) * size) for c in top]
    names = _community_names(centres) if top else []
    return [
        {
            "rank": rank,
            "community": name,
            "longitude": round(lng, 6),
            "latitude": round(lat, 6),
            "bbox": list(cell_bounds(c["x"], c["y"], size)),
            "count": c["count"],
            "previous": c["previous"],
            **change(c["count"], c["previous"]),
        }
        for rank, (c, (lng, lat), name) in enumerate(zip(top, centres, names, strict=True), start=1)
    ]


def hotspots(query: HotspotQuery) -> dict:
    """The GeoJSON FeatureCollection (cells) plus foreign members: period, legend, top table."""
    cells = cell_counts(query)
    highest = cells[0]["count"] if cells else 0
    return {
        "type": "FeatureCollection",
        "features": [_feature(c, query.cell, highest) for c in cells],
        "cell_size": query.cell,
        "since": query.since_date.isoformat(),
        "until": query.until_date.isoformat(),
        "previous_since": (query.since_date - timedelta(days=query.days)).isoformat(),
        "category_id": query.category_id,
        "total": sum(c["count"] for c in cells),
        "truncated": len(cells) == MAX_CELLS,
        "legend": legend(highest),
        "top": _top(cells, query.cell),
    }


def cached_hotspots(query: HotspotQuery) -> dict:
    """Short-lived cache: hotspots move slowly, and a busy map asks the same cells many times."""
    seconds = settings.CIVICWORKS_HOTSPOT_CACHE_SECONDS
    if not seconds:
        return hotspots(query)
    key = "hotspots:v1:" + hashlib.sha1(query.key().encode(), usedforsecurity=False).hexdigest()
    try:
        result = cache.get(key)
    except RedisError:  # the cache is an optimisation: without Redis, count in PostgreSQL
        return hotspots(query)
    if result is None:
        result = hotspots(query)
        with contextlib.suppress(RedisError):
            cache.set(key, result, seconds)
    return result


def may_open_reports(user) -> bool:
    """Who gets the "open the reports of this cell" link: the console's report readers."""
    return has_role(user, *DEPARTMENT_ROLES, Role.EVALUATOR)


def console_query(query: HotspotQuery) -> dict:
    """The console changelist filters for the period and category (the cell adds lat/lng bounds)."""
    params = {"submitted_at__date__gte": query.since_date, "submitted_at__date__lte": query.until_date}
    if query.category_id:
        params["category__id__exact"] = query.category_id
    return params


def console_url(query: HotspotQuery, bbox: list[float]) -> str:
    """Reports behind one cell in the console; the console scopes them to the official's department."""
    west, south, east, north = bbox
    params = {
        **console_query(query),
        "latitude__gte": south,
        "latitude__lt": north,
        "longitude__gte": west,
        "longitude__lt": east,
    }
    return reverse("admin:feedback_report_changelist") + "?" + urlencode(params)


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"  # RFC 7946 §12
    format = "geojson"


class HotspotsApi(APIView):
    """GET /api/v1/reports/hotspots/?bbox=w,s,e,n&category=<code>&since=YYYY-MM-DD&until=YYYY-MM-DD"""

    permission_classes = [AllowAny]
    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("bbox", str, description=_("west,south,east,north in WGS 84 degrees")),
            OpenApiParameter("category", str, description=_("service category code")),
            OpenApiParameter("since", OpenApiTypes.DATE, description=_("first day (default: 30 days ago)")),
            OpenApiParameter("until", OpenApiTypes.DATE, description=_("last day (default: today)")),
            OpenApiParameter("cell", float, description=_("cell size in degrees")),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
        description=_("GeoJSON cells with the report count of the period and of the previous period."),
    )
    def get(self, request):
        form = HotspotForm(request.query_params)
        if not form.is_valid():
            return Response({"error": form.error_text(), "fields": form.errors}, status=400)
        return Response(cached_hotspots(form.query()))


def _page_query(request) -> tuple[HotspotForm, HotspotQuery, bool]:
    """The submitted filters when valid; otherwise the defaults (and the form shows its errors)."""
    form = HotspotForm(request.GET)
    if request.GET and form.is_valid():
        return form, form.query(), True
    defaults = HotspotForm({})
    defaults.is_valid()
    query = defaults.query()
    if not request.GET:
        form = HotspotForm(initial={"since": query.since_date, "until": query.until_date})
    return form, query, not request.GET


def page(request):
    """The residents' hotspot page: filters that work without JS, the top table, a map that enhances."""
    form, query, valid = _page_query(request)
    result = cached_hotspots(query)
    staff = may_open_reports(request.user)
    top = [{**row, "console_url": console_url(query, row["bbox"]) if staff else ""} for row in result["top"]]
    params = {"since": query.since_date, "until": query.until_date}
    if query.category_id:
        params["category"] = form.cleaned_data["category"].code
    context = {
        "form": form,
        "result": result,
        "top": top,
        "query": query,
        "api_url": reverse("feedback-api-hotspots") + "?" + urlencode(params),
        "console_changelist": reverse("admin:feedback_report_changelist") if staff else "",
        "console_query": urlencode(console_query(query)) if staff else "",
        "map": map_settings(),
    }
    return render(request, "hotspots/page.html", context, status=200 if valid else 400)
