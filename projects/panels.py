"""The project page's panels: what the other apps know about a project (its score, the reports
about it, the needs it answers …), shown on its page and given in its API detail.

`projects` imports no other app, so each app registers its panels in its `AppConfig.ready()`.
A panel's `context` reads in a fixed number of queries, whatever the number of rows (the page's
query count is pinned in tests); its `api` shapes that same context for the API, without
another query, so the page and the API always show the same data.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import Project


@dataclass(frozen=True)
class Panel:
    key: str  # the key in the API detail; also the panel's name on the page
    template: str  # included with `panel` (the context) and `project`
    context: Callable[[Project], dict[str, Any]]
    api: Callable[[dict[str, Any]], Any]
    order: int = 50  # where it stands on the page, smallest first


@dataclass(frozen=True)
class Filled:
    """A panel with its context for one project."""

    panel: Panel
    data: dict[str, Any]

    @property
    def template(self) -> str:
        return self.panel.template

    def api(self) -> Any:
        return self.panel.api(self.data)


_registry: dict[str, Panel] = {}


def register(*panels: Panel) -> None:
    """Called by an app's `ready()`; registering a key again replaces it (a reload)."""
    for panel in panels:
        _registry[panel.key] = panel


def registered() -> list[Panel]:
    return sorted(_registry.values(), key=lambda p: (p.order, p.key))


def fill(project: Project) -> list[Filled]:
    """Every registered panel with its context for `project`, in page order."""
    return [Filled(panel, panel.context(project)) for panel in registered()]


def api_data(filled: list[Filled]) -> dict[str, Any]:
    return {item.panel.key: item.api() for item in filled}
