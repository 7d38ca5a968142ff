"""What followers of a project (or of its community) hear from the evaluation app."""

from django.utils.translation import gettext_lazy as _

from civicworks.notifications.kinds import Kind
from civicworks.notifications.services import notify
from projects.selectors import followers_by_project

GROUP = _("Projects I follow")
STAFF_GROUP = _("Rectification orders of my department")
ORDER_DUE = "evaluation.order_due"
ORDER_OVERDUE = "evaluation.order_overdue"

KINDS = [
    Kind(key="evaluation.order_issued", label=_("A rectification order for a project I follow"), group=GROUP),
    Kind(key="evaluation.order_closed", label=_("A rectification order I heard of was closed"), group=GROUP),
    Kind(key="evaluation.survey_open", label=_("A satisfaction survey opened for a project I follow"), group=GROUP),
    Kind(key=ORDER_DUE, label=_("A rectification order is due soon"), audience="staff", group=STAFF_GROUP),
    Kind(key=ORDER_OVERDUE, label=_("A rectification order is overdue"), audience="staff", group=STAFF_GROUP),
]


def tell_followers(items: list, *, kind: str, link=lambda item: item.project.get_absolute_url()) -> int:
    """Tell each item's project followers (an order, a survey: `item.project`) in one read of
    the followers; one `notify` per item, keyed by the item, so each hears once."""
    items = [item for item in items if item.project.is_public]
    followers = followers_by_project([item.project for item in items])
    told = 0
    for item in items:
        told += notify(
            kind=kind,
            key=f"{kind}:{item.pk}",
            to=followers[item.project_id],
            context={"project": item.project, "item": item},
            link=link(item),
        )
    return told
