"""Every state change of the participation app. Keyword-only, one transaction each."""

import logging
import uuid
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicworks import events
from civicworks.accounts.models import Role, User
from civicworks.accounts.services import require_verified
from civicworks.notifications.services import notify
from civicworks.permissions import has_role, is_city_admin
from civicworks.photos import prepare_photo
from projects.models import Community, District, Project, ProjectCategory

from .models import (
    ActionItem,
    ApplicationStatus,
    CoCreation,
    DesignOption,
    DesignVote,
    Meeting,
    Need,
    NeedProject,
    NeedStatus,
    NeedSupport,
    ObserverApplication,
    PointsBalance,
    PointsEntry,
    Redemption,
    RewardItem,
)
from .rules import point_rules

logger = logging.getLogger(__name__)

NEED_EDITOR_ROLES = (Role.OFFICIAL, Role.MANAGER)
OBSERVER_DECIDER_ROLES = (Role.MANAGER,)


# --- Points ----------------------------------------------------------------------------------


def _locked_balance(user: User) -> PointsBalance:
    """The user's balance row, created if missing, locked until the transaction ends."""
    PointsBalance.objects.get_or_create(user=user)
    return PointsBalance.objects.select_for_update().get(user=user)


@transaction.atomic
def points_award(*, user: User | None, rule: str, source_key: str) -> PointsEntry | None:
    """Award the points of `rule` for the event `source_key`; None when already awarded or nothing to give.

    Other apps call this (e.g. ``rule="report_confirmed", source_key=f"report-confirmed:{report.pk}"``).
    The balance row is locked first, so two awards of the same event queue up and the second
    one meets the unique `source_key` instead of adding twice.
    """
    points = point_rules().get(rule, 0)
    if user is None or not user.is_active or points <= 0:
        return None
    balance = _locked_balance(user)
    try:
        with transaction.atomic():
            entry = PointsEntry.objects.create(user=user, delta=points, reason=rule, source_key=source_key)
    except IntegrityError:
        return None
    PointsBalance.objects.filter(pk=balance.pk).update(balance=F("balance") + points, updated_at=timezone.now())
    notify(
        kind="participation.points",
        key=f"participation.points:{source_key}",
        to=[user],
        context={"points": points, "rule": rule},
        link=reverse("accounts:my-data"),
    )
    return entry


def award_after_commit(*, user: User | None, rule: str, source_key: str) -> None:
    """Points are a bonus: a failure there must not undo the vote or support that earned them."""

    def award() -> None:
        try:
            points_award(user=user, rule=rule, source_key=source_key)
        except Exception:  # noqa: BLE001 - logged; the ledger can be completed by hand
            logger.exception("points award failed for %s", source_key)

    transaction.on_commit(award)


@transaction.atomic
def points_redeem(*, user: User, item: RewardItem) -> Redemption:
    """Spend points on a reward. Refused (nothing changed) without enough points or stock."""
    require_verified(user)
    balance = _locked_balance(user)
    item = RewardItem.objects.select_for_update().get(pk=item.pk)
    if not item.is_active:
        raise ValidationError(_("This reward is no longer available."))
    if item.stock is not None and item.stock < 1:
        raise ValidationError(_("This reward is out of stock."))
    if balance.balance < item.cost:
        raise ValidationError(
            _("You need %(cost)d points; you have %(balance)d.") % {"cost": item.cost, "balance": balance.balance}
        )
    # Each redemption is its own event: a fresh key (a resubmitted form is a new redemption by design).
    entry = PointsEntry.objects.create(
        user=user, delta=-item.cost, reason="redemption", source_key=f"redeem:{user.pk}:{uuid.uuid4().hex}"
    )
    PointsBalance.objects.filter(pk=balance.pk).update(balance=F("balance") - item.cost, updated_at=timezone.now())
    if item.stock is not None:
        RewardItem.objects.filter(pk=item.pk).update(stock=F("stock") - 1)
    return Redemption.objects.create(user=user, item=item, cost=item.cost, entry=entry)


# --- Needs -----------------------------------------------------------------------------------


def _community_at(district: District, community: Community | None) -> Community | None:
    if community is not None and community.district_id != district.pk:
        raise ValidationError({"community": _("This community is not in the chosen district.")})
    return community


