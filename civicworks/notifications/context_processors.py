from django.utils.functional import SimpleLazyObject

from .models import Notification


def unread(request) -> dict:
    """The page header's unread count: one query (index notification_unread), only when a page shows it.

    Lazy, so console pages and anonymous visitors never run it.
    """
    user = getattr(request, "user", None)

    def count() -> int:
        if not (user and user.is_authenticated):
            return 0
        return Notification.objects.filter(user=user, read_at__isnull=True).count()

    return {"notifications_unread": SimpleLazyObject(count)}
