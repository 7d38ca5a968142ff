"""Reminders of the quarterly review, each sent once per condition (civicworks.notify.notify_once)."""

from datetime import date, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicworks.accounts.models import Role, User
from civicworks.notifications.services import notify
from civicworks.notify import notify_once

from .models import CycleStep, OrderStatus, RectificationOrder, ReviewCycle
from .notifications import ORDER_DUE, ORDER_OVERDUE

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


def department_readers(order: RectificationOrder) -> list:
    """Who hears about a department's order: its dispatch mailbox, else its officials and managers,
    each in their own language (the rule of `Department.mail_recipients`)."""
    department = order.department
    if department.dispatch_email:
        return [department.dispatch_email]
    return list(department.members.filter(is_active=True, role__in=[Role.OFFICIAL, Role.MANAGER]))


def evaluators() -> list[User]:
    return list(User.objects.filter(is_active=True, role__in=[Role.EVALUATOR, Role.CITY_ADMIN]))


def order_notice(order: RectificationOrder, overdue: bool) -> bool:
    """Through the notifications (once per order and reader), said in each reader's language with the
    findings and their figures; the overdue notice goes to the evaluators too."""
    kind = ORDER_OVERDUE if overdue else ORDER_DUE
    readers = department_readers(order) + (evaluators() if overdue else [])
    told = notify(kind=kind, key=f"{kind}:{order.pk}", to=readers, context={"order": order}, link=order_link(order))
    return told > 0


def order_link(order: RectificationOrder) -> str:
    return reverse("admin:evaluation_rectificationorder_change", args=[order.pk])


def orders_due_and_overdue(today: date) -> int:
    unanswered = RectificationOrder.objects.filter(status=OrderStatus.ISSUED).select_related("project", "department")
    due = unanswered.filter(deadline__gte=today, deadline__lte=today + timedelta(days=ORDER_WARNING_DAYS))
    overdue = unanswered.overdue(today)
    return sum(order_notice(o, overdue=False) for o in due) + sum(order_notice(o, overdue=True) for o in overdue)


def send_all(today: date | None = None) -> int:
    today = today or timezone.localdate()
    return survey_ending(today) + inspections_pending(today) + orders_due_and_overdue(today)
