"""The evaluation part of a resident's own data: survey answers."""

from civicworks.accounts.models import User
from civicworks.accounts.mydata import MyDataPart
from civicworks.redaction import redact_contacts

from .models import SurveyResponse


def export(user: User) -> list[dict]:
    rows = SurveyResponse.objects.filter(user=user).select_related("survey__project", "survey__cycle")
    return [
        {"project": r.survey.project.code, "cycle": str(r.survey.cycle), "satisfaction": r.satisfaction,
         "happiness": r.happiness, "comment": r.comment, "submitted_at": r.submitted_at}
        for r in rows.order_by("submitted_at")
    ]  # fmt: skip


def erase(user: User) -> None:
    """Answers stay in the figures, unlinked, with contacts typed into the comment redacted."""
    answers = list(SurveyResponse.objects.filter(user=user))
    for answer in answers:
        answer.user, answer.comment = None, redact_contacts(answer.comment)
    SurveyResponse.objects.bulk_update(answers, ["user", "comment"])


PART = MyDataPart(key="survey_answers", export=export, erase=erase)
