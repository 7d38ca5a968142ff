"""The projects part of a resident's own data: what they follow."""

from civicworks.accounts.models import User
from civicworks.accounts.mydata import MyDataPart

from .models import Follow


def export(user: User) -> dict:
    rows = Follow.objects.filter(user=user).order_by("created_at")
    return {"follows": list(rows.values("project__code", "project__title", "community__name", "created_at"))}


def erase(user: User) -> None:
    """Follows say what someone is interested in and count for nobody else: they go."""
    Follow.objects.filter(user=user).delete()


PART = MyDataPart(key="projects", export=export, erase=erase)
