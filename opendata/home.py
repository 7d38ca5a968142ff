"""The city administrator's panel on the console's home page (`civicworks.console_home`): the city's
report figures for the last complete month (the figures page's own definitions) and the
departments at risk in the last complete quarter (the public league table's rows)."""

from datetime import timedelta

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicworks.console_home import HomePanel, Item, list_url
from civicworks.permissions import is_city_admin
from feedback.rollups import period_counts
from feedback.selectors import period_from, report_rates

from .departments import Quarter, league, percent

ON_TIME_AT_RISK = 80  # percent of answers given by the deadline


def _percent(fraction) -> str:
    value = percent(fraction)
    return "—" if value is None else f"{value} %"


def city_items(request) -> list[Item]:
    if not is_city_admin(request.user):
        return []
    month = period_from("")  # the last complete month
    row = period_counts(month)  # the rollups' day rows (feedback.rollups), not the reports
    rates = report_rates(row)
    reports_url = list_url(
        "feedback_report",
        submitted_at__date__gte=month.start.isoformat(),
        submitted_at__date__lte=(month.end - timedelta(days=1)).isoformat(),  # `end` is exclusive
    )
    figures_url = f"{reverse('admin:feedback_report_figures')}?period={month.label}"
    return [
        Item(
            _("Reports received in %(month)s") % {"month": month.label}, row["reports"], reports_url, key="city_reports"
        ),
        Item(_("Answered on time"), value=_percent(rates["on_time_rate"]), url=figures_url, key="city_on_time"),
        Item(_("Satisfied residents"), value=_percent(rates["satisfied_rate"]), url=figures_url, key="city_satisfied"),
    ]


def _risks(row: dict) -> list[str]:
    """What puts a department at risk in a quarter, in words (empty: not at risk)."""
    risks = []
    if row["on_time_rate"] is not None and row["on_time_rate"] < ON_TIME_AT_RISK:
        risks.append(_("on time %(rate)s %%") % {"rate": row["on_time_rate"]})
    if row["open_orders"]:
        risks.append(_("%(n)d rectification orders open") % {"n": row["open_orders"]})
    if row["overdue_milestones"]:
        risks.append(_("%(n)d milestones overdue") % {"n": row["overdue_milestones"]})
    if row["accountability"]:
        risks.append(_("%(n)d accountability records") % {"n": row["accountability"]})
    return risks


def risk_items(request) -> list[Item]:
    if not is_city_admin(request.user):
        return []
    quarter = Quarter.default()
    table = league(quarter=quarter)
    items = []
    for row in table["rows"]:
        if risks := _risks(row):
            department = row["department"]
            url = department.get_absolute_url()
            items.append(Item(str(department), value="; ".join(risks), url=url, key=f"risk_{department.pk}"))
    return items or [
        Item(_("No department at risk in %(quarter)s") % {"quarter": quarter.label}, value="✓", key="no_risk")
    ]


PANELS = (
    HomePanel("city", gettext_lazy("The city last month"), city_items, order=10),
    HomePanel("departments_at_risk", gettext_lazy("Departments at risk (last complete quarter)"), risk_items, order=20),
)
