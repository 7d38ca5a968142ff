"""Entry points for other apps: call these after commit when the event happened.

- feedback, a report confirmed as valid: ``on_report_confirmed(report=report)``
- feedback, an observer's suggestion adopted: ``on_suggestion_adopted(report=report)``
- evaluation, a survey answered by an account: ``on_survey_answered(user=user, response_id=response.pk)``

Each is idempotent (the ledger's unique `source_key`): calling twice awards once.
"""

from civicworks.accounts.models import User

from .models import PointsEntry
from .services import points_award


def on_report_confirmed(*, report) -> PointsEntry | None:
    return points_award(user=report.reporter, rule="report_confirmed", source_key=f"report-confirmed:{report.pk}")


def on_suggestion_adopted(*, report) -> PointsEntry | None:
    return points_award(user=report.reporter, rule="suggestion_adopted", source_key=f"suggestion-adopted:{report.pk}")


def on_survey_answered(*, user: User | None, response_id: int) -> PointsEntry | None:
    return points_award(user=user, rule="survey_answered", source_key=f"survey:{response_id}")
