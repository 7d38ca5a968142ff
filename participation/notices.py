"""Reminders sent once per condition and period (civicworks.notify.notify_once)."""

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import override

from civicworks.notify import notify_once

from . import selectors
from .rules import observer_quota
from .services import month_bounds

ACTION_ITEM_REMIND_DAYS = 3
LAST_WEEK_DAYS = 7


def in_last_week(today: date) -> bool:
    _start, next_month = month_bounds(today)
    return (next_month - today).days <= LAST_WEEK_DAYS


def remind_observers_under_quota(*, today: date) -> int:
    """In the month's last week, remind each observer under quota — once per observer and month."""
    if not in_last_week(today):
        return 0
    sent = 0
    for observer in selectors.observers_under_quota(month=today):
        with override("zh-hans"):
            subject = _("Citizen observer: %(count)d of %(quota)d suggestions this month") % {
                "count": observer.suggestion_count, "quota": observer_quota(),
            }  # fmt: skip
            body = _("The month ends soon. Thank you for walking your streets; your suggestions count.")
        sent += notify_once(
            key=f"observer-quota:{observer.pk}:{today:%Y-%m}", subject=subject, body=body, recipients=[observer.email]
        )
    return sent


def _department_recipients(department) -> list[str]:
    members = department.members.filter(is_active=True).values_list("email", flat=True)
    return [department.dispatch_email, *members]


def remind_action_items(*, today: date) -> int:
    """Before the due date: a reminder to the owner. After it: an escalation to owner and chair. Once each."""
    sent = 0
    with override("zh-hans"):
        for item in selectors.action_items_due(today=today, within_days=ACTION_ITEM_REMIND_DAYS):
            sent += notify_once(
                key=f"action-item-due:{item.pk}:{item.due_date}",
                subject=_("Action item due on %(date)s") % {"date": item.due_date},
                body=f"{item.meeting}\n{item.text}",
                recipients=_department_recipients(item.owner_department),
            )
        for item in selectors.action_items_overdue(today=today):
            chair = item.meeting.chair_department
            sent += notify_once(
                key=f"action-item-overdue:{item.pk}:{item.due_date}",
                subject=_("Overdue action item (due %(date)s)") % {"date": item.due_date},
                body=f"{item.meeting}\n{item.text}\n{item.owner_department}",
                recipients=_department_recipients(item.owner_department) + _department_recipients(chair),
            )
    return sent
