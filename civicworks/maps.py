"""A page's map settings, one spelling everywhere: the data- attributes every map script reads.

No inline script (the CSP forbids it): templates write `{% include "_map_data.html" %}` into
the map's element, which gives `data-tile-url`, `data-attribution`, `data-center` ("lat,lng")
and `data-zoom`; the tile attribution is on every map, as the tile server's licence requires.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def map_settings(*, latitude: float | None = None, longitude: float | None = None, zoom: int | None = None) -> dict:
    """Centred on a point when one is given (a project's site), else on the city."""
    if latitude is None or longitude is None:
        latitude, longitude = settings.CIVICWORKS["MAP_CENTER"]
    return {
        "tile_url": settings.CIVICWORKS["MAP_TILE_URL"],
        "attribution": settings.CIVICWORKS["MAP_ATTRIBUTION"],
        "center": f"{float(latitude):f},{float(longitude):f}",
        "zoom": zoom or settings.CIVICWORKS["MAP_ZOOM"],
    }


BBox = tuple[float, float, float, float]


def parse_bbox(text: str, *, max_degrees: float | None = None) -> BBox:
    """`west,south,east,north` in degrees (WGS84), as every map endpoint takes it; ValidationError if not."""
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        raise ValidationError(
            _("bbox must be four numbers: west,south,east,north (longitude, latitude)."), code="bbox"
        ) from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):  # also refuses nan and inf
        raise ValidationError(_("bbox must have west < east within ±180 and south < north within ±90."), code="bbox")
    if max_degrees is not None and (east - west > max_degrees or north - south > max_degrees):
        raise ValidationError(
            _("bbox is too large: at most %(max)s degrees across.") % {"max": max_degrees}, code="bbox"
        )
    return west, south, east, north
