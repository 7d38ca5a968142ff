"""Configurable knobs: points per event and the observers' monthly quota.

Override in settings: ``PARTICIPATION_POINT_RULES = {"vote_cast": 3}`` (merged over the defaults;
0 switches a rule off) and ``PARTICIPATION_OBSERVER_QUOTA = 3``.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

DEFAULT_POINT_RULES: dict[str, int] = {
    "report_confirmed": 10,  # a report confirmed as valid (feedback)
    "suggestion_adopted": 20,  # an observer's suggestion adopted (feedback)
    "survey_answered": 5,  # a satisfaction survey answered (evaluation)
    "vote_cast": 2,  # a co-creation vote
    "need_supported": 1,  # support given to a neighbour's need
    "need_adopted": 30,  # one's own need became a project
}
RULE_LABELS = {
    "report_confirmed": _("Report confirmed as valid"),
    "suggestion_adopted": _("Suggestion adopted"),
    "survey_answered": _("Survey answered"),
    "vote_cast": _("Co-creation vote"),
    "need_supported": _("Need supported"),
    "need_adopted": _("Your need became a project"),
    "redemption": _("Reward redeemed"),
}


def point_rules() -> dict[str, int]:
    return {**DEFAULT_POINT_RULES, **settings.PARTICIPATION_POINT_RULES}


def observer_quota() -> int:
    return settings.PARTICIPATION_OBSERVER_QUOTA


def reason_label(reason: str) -> str:
    return str(RULE_LABELS.get(reason, reason))
