"""Participation listens to the other apps' events (civicworks.events) and pays points for them.

The points are awarded after the sender's commit (a rolled-back event pays nothing) and a
failure there never undoes the event. Each is idempotent (the ledger's unique `source_key`):
an event delivered twice awards once. Connected in `ParticipationConfig.ready()`.
"""

from civicworks import events

from .services import award_after_commit


def on_report_accepted(sender, *, report, **kwargs) -> None:
    award_after_commit(user=report.reporter, rule="report_confirmed", source_key=f"report-confirmed:{report.pk}")


def on_suggestion_adopted(sender, *, report, **kwargs) -> None:
    award_after_commit(user=report.reporter, rule="suggestion_adopted", source_key=f"suggestion-adopted:{report.pk}")


def on_survey_answered(sender, *, user, response_id: int, **kwargs) -> None:
    award_after_commit(user=user, rule="survey_answered", source_key=f"survey:{response_id}")


def connect() -> None:
    events.report_accepted.connect(on_report_accepted, dispatch_uid="participation-report-accepted")
    events.suggestion_adopted.connect(on_suggestion_adopted, dispatch_uid="participation-suggestion-adopted")
    events.survey_answered.connect(on_survey_answered, dispatch_uid="participation-survey-answered")
