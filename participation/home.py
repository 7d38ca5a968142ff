"""This app's panel on the console's home page (`civicworks.console_home`): the action items the
department owes from meetings, open and overdue, each count a link to those rows."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicworks.console_home import HomePanel, Item, desk_department, list_url

from .models import ActionItem

ITEMS = "participation_actionitem"


def action_items(request) -> list[Item]:
    department = desk_department(request.user)
    if department is None:
        return []
    counts = ActionItem.objects.filter(owner_department_id=department, done_at=None).aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(due_date__lt=timezone.localdate()))
    )
    owned = {"owner_department__id__exact": department}
    return [
        Item(_("Action items open"), counts["open"], list_url(ITEMS, state="open", **owned), key="items_open"),
        Item(
            _("Action items overdue"),
            counts["overdue"],
            list_url(ITEMS, state="overdue", **owned),
            alert=True,
            key="items_overdue",
        ),
    ]


PANELS = (HomePanel("action_items", _("Action items from meetings"), action_items, order=40),)