@transaction.atomic
def need_propose(
    *,
    author: User,
    category: ProjectCategory,
    title: str,
    text: str,
    latitude: float,
    longitude: float,
    district: District,
    community: Community | None = None,
    photo: UploadedFile | None = None,
) -> Need:
    if not author.is_authenticated:
        raise PermissionDenied
    require_verified(author)
    need = Need(
        author=author, category=category, title=title.strip(), text=text.strip(), latitude=latitude,
        longitude=longitude, district=district, community=_community_at(district, community),
    )  # fmt: skip
    need.full_clean(exclude=["photo", "author"])
    if photo is not None:
        prepared = prepare_photo(photo)  # refuses bombs, fake images; strips EXIF
        need.photo.save("photo.jpg", ContentFile(prepared.image), save=False)  # stored under a random token
    need.save()
    return need


def need_support(*, need: Need, user: User) -> bool:
    """Support someone else's need once. True when counted now, False when this account had already supported it."""
    if not user.is_authenticated:
        raise PermissionDenied
    require_verified(user)
    if need.is_hidden or need.status == NeedStatus.DECLINED:
        raise ValidationError(_("This need no longer takes support."))
    # Support is a neighbour's voice, and it pays a point: the author's own would be both unearned.
    if need.author_id == user.pk:
        raise ValidationError(_("You cannot support your own need."))
    with transaction.atomic():
        try:
            # The unique constraint, not a check beforehand, decides a race between two requests.
            with transaction.atomic():
                support = NeedSupport.objects.create(need=need, user=user)
        except IntegrityError:
            return False
        project_ids = list(NeedProject.objects.filter(need=need).values_list("project_id", flat=True))
        events.need_supported.send(sender=Need, need=need, user=user, project_ids=project_ids)
    award_after_commit(user=user, rule="need_supported", source_key=f"support:{support.pk}")
    return True


def _require_need_editor(user: User) -> None:
    if not has_role(user, *NEED_EDITOR_ROLES):
        raise PermissionDenied


@transaction.atomic
def need_answer(*, need: Need, by: User, answer: str, decline: bool = False) -> Need:
    _require_need_editor(by)
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Write an answer.")})
    need = Need.objects.select_for_update().get(pk=need.pk)
    need.answer, need.answered_by, need.answered_at = answer, by, timezone.now()
    if need.status != NeedStatus.ADOPTED:
        need.status = NeedStatus.DECLINED if decline else NeedStatus.ANSWERED
    need.save(update_fields=["answer", "answered_by", "answered_at", "status"])
    notify(
        kind="participation.need_answered",
        key=f"participation.need_answered:{need.pk}",
        to=[need.author],
        context={"need": need, "declined": need.status == NeedStatus.DECLINED},
        link=need.get_absolute_url(),
    )
    return need


def _may_link(user: User, project: Project) -> bool:
    return is_city_admin(user) or Project.objects.for_department(user.department_id).filter(pk=project.pk).exists()


@transaction.atomic
def needs_to_project(*, needs: list[Need], project: Project, by: User) -> int:
    """Put one or several needs on a project of the annual list. Returns how many links are new."""
    _require_need_editor(by)
    if not _may_link(by, project):
        raise PermissionDenied
    created = 0
    for need in needs:
        _link, was_created = NeedProject.objects.get_or_create(need=need, project=project, defaults={"linked_by": by})
        created += was_created
        Need.objects.filter(pk=need.pk).update(status=NeedStatus.ADOPTED)
        award_after_commit(user=need.author, rule="need_adopted", source_key=f"need-adopted:{need.pk}")
        supporters = _supporters(need)
        notify(
            kind="participation.need_adopted",
            key=f"participation.need_adopted:{need.pk}:{project.pk}",
            to=[need.author, *supporters],
            context={"need": need, "project": project},
            link=project.get_absolute_url(),
        )
    return created


def _supporters(need: Need) -> list[User]:
    return [support.user for support in NeedSupport.objects.filter(need=need).select_related("user")]


# --- Observers -------------------------------------------------------------------------------


@transaction.atomic
def observer_apply(*, user: User, community: Community, motivation: str) -> ObserverApplication:
    if not user.is_authenticated or user.role != Role.RESIDENT:
        raise ValidationError(_("Only residents who are not observers yet can apply."))
    require_verified(user)
    if not motivation.strip():
        raise ValidationError({"motivation": _("Tell us in a few words why.")})
    try:
        with transaction.atomic():
            return ObserverApplication.objects.create(user=user, community=community, motivation=motivation.strip())
    except IntegrityError:
        raise ValidationError(_("Your application is already waiting for a decision.")) from None


