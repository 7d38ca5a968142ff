"""Entry points for other apps, called inside their transaction when the event happens.

- feedback, a report accepted by its department (confirmed as valid): ``on_report_confirmed(report=report)``
- feedback, an observer's suggestion accepted (adopted): ``on_suggestion_adopted(report=report)``
- evaluation, a survey answered by an account: ``on_survey_answered(user=user, response_id=response.pk)``

The points are awarded after the caller's commit (a rolled-back event pays nothing) and a
failure there never undoes the event. Each is idempotent (the ledger's unique `source_key`):
calling twice awards once.
"""

from civicworks.accounts.models import User

from .services import award_after_commit


def on_report_confirmed(*, report) -> None:
    award_after_commit(user=report.reporter, rule="report_confirmed", source_key=f"report-confirmed:{report.pk}")


def on_suggestion_adopted(*, report) -> None:
    award_after_commit(user=report.reporter, rule="suggestion_adopted", source_key=f"suggestion-adopted:{report.pk}")


def on_survey_answered(*, user: User | None, response_id: int) -> None:
    award_after_commit(user=user, rule="survey_answered", source_key=f"survey:{response_id}")
