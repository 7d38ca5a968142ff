"""The participation part of a resident's own data: needs, supports, votes, points, applications."""

from civicworks.accounts.models import User
from civicworks.accounts.mydata import MyDataPart

from .models import DesignVote, Need, NeedSupport, ObserverApplication, PointsBalance


def export(user: User) -> dict:
    balance = PointsBalance.objects.filter(user=user).values_list("balance", flat=True).first() or 0
    return {
        "needs": list(Need.objects.filter(author=user).order_by("created_at").values(
            "id", "title", "text", "status", "latitude", "longitude", "created_at")),
        "needs_supported": list(NeedSupport.objects.filter(user=user).order_by("created_at").values(
            "need_id", "need__title", "created_at")),
        "design_votes": list(DesignVote.objects.filter(user=user).order_by("created_at").values(
            "cocreation__project__code", "option__title", "created_at")),
        "observer_applications": list(ObserverApplication.objects.filter(user=user).order_by("created_at").values(
            "community__name", "motivation", "status", "created_at")),
        "points": {
            "balance": balance,
            "entries": list(user.points_entries.order_by("created_at").values("delta", "reason", "created_at")),
            "redemptions": list(user.redemptions.order_by("created_at").values("item__name", "cost", "status",
                                                                                "created_at")),
        },
    }  # fmt: skip


def erase(user: User) -> None:
    """Needs, supports, votes and the ledger stay (counts are public record); a motivation letter goes."""
    ObserverApplication.objects.filter(user=user).delete()


PART = MyDataPart(key="participation", export=export, erase=erase)
