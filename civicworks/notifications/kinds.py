"""The kinds of notification, each registered once by the app that sends it.

`register(*KINDS)` (a list of `Kind(key="report.answered", label=_("My report was answered"), ...))` in the app's
`AppConfig.ready()`. The key names the templates: `notifications/<key>.subject.txt` (one
line) and `notifications/<key>.body.txt`, found in the app's `templates/` folder and rendered in
the recipient's language.
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise


class Channel:
    IN_APP = "in_app"
    EMAIL = "email"
    SMS = "sms"


@dataclass(frozen=True)
class Kind:
    key: str
    label: str | Promise
    # What a recipient gets until they choose otherwise (the in-app list is always written).
    email: bool = True
    sms: bool = False
    # Who may receive it: "resident" kinds appear on the residents' preferences page.
    audience: str = "resident"
    group: str | Promise = field(default="")


_KINDS: dict[str, Kind] = {}


def register(*kinds: Kind) -> Kind:
    """Register the kinds an app sends (in its `AppConfig.ready()`); returns the last one."""
    for kind in kinds:
        if kind.key in _KINDS and _KINDS[kind.key] != kind:
            raise ValueError(f"notification kind {kind.key!r} registered twice")
        _KINDS[kind.key] = kind
    return kind


def get(key: str) -> Kind:
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"notification kind {key!r} is not registered") from None


def all_kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.key)
