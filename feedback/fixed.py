""" "Is it fixed?": some weeks after a report was answered or closed, its reporter is asked once.

`fixed_questions_ask` (periodic, feedback.tasks.ask_whether_fixed) finds the reports answered
or closed at least `CIVICWORKS_FIXED_QUESTION_DAYS` ago whose reporter can be reached and who
was not asked yet, and asks: the notification and `Report.fixed_asked_at` in one transaction
per report, so a report is asked once even when two runs overlap. The links carry a signed
token naming the report (never its tracking code); the answer is
`services.report_fixed_answer`. The answers feed the figures (selectors.figures).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from civicworks.notifications import services
from civicworks.notifications.services import site_link

from . import notifications, rollups
from .models import DONE_STATUSES, Report

SALT = "feedback.fixed-question"


def token_for(report: Report) -> str:
    return signing.dumps(report.pk, salt=SALT)


def report_from_token(token: str) -> Report | None:
    try:
        pk = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return Report.objects.select_related("category", "department").filter(pk=pk).first()


def answer_link(report: Report, answer: str = "") -> str:
    path = reverse("feedback:fixed", args=[token_for(report)])
    return f"{path}?answer={answer}" if answer else path


def due(now: datetime) -> QuerySet[Report]:
    """Reports to ask now: answered or closed long enough ago, reachable, not asked, not hidden."""
    cutoff = now - timedelta(days=settings.CIVICWORKS_FIXED_QUESTION_DAYS)
    reachable = Q(reporter__isnull=False, reporter__is_active=True) | Q(reporter__isnull=True) & ~Q(reporter_email="")
    return (
        Report.objects.filter(fixed_asked_at__isnull=True, status__in=DONE_STATUSES, is_hidden=False)
        .filter(Q(resolved_at__lte=cutoff) | Q(closed_at__lte=cutoff))
        .filter(reachable)
    )


@transaction.atomic
def fixed_question_ask(*, report_id: int, now: datetime) -> bool:
    # The conditional update claims the report: a second run (or worker) updates nothing.
    if not Report.objects.filter(pk=report_id, fixed_asked_at__isnull=True).update(fixed_asked_at=now):
        return False
    rollups.sync([report_id])  # the update bypassed save(): "asked" is a figure
    report = Report.objects.select_related("category", "department", "reporter").get(pk=report_id)
    to, _link = notifications.reporter_link(report)
    context = {
        "reference": report.reference,
        "category": report.category.name,
        "department": report.department.name if report.department_id else "",
        "fixed_link": site_link(answer_link(report, "fixed")),
        "not_fixed_link": site_link(answer_link(report, "not_fixed")),
    }
    services.notify(
        kind=notifications.FIXED_QUESTION,
        key=f"{notifications.FIXED_QUESTION}:{report.pk}",
        to=to,
        context=context,
        link=answer_link(report),
    )
    return True


def fixed_questions_ask(*, now: datetime | None = None, limit: int = 500) -> int:
    """Ask every reporter due; returns how many were asked now."""
    now = now or timezone.now()
    ids = list(due(now).order_by("pk").values_list("pk", flat=True)[:limit])
    return sum(fixed_question_ask(report_id=pk, now=now) for pk in ids)
