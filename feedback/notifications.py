"""What a reporter hears about their report: each step of its handling, and "is it fixed?".

Registered in `FeedbackConfig.ready()`; sent by the services in the step's own transaction
(`tell_reporter`), so a step rolled back tells nobody. The text names the report by its
reference and carries the department's public answer; never the reporter's contact details.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from civicworks.notifications import kinds, services

from .models import Report, ReportEvent

GROUP = _("My reports")

ACCEPTED = "report.accepted"
TRANSFERRED = "report.transferred"
ANSWERED = "report.answered"
CLOSED = "report.closed"
REOPENED = "report.reopened"
FIXED_QUESTION = "report.fixed_question"

KINDS = [
    kinds.Kind(key=ACCEPTED, label=_("My report was accepted"), group=GROUP),
    kinds.Kind(key=TRANSFERRED, label=_("My report was handed to another department"), group=GROUP),
    kinds.Kind(key=ANSWERED, label=_("My report was answered"), group=GROUP),
    kinds.Kind(key=CLOSED, label=_("My report was closed"), group=GROUP),
    kinds.Kind(key=REOPENED, label=_("My report was reopened"), group=GROUP),
    kinds.Kind(key=FIXED_QUESTION, label=_("Is it fixed? (asked once, some weeks after the answer)"), group=GROUP),
]


def reporter_link(report: Report) -> tuple[list, str]:
    """Who hears about `report` and the link they get, or ([], "") when nobody can be reached.

    An account gets a link that works for that account only (no code in it: an e-mail is
    forwarded, a screen is shared); a reporter without an account gets the tracking link,
    which carries the tracking code: their key, sent only to the address they gave.
    """
    if report.reporter_id and report.reporter.is_active:
        return [report.reporter], reverse("feedback:my-report", args=[report.pk])
    if report.reporter_id is None and report.reporter_email:
        return [report.reporter_email], reverse("feedback:track", args=[report.tracking_code])
    return [], ""


def can_be_reached(report: Report) -> bool:
    return bool(reporter_link(report)[0])


def tell_reporter(report: Report, kind: str, event: ReportEvent, **extra) -> int:
    """Tell the reporter about one step (`event`), once: the event's id names it."""
    to, link = reporter_link(report)
    if not to:
        return 0
    context = {
        "reference": report.reference,
        "category": report.category.name,
        "department": report.department.name if report.department_id else "",
        **extra,
    }
    return services.notify(kind=kind, key=f"{kind}:{report.pk}:{event.pk}", to=to, context=context, link=link)
