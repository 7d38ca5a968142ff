"""Reads about accounts shared by pages, notifications and exports."""

from collections.abc import Iterable

from allauth.account.models import EmailAddress

from .models import User


def verified_emails(users: Iterable[User]) -> dict[int, str]:
    """Where each account's mail may go: {user id: address}, in one query for all of them.

    Staff accounts are set up by a city administrator and keep `User.email`; a resident's mail
    goes only to a primary address they confirmed (an unverified account gets the in-app list).
    """
    users = list(users)
    found = {user.pk: user.email for user in users if (user.is_staff or user.is_superuser) and user.email}
    residents = [user.pk for user in users if user.pk not in found]
    if residents:
        rows = EmailAddress.objects.filter(user_id__in=residents, primary=True, verified=True)
        found |= dict(rows.values_list("user_id", "email"))
    return found
