"""The hotspot filters (category, period, bounding box, cell size), validated once for the page and the API.

It lives in `civicworks/` rather than `feedback/` so its strings belong to the root catalogue
(the feedback app's catalogue is maintained by its own owner).
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicworks.inputs import code_choice, date_choice
from civicworks.maps import parse_bbox

DEFAULT_DAYS = 30
MAX_DAYS = 366
# Fixed sizes (degrees) so cells line up across requests: neighbouring bboxes share cells and cache keys.
CELL_SIZES = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5)
DEFAULT_CELL = 0.01  # about 1 km: a few blocks, small enough to point at a street
MAX_CELLS_ACROSS = 60  # a bbox is cut into at most 60 × 60 cells
MAX_BBOX_DEGREES = 10.0


@dataclass(frozen=True)
class HotspotQuery:
    """Validated filters; the period is [since, until) in aware datetimes, the previous one is as long."""

    since_date: date
    until_date: date
    cell: float
    bbox: tuple[float, float, float, float] | None  # west, south, east, north, snapped to the cell grid
    category_id: int | None

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.since_date, time.min))

    @property
    def until(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.until_date + timedelta(days=1), time.min))

    @property
    def previous_since(self) -> datetime:
        return self.since - (self.until - self.since)

    @property
    def days(self) -> int:
        return (self.until_date - self.since_date).days + 1

    def key(self) -> str:
        return f"{self.since_date}|{self.until_date}|{self.cell}|{self.bbox}|{self.category_id}"


def cell_for(bbox: tuple[float, float, float, float] | None) -> float:
    """The smallest fixed size that cuts the bbox into at most MAX_CELLS_ACROSS cells each way."""
    if bbox is None:
        return DEFAULT_CELL
    west, south, east, north = bbox
    span = max(east - west, north - south)
    return next((size for size in CELL_SIZES if span / size <= MAX_CELLS_ACROSS), CELL_SIZES[-1])


def snap(bbox: tuple[float, float, float, float], cell: float) -> tuple[float, float, float, float]:
    """Grow the bbox to whole cells, so edge cells are counted in full (and cache keys repeat)."""
    west, south, east, north = bbox
    return (
        round(math.floor(west / cell) * cell, 6),
        round(math.floor(south / cell) * cell, 6),
        round(math.ceil(east / cell) * cell, 6),
        round(math.ceil(north / cell) * cell, 6),
    )


class HotspotForm(forms.Form):
    category = code_choice(
        label=_("Category"),
        queryset=None,
        empty_label=_("All categories"),
        error_messages={"invalid_choice": _("Unknown category.")},
    )
    # Within the calendar the period and the period before it are computed in (civicworks.inputs).
    since = date_choice(label=_("From"))
    until = date_choice(label=_("To"))
    bbox = forms.CharField(required=False, widget=forms.HiddenInput)
    cell = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        from .models import ServiceCategory

        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ServiceCategory.objects.filter(is_active=True)

    def clean_bbox(self) -> tuple[float, float, float, float] | None:
        text = self.cleaned_data.get("bbox", "").strip()
        return parse_bbox(text, max_degrees=MAX_BBOX_DEGREES) if text else None

    def clean_cell(self) -> float | None:
        text = self.cleaned_data.get("cell", "").strip()
        if not text:
            return None
        sizes = {str(size): size for size in CELL_SIZES}
        if text not in sizes:
            raise forms.ValidationError(_("cell must be one of %(sizes)s.") % {"sizes": ", ".join(sizes)}, code="cell")
        return sizes[text]

    def clean(self) -> dict:
        data = super().clean()
        until = data.get("until") or timezone.localdate()
        since = data.get("since") or until - timedelta(days=DEFAULT_DAYS - 1)
        if since > until:
            raise forms.ValidationError(_("The start date must not be after the end date."), code="period")
        if (until - since).days + 1 > MAX_DAYS:
            raise forms.ValidationError(_("The period can be at most %(days)s days.") % {"days": MAX_DAYS})
        data["since"], data["until"] = since, until
        return data

    def query(self) -> HotspotQuery:
        data = self.cleaned_data
        bbox = data.get("bbox")
        cell = data.get("cell") or cell_for(bbox)
        category = data.get("category")
        return HotspotQuery(
            since_date=data["since"],
            until_date=data["until"],
            cell=cell,
            bbox=snap(bbox, cell) if bbox else None,
            category_id=category.pk if category else None,
        )

    def error_text(self) -> str:
        return " ".join(str(message) for errors in self.errors.values() for message in errors)
