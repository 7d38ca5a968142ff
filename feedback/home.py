"""This app's panel on the console's home page (`civicworks.console_home`): the department's queue.

Counted in one query; each count links to the queue filtered by the same rule (the queue's
`deadline` filter, `feedback.admin.DeadlineFilter`), so the number and the list agree.
"""

from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicworks.console_home import HomePanel, Item, desk_department, list_url

from .models import OPEN_STATUSES, REPORT_STEPS, Report, ReportStep

DUE_SOON = timedelta(hours=24)
QUEUE = "feedback_report"


def deadline_rules(now: datetime) -> dict[str, Q]:
    """The queue's deadline views, one definition for the counts and the filter."""
    is_open = Q(status__in=OPEN_STATUSES)
    return {
        "new": Q(status__in=REPORT_STEPS[ReportStep.ACCEPT]),  # waiting to be accepted
        "due_soon": is_open & Q(due_at__gte=now, due_at__lt=now + DUE_SOON),
        "overdue": is_open & Q(due_at__lt=now),
        "open": is_open,
    }


def queue_items(request) -> list[Item]:
    department = desk_department(request.user)
    if department is None:
        return []
    rules = deadline_rules(timezone.now())
    wanted = {"new": _("New reports (not accepted yet)"), "due_soon": _("Due in the next 24 hours"),
              "overdue": _("Overdue")}  # fmt: skip
    counts = Report.objects.for_department(department).aggregate(
        **{key: Count("id", filter=rules[key]) for key in wanted}
    )
    return [
        Item(label, counts[key], list_url(QUEUE, deadline=key), alert=key != "due_soon", key=f"reports_{key}")
        for key, label in wanted.items()
    ]


PANELS = (HomePanel("reports", _("Residents' reports"), queue_items, order=10),)