@transaction.atomic
def observer_decide(*, application: ObserverApplication, by: User, approve: bool) -> ObserverApplication:
    """Approve (the account becomes a citizen observer) or reject a pending application."""
    if not has_role(by, *OBSERVER_DECIDER_ROLES):
        raise PermissionDenied
    application = ObserverApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.PENDING:
        raise ValidationError(_("This application was already decided."))
    application.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REJECTED
    application.decided_by, application.decided_at = by, timezone.now()
    application.save(update_fields=["status", "decided_by", "decided_at"])
    if approve:
        User.objects.filter(pk=application.user_id, role=Role.RESIDENT).update(role=Role.OBSERVER)
    return application


# --- Co-creation -----------------------------------------------------------------------------


def design_vote_cast(*, cocreation: CoCreation, option: DesignOption, user: User) -> bool:
    """Vote once per project. True when counted now, False when this account had already voted."""
    if not user.is_authenticated:
        raise PermissionDenied
    require_verified(user)
    if option.cocreation_id != cocreation.pk:
        raise ValidationError(_("This option does not belong to this vote."))
    if not cocreation.is_open():
        raise ValidationError(_("Voting is not open."))
    try:
        # Decided by the unique constraint: two simultaneous votes from one account cannot both count.
        with transaction.atomic():
            vote = DesignVote.objects.create(cocreation=cocreation, option=option, user=user)
    except IntegrityError:
        return False
    award_after_commit(user=user, rule="vote_cast", source_key=f"vote:{vote.cocreation_id}:{user.pk}")
    return True


@transaction.atomic
def cocreation_decide(*, cocreation_id: int, now=None) -> tuple[CoCreation, bool]:
    """Record the winner once the period has ended: the vote, and whether this call decided it.

    Ties: the earliest option (lowest order, then id) wins. The row lock makes a second caller
    (a second beat, a page read at the same moment) wait and find the vote decided.
    """
    from .selectors import cocreation_results

    cocreation = CoCreation.objects.select_for_update().get(pk=cocreation_id)
    if cocreation.decided_at is not None or not cocreation.has_ended(now):
        return cocreation, False
    results = cocreation_results(cocreation=cocreation)
    # `results` is ordered by option order then id, so max() keeps the earliest of equal counts.
    winner = max(results, key=lambda row: row["votes"], default=None)
    cocreation.winner_id = winner["id"] if winner and winner["votes"] > 0 else None
    cocreation.decided_at = timezone.now()
    cocreation.save(update_fields=["winner", "decided_at"])
    voters = [vote.user for vote in DesignVote.objects.filter(cocreation=cocreation).select_related("user")]
    notify(
        kind="participation.cocreation_result",
        key=f"participation.cocreation_result:{cocreation.pk}",
        to=voters,
        context={"cocreation": cocreation, "project": cocreation.project, "winner": cocreation.winner},
        link=cocreation.get_absolute_url(),
    )
    return cocreation, True


def cocreation_record_winner(*, cocreation: CoCreation, now=None) -> DesignOption | None:
    """The vote's winner, recorded first if its period has ended (`cocreation_decide`)."""
    vote, _decided_now = cocreation_decide(cocreation_id=cocreation.pk, now=now)
    return vote.winner


# --- Meetings --------------------------------------------------------------------------------


def _require_chair(user: User, meeting: Meeting) -> None:
    if not (is_city_admin(user) or (user.is_department_staff and user.department_id == meeting.chair_department_id)):
        raise PermissionDenied


@transaction.atomic
def meeting_publish(*, meeting: Meeting, by: User) -> Meeting:
    _require_chair(by, meeting)
    if not meeting.minutes.strip():
        raise ValidationError(_("Write the minutes before publishing."))
    Meeting.objects.filter(pk=meeting.pk, is_published=False).update(is_published=True, published_at=timezone.now())
    meeting.refresh_from_db()
    return meeting


@transaction.atomic
def action_item_complete(*, item: ActionItem, by: User, outcome: str) -> ActionItem:
    if not (is_city_admin(by) or (by.is_department_staff and by.department_id == item.owner_department_id)):
        raise PermissionDenied
    ActionItem.objects.filter(pk=item.pk, done_at=None).update(done_at=timezone.now(), outcome=outcome.strip())
    item.refresh_from_db()
    return item


def month_bounds(day: date) -> tuple[date, date]:
    """First day of `day`'s month and first day of the next month."""
    start = day.replace(day=1)
    following = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, following
