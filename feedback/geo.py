"""Where a point lies: district, community and grid area, by point-in-polygon with Shapely."""

import threading
import time
from dataclasses import dataclass

from django.db import connection
from django.db.models.signals import post_delete, post_save
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep

from projects.models import Community, District

from .models import GridArea


@dataclass(frozen=True)
class Location:
    district: District | None = None
    community: Community | None = None
    grid_area: GridArea | None = None
    # False only for a point none of the city's areas covers while the city has boundaries:
    # outside the city. Without any district boundary (a fresh install) every point is "in".
    in_city: bool = True


def area_of(geojson: dict | None) -> BaseGeometry | None:
    """The Shapely shape of a GeoJSON Polygon/MultiPolygon, or None when it is missing or broken."""
    if not geojson or geojson.get("type") not in ("Polygon", "MultiPolygon"):
        return None
    try:
        geometry = shape(geojson)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    return geometry if geometry.is_valid and not geometry.is_empty else None


def contains(geojson: dict | None, latitude: float, longitude: float) -> bool:
    """True when the point is inside the area or on its edge (GeoJSON is lon/lat)."""
    geometry = area_of(geojson)
    return geometry is not None and geometry.covers(Point(longitude, latitude))


def first_containing(rows, latitude: float, longitude: float):
    return next((row for row in rows if contains(row.boundary, latitude, longitude)), None)


# --- The city's areas, kept in memory -------------------------------------------------------------
# Locating a point read three tables and parsed every boundary on each report: 43 % of an
# intake request's time. The areas change a few times a year, so each process keeps them with
# their parsed shapes and checks a one-query fingerprint per lookup: row counts, highest ids and
# latest edits (`updated_at`), so a row added, deleted or saved anywhere is seen by every process
# (every web node) at its next lookup; and the grids that have a worker, since deleting a worker's
# account empties its grid by an UPDATE that bypasses `save()`. Other writes that bypass `save()`
# (`QuerySet.update`, SQL) reach each process within ATLAS_SECONDS.
ATLAS_SECONDS = 60
FINGERPRINT_SQL = """
SELECT * FROM
    (SELECT count(*), max(id), max(updated_at) FROM projects_district) AS districts,
    (SELECT count(*), max(id), max(updated_at) FROM projects_community) AS communities,
    (SELECT count(*), max(id), max(updated_at), count(grid_worker_id) FROM feedback_gridarea) AS grids
"""


@dataclass(frozen=True)
class Atlas:
    fingerprint: tuple
    loaded_at: float
    districts: list  # (district, shape) in code order
    communities: dict  # district id -> [(community, shape)] in name order
    grids: list  # (grid, shape) in id order

    @property
    def bounded(self) -> bool:
        """The city has an outline: at least one district with a usable boundary."""
        return any(geometry is not None for _district, geometry in self.districts)

    def first(self, rows, point: Point):
        return next((row for row, geometry in rows if geometry is not None and geometry.covers(point)), None)


_atlas: list[Atlas] = []
_atlas_lock = threading.Lock()


def _fingerprint() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT_SQL)
        return cursor.fetchone()


def _load(fingerprint: tuple) -> Atlas:
    def shaped(rows) -> list:
        return [(row, prepared(row.boundary)) for row in rows]

    communities: dict = {}
    for community in Community.objects.order_by("name"):
        communities.setdefault(community.district_id, []).append(community)
    return Atlas(
        fingerprint=fingerprint,
        loaded_at=time.monotonic(),
        districts=shaped(District.objects.order_by("code")),
        communities={pk: shaped(rows) for pk, rows in communities.items()},
        grids=shaped(GridArea.objects.select_related("grid_worker", "district", "community").order_by("id")),
    )


def prepared(geojson: dict | None):
    geometry = area_of(geojson)
    return prep(geometry) if geometry is not None else None


def atlas() -> Atlas:
    fingerprint = _fingerprint()
    with _atlas_lock:
        current = _atlas[0] if _atlas else None
        fresh = current and current.fingerprint == fingerprint
        if not fresh or time.monotonic() - current.loaded_at > ATLAS_SECONDS:
            _atlas[:] = [_load(fingerprint)]
        return _atlas[0]


def forget_areas(**_kwargs) -> None:
    """Drop this process's copy (a signal receiver: an area was saved or deleted)."""
    with _atlas_lock:
        _atlas.clear()


for _model in (District, Community, GridArea):
    post_save.connect(forget_areas, sender=_model, dispatch_uid=f"geo-forget-{_model.__name__}")
    post_delete.connect(forget_areas, sender=_model, dispatch_uid=f"geo-forget-del-{_model.__name__}")


def locate(latitude: float | None, longitude: float | None) -> Location:
    """Look the point up: district, then community and grid inside that district.

    The city is what its districts (and grid areas) cover: a point outside all of them is
    `in_city=False` once any district has a boundary.

    A point on a shared edge belongs to both neighbours; taking the district first (in code
    order) and searching only inside it keeps the three answers consistent with each other.
    """
    if latitude is None or longitude is None:
        return Location()
    areas, point = atlas(), Point(longitude, latitude)
    district = areas.first(areas.districts, point)
    if district is None:
        grid = areas.first(areas.grids, point)
        if grid is None:
            return Location(in_city=not areas.bounded)
        return Location(district=grid.district, community=grid.community, grid_area=grid)
    community = areas.first(areas.communities.get(district.pk, []), point)
    in_district = [g for g, shape in areas.grids if g.district_id == district.pk and shape and shape.covers(point)]
    # Prefer the grid of the community found, when a point sits on the edge of two grids.
    in_district.sort(key=lambda g: g.community_id != (community.pk if community else None))
    return Location(district=district, community=community, grid_area=in_district[0] if in_district else None)
