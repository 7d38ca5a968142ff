"""Reminders of the quarterly review, each sent once per condition (civicworks.notify.notify_once)."""

from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicworks.accounts.models import Role, User
from civicworks.notify import notify_once

from .models import CycleStep, OrderStatus, RectificationOrder, ReviewCycle

SURVEY_WARNING_DAYS = 3
INSPECTION_WARNING_DAYS = 14
ORDER_WARNING_DAYS = 3


def evaluator_emails() -> list[str]:
    users = User.objects.filter(is_active=True).filter(Q(role__in=[Role.EVALUATOR, Role.CITY_ADMIN]))
    return [email for email in users.values_list("email", flat=True) if email]


def survey_ending(today: date) -> int:
    cycles = ReviewCycle.objects.allowing(CycleStep.ANSWER).filter(
        survey_closes_on__gte=today,
        survey_closes_on__lte=today + timedelta(days=SURVEY_WARNING_DAYS),
    )
    sent = 0
    for cycle in cycles:
        sent += notify_once(
            key=f"evaluation-survey-ending:{cycle.pk}",
            subject=_("Surveys of %(cycle)s close on %(day)s") % {"cycle": cycle, "day": cycle.survey_closes_on},
            body=_("The satisfaction surveys of review cycle %(cycle)s close on %(day)s.")
            % {"cycle": cycle, "day": cycle.survey_closes_on},
            recipients=evaluator_emails(),
        )
    return sent


def inspections_pending(today: date) -> int:
    sent = 0
    for cycle in ReviewCycle.objects.allowing(CycleStep.COMPUTE):
        if today < cycle.ends_on - timedelta(days=INSPECTION_WARNING_DAYS):
            continue
        missing = cycle.projects.exclude(
            pk__in=cycle.inspections.filter(signed_off_at__isnull=False).values("project_id")
        ).values_list("code", flat=True)
        codes = ", ".join(missing)
        if not codes:
            continue
        sent += notify_once(
            key=f"evaluation-inspections-pending:{cycle.pk}",
            subject=_("On-site acceptances of %(cycle)s not done yet") % {"cycle": cycle},
            body=_("These projects have no signed-off on-site acceptance yet: %(codes)s") % {"codes": codes},
            recipients=evaluator_emails(),
        )
    return sent


def order_notice(order: RectificationOrder, overdue: bool) -> bool:
    values = {"code": order.project.code, "deadline": order.deadline}
    if overdue:
        subject = _("Rectification order for %(code)s is overdue (deadline %(deadline)s)") % values
        recipients = [*order.department.mail_recipients(), *evaluator_emails()]
    else:
        subject = _("Rectification order for %(code)s is due on %(deadline)s") % values
        recipients = order.department.mail_recipients()
    body = subject + "\n\n" + order.findings
    key = f"evaluation-order-{'overdue' if overdue else 'due'}:{order.pk}"
    return notify_once(key=key, subject=subject, body=body, recipients=recipients)


def orders_due_and_overdue(today: date) -> int:
    unanswered = RectificationOrder.objects.filter(status=OrderStatus.ISSUED).select_related("project", "department")
    due = unanswered.filter(deadline__gte=today, deadline__lte=today + timedelta(days=ORDER_WARNING_DAYS))
    overdue = unanswered.filter(deadline__lt=today)
    return sum(order_notice(o, overdue=False) for o in due) + sum(order_notice(o, overdue=True) for o in overdue)


def send_all(today: date | None = None) -> int:
    today = today or timezone.localdate()
    return survey_ending(today) + inspections_pending(today) + orders_due_and_overdue(today)
