"""The feedback part of a resident's own data: reports sent, with the contact given."""

from civicworks.accounts.models import User
from civicworks.accounts.mydata import MyDataPart

from . import rollups
from .models import Report
from .privacy import unlink_reporter


def export(user: User) -> list[dict]:
    rows = Report.objects.filter(reporter=user).select_related("category").order_by("submitted_at")
    return [
        {
            "tracking_code": r.tracking_code, "kind": r.kind, "category": r.category.code, "text": r.text,
            "text_is_public": r.text_is_public, "address": r.address, "latitude": r.latitude,
            "longitude": r.longitude, "status": r.status, "submitted_at": r.submitted_at, "closed_at": r.closed_at,
            "answer": r.answer, "rating": r.rating, "rating_comment": r.rating_comment,
            "contact": {"name": r.reporter_name, "phone": r.reporter_phone, "email": r.reporter_email},
        }
        for r in rows
    ]  # fmt: skip


def erase(user: User) -> None:
    """Reports stay for the department, anonymised: no account link, name, phone or e-mail."""
    reports = list(Report.objects.filter(reporter=user))
    for report in reports:
        unlink_reporter(report)
    Report.objects.bulk_update(reports, ["reporter", "reporter_name", "reporter_phone", "reporter_email"])
    rollups.sync(r.pk for r in reports)  # a rating by a handler's own account counts once it is nobody's


PART = MyDataPart(key="reports", export=export, erase=erase)
