"""The one write of the field: recording an on-site check (现场核查)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from civicworks.inputs import plain_text
from civicworks.photos import check_photo
from projects.models import Project

from ..models import EventKind, Report, ReportEvent, SiteCheck
from . import selectors

NOTE_MAX = 2000


def _clean_note(note: str | None) -> str:
    note = plain_text(note).strip()
    if not note:
        raise ValidationError({"note": _("Please say what you found on site.")})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("Please keep the note under %(max)d characters.") % {"max": NOTE_MAX}})
    return note


def _check_position(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise ValidationError({"latitude": _("Give both latitude and longitude, or neither.")})
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationError({"latitude": _("This location is not on Earth.")})


def _check_photo(photo) -> None:
    if photo is None:
        return
    try:
        check_photo(photo)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from None


def _require_in_field(by, report: Report | None, project: Project | None) -> None:
    if (report is None) == (project is None):
        raise ValidationError(_("A check is of one report or of one project."), code="target")
    rows = selectors.field_reports(by) if report else selectors.field_projects(by)  # 403 for other roles
    if not rows.filter(pk=(report or project).pk).exists():
        raise PermissionDenied(_("This is not in your area."))


@transaction.atomic
def site_check_record(
    *,
    by,
    note: str,
    report: Report | None = None,
    project: Project | None = None,
    photo=None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> SiteCheck:
    """A grid worker's or supervisor's check of a report or project in their field, with a photo
    (re-encoded, metadata stripped: civicworks.photos) and the phone's position if given.

    A report's check is also a staff-only event on its timeline.
    """
    _require_in_field(by, report, project)
    note = _clean_note(note)
    _check_position(latitude, longitude)
    _check_photo(photo)
    check = SiteCheck.objects.create(
        report=report, project=project, author=by, note=note, photo=photo or "", latitude=latitude, longitude=longitude
    )
    if report is not None:
        ReportEvent.objects.create(
            report=report, kind=EventKind.SITE_CHECKED, actor=by, department=by.department, note=note, is_public=False
        )
    return check
