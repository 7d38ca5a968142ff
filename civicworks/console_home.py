"""The console's home page: what needs doing today, by role, each count a link to its rows.

The core imports no app, so each app registers its home panels in its `AppConfig.ready()`
(as `projects.panels` does for the project page). A panel's `items(request)` counts in a fixed
number of queries, scoped to what the user may see, and each count links to the console list
filtered to exactly those rows (the lists' own declared filters: the console refuses others).
A panel with no items for this user is not shown.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

from .accounts.models import Role
from .permissions import is_city_admin

# The department's desk: who plans the day from the queue, the projects and the orders.
DESK_ROLES = frozenset({Role.OFFICIAL, Role.MANAGER, Role.SUPERVISOR})


@dataclass(frozen=True)
class Item:
    label: str
    count: int | None = None  # None: a figure (`value`), not a count of rows
    url: str = ""
    value: str = ""
    alert: bool = False  # a count that needs attention once above zero
    key: str = ""  # names the item in the page (`data-key`) and in tests, whatever the language

    @property
    def needs_attention(self) -> bool:
        return self.alert and bool(self.count)


@dataclass(frozen=True)
class HomePanel:
    key: str
    title: str
    items: Callable[[HttpRequest], list[Item]]
    order: int = 50  # where it stands on the page, smallest first
    note: str = ""  # one line under the title (a period, a scope)


@dataclass(frozen=True)
class Filled:
    panel: HomePanel
    items: list[Item]


_registry: dict[str, HomePanel] = {}


def register(*panels: HomePanel) -> None:
    """Called by an app's `ready()`; registering a key again replaces it (a reload)."""
    for panel in panels:
        _registry[panel.key] = panel


def registered() -> list[HomePanel]:
    return sorted(_registry.values(), key=lambda p: (p.order, p.key))


def fill(request: HttpRequest) -> list[Filled]:
    """The panels that have something for this user, in page order."""
    filled = (Filled(panel, panel.items(request)) for panel in registered())
    return [f for f in filled if f.items]


def desk_department(user) -> int | None:
    """The department whose day a panel counts: a desk role's own (never the city's, never none)."""
    if not (user.is_authenticated and user.is_active) or is_city_admin(user):
        return None
    return user.department_id if user.role in DESK_ROLES else None


def list_url(name: str, **params) -> str:
    """A console list's URL with its filter parameters (a list value repeats the parameter)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    query = urlencode(params, doseq=True)
    return f"{reverse(f'admin:{name}_changelist')}{'?' + query if query else ''}"
