"""This app's panels on the console's home page (`civicworks.console_home`).

A department's desk: its open rectification orders (open, due within a week, overdue), each
count a link to the order list filtered to those rows. The evaluator: each review cycle under
way, its state and what is still missing before the scores (from `selectors.cycle_progress`).
"""

from datetime import timedelta

from django.db.models import Case, Count, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicworks.accounts.models import Role
from civicworks.console_home import HomePanel, Item, desk_department, list_url
from civicworks.permissions import has_role

from . import selectors
from .models import CycleState, OrderStatus, RectificationOrder, ReviewCycle, Survey, counted_condition

ORDERS = "evaluation_rectificationorder"
ORDERS_AHEAD = timedelta(days=7)
OPEN_ORDER = [OrderStatus.ISSUED, OrderStatus.ANSWERED]
CYCLES_SHOWN = 2


def order_items(request) -> list[Item]:
    department = desk_department(request.user)
    if department is None:
        return []
    today = timezone.localdate()
    ahead = today + ORDERS_AHEAD
    counts = (
        RectificationOrder.objects.for_department(department)
        .open()
        .aggregate(
            open=Count("id"),
            due=Count("id", filter=Q(deadline__gte=today, deadline__lte=ahead)),
            overdue=Count("id", filter=Q(deadline__lt=today)),
        )
    )
    is_open = {"status__exact": OPEN_ORDER}
    return [
        Item(_("Rectification orders open"), counts["open"], list_url(ORDERS, **is_open), key="orders_open"),
        Item(
            _("Rectification orders due within 7 days"),
            counts["due"],
            list_url(ORDERS, **is_open, deadline__gte=today, deadline__lte=ahead),
            key="orders_due",
        ),
        Item(
            _("Rectification orders overdue"),
            counts["overdue"],
            list_url(ORDERS, **is_open, deadline__lt=today),
            alert=True,
            key="orders_overdue",
        ),
    ]


def _surveys_below_quota(cycle: ReviewCycle) -> int:
    counted = Count("responses", filter=counted_condition(cycle.scheme.count_anonymous, "responses__"))
    return (
        Survey.objects.filter(cycle=cycle)
        .annotate(counted=counted)
        .filter(counted__lt=cycle.scheme.min_responses)
        .count()
    )


def _cycle_items(cycle: ReviewCycle) -> list[Item]:
    figures = selectors.cycle_progress(cycle)
    page = reverse("admin:evaluation_reviewcycle_change", args=[cycle.pk])
    missing_acceptances = max(0, figures["projects"] - figures["inspections"])
    return [
        Item(str(cycle), value=str(cycle.get_state_display()), url=page, key=f"cycle_{cycle.pk}"),
        Item(
            _("Surveys below the minimum of responses"),
            _surveys_below_quota(cycle),
            page,
            alert=True,
            key=f"cycle_{cycle.pk}_surveys",
        ),
        Item(
            _("Acceptances not signed off"),
            missing_acceptances,
            page,
            alert=True,
            key=f"cycle_{cycle.pk}_acceptances",
        ),
        Item(
            _("Rectification orders open"),
            figures["orders"],
            list_url(ORDERS, cycle__id__exact=cycle.pk, status__exact=OPEN_ORDER),
            key=f"cycle_{cycle.pk}_orders",
        ),
    ]


def cycle_items(request) -> list[Item]:
    if request.user.role != Role.EVALUATOR or not has_role(request.user, Role.EVALUATOR):
        return []
    # Open and closed (scoring, orders) before a draft being prepared; the newest first.
    under_way = Case(When(state__in=[CycleState.OPEN, CycleState.CLOSED], then=Value(0)), default=Value(1))
    cycles = (
        ReviewCycle.objects.exclude(state=CycleState.PUBLISHED)
        .select_related("scheme")
        .order_by(under_way, F("year").desc(), F("quarter").desc())[:CYCLES_SHOWN]
    )
    return [item for cycle in cycles for item in _cycle_items(cycle)]


PANELS = (
    HomePanel("orders", _("Rectification orders"), order_items, order=30),
    HomePanel("cycles", _("Review cycles under way"), cycle_items, order=10),
)
