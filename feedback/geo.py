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
    """Look the point up: the grid area first (it names its district), then the district and community."""
    if latitude is None or longitude is None:
        return Location()
    grid = first_containing(GridArea.objects.select_related("grid_worker"), latitude, longitude)
    district = first_containing(District.objects.all(), latitude, longitude)
    if district is None and grid is not None:
        district = grid.district
    communities = Community.objects.filter(district=district) if district else Community.objects.none()
    community = first_containing(communities, latitude, longitude)
    if community is None and grid is not None:
        community = grid.community
    return Location(district=district, community=community, grid_area=grid)
