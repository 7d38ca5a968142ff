"""Role checks shared by the console, the API and the pages.

Objects are scoped by department; each app says which of its rows a department may touch
(e.g. `Project.objects.for_department`). These helpers only answer "may this role act?".
"""

from .accounts.models import STAFF_ROLES, Role


def is_city_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.CITY_ADMIN))


def has_role(user, *roles: str) -> bool:
    return bool(user.is_authenticated and user.is_active and (is_city_admin(user) or user.role in roles))


def is_staff_role(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.role in STAFF_ROLES))
