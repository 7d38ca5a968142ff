"""A resident's own data (PIPL / GDPR): everything tied to the account, and erasing it.

Erasure keeps the public record and removes the person:

- the account row stays as an inactive tombstone (random username, no name, e-mail, phone or
  password), because needs, supports, votes and the points ledger refer to it and their
  counts are part of the public record (support counts, vote results, a balanced ledger);
- reports stay, anonymised: no account link, no name, phone or e-mail (the description is kept
  while the department may still be handling it; the retention purge later redacts contact
  details typed into it);
- survey answers stay in the figures, unlinked (`user` cleared, contacts in the comment redacted);
- observer applications (a motivation letter) and idempotency records are deleted;
- every session of the account ends: the view logs out, and the changed (unusable) password
  invalidates the account's other sessions (Django checks the password hash on each request).
"""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from civicworks.accounts.models import STAFF_ROLES, IdempotentRequest, Role, User
from evaluation.models import SurveyResponse
from feedback.models import Report
from feedback.privacy import redact_contacts, unlink_reporter
from participation.models import DesignVote, Need, NeedSupport, ObserverApplication, PointsBalance

ACCOUNT_FIELDS = ["username", "first_name", "last_name", "email", "phone", "role", "date_joined", "last_login"]


def may_erase(user: User) -> bool:
    """Staff accounts are managed by a city administrator (audit rows point at them)."""
    return user.is_authenticated and not user.is_superuser and user.role not in STAFF_ROLES


def _reports(user: User) -> list[dict]:
    rows = Report.objects.filter(reporter=user).select_related("category").order_by("submitted_at")
    return [
        {
            "tracking_code": r.tracking_code, "kind": r.kind, "category": r.category.code, "text": r.text,
            "text_is_public": r.text_is_public, "address": r.address, "latitude": r.latitude,
            "longitude": r.longitude, "status": r.status, "submitted_at": r.submitted_at, "closed_at": r.closed_at,
            "answer": r.answer, "rating": r.rating, "rating_comment": r.rating_comment,
            "contact": {"name": r.reporter_name, "phone": r.reporter_phone, "email": r.reporter_email},
        }
        for r in rows
    ]  # fmt: skip


def _survey_answers(user: User) -> list[dict]:
    rows = SurveyResponse.objects.filter(user=user).select_related("survey__project", "survey__cycle")
    return [
        {"project": r.survey.project.code, "cycle": str(r.survey.cycle), "satisfaction": r.satisfaction,
         "happiness": r.happiness, "comment": r.comment, "submitted_at": r.submitted_at}
        for r in rows.order_by("submitted_at")
    ]  # fmt: skip


def _participation(user: User) -> dict:
    balance = PointsBalance.objects.filter(user=user).values_list("balance", flat=True).first() or 0
    return {
        "needs": list(Need.objects.filter(author=user).order_by("created_at").values(
            "id", "title", "text", "status", "latitude", "longitude", "created_at")),
        "needs_supported": list(NeedSupport.objects.filter(user=user).order_by("created_at").values(
            "need_id", "need__title", "created_at")),
        "design_votes": list(DesignVote.objects.filter(user=user).order_by("created_at").values(
            "cocreation__project__code", "option__title", "created_at")),
        "observer_applications": list(ObserverApplication.objects.filter(user=user).order_by("created_at").values(
            "community__name", "motivation", "status", "created_at")),
        "points": {
            "balance": balance,
            "entries": list(user.points_entries.order_by("created_at").values("delta", "reason", "created_at")),
            "redemptions": list(user.redemptions.order_by("created_at").values("item__name", "cost", "status",
                                                                                "created_at")),
        },
    }  # fmt: skip


def account_export(user: User) -> dict:
    """Everything tied to the account, as plain data for a JSON download."""
    return {
        "generated_at": timezone.now(),
        "account": {field: getattr(user, field) for field in ACCOUNT_FIELDS},
        "reports": _reports(user),
        "survey_answers": _survey_answers(user),
        "participation": _participation(user),
    }


def _tombstone(user: User) -> None:
    # A new password hash invalidates every other session of the account.
    user.username = f"deleted-{secrets.token_hex(8)}"
    user.first_name = user.last_name = user.email = user.phone = user.organisation = ""
    user.role, user.department, user.is_active = Role.RESIDENT, None, False
    user.set_unusable_password()
    user.save()


@transaction.atomic
def account_erase(*, user: User) -> None:
    """Remove the person's data; see the module docstring for what stays and why."""
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    reports = list(Report.objects.filter(reporter=user))
    for report in reports:
        unlink_reporter(report)
    Report.objects.bulk_update(reports, ["reporter", "reporter_name", "reporter_phone", "reporter_email"])
    answers = list(SurveyResponse.objects.filter(user=user))
    for answer in answers:
        answer.user, answer.comment = None, redact_contacts(answer.comment)
    SurveyResponse.objects.bulk_update(answers, ["user", "comment"])
    ObserverApplication.objects.filter(user=user).delete()
    IdempotentRequest.objects.filter(scope=f"user:{user.pk}").delete()
    _tombstone(user)
