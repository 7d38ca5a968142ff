"""Where a point lies: district, community and grid area, by point-in-polygon with Shapely."""

from dataclasses import dataclass

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from projects.models import Community, District

from .models import GridArea


@dataclass(frozen=True)
class Location:
    district: District | None = None
    community: Community | None = None
    grid_area: GridArea | None = None


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


def locate(latitude: float | None, longitude: float | None) -> Location:
    """Look the point up: district, then community and grid inside that district.

    A point on a shared edge belongs to both neighbours; taking the district first (in code
    order) and searching only inside it keeps the three answers consistent with each other.
    """
    if latitude is None or longitude is None:
        return Location()
    district = first_containing(District.objects.order_by("code"), latitude, longitude)
    grids = GridArea.objects.select_related("grid_worker", "district", "community").order_by("id")
    if district is None:
        grid = first_containing(grids, latitude, longitude)
        return Location(district=grid.district, community=grid.community, grid_area=grid) if grid else Location()
    community = first_containing(Community.objects.filter(district=district).order_by("name"), latitude, longitude)
    in_district = [g for g in grids.filter(district=district) if contains(g.boundary, latitude, longitude)]
    # Prefer the grid of the community found, when a point sits on the edge of two grids.
    in_district.sort(key=lambda g: g.community_id != (community.pk if community else None))
    return Location(district=district, community=community, grid_area=in_district[0] if in_district else None)
