"""Every change to a project's progress and money goes through these functions.

Each one validates, writes in one transaction and names the author in the audit history
(django-simple-history's `_history_user`), so the console, the API and the demo agree.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from civicworks.accounts.models import Role
from civicworks.notifications.services import notify
from civicworks.permissions import has_role, is_city_admin

from . import selectors
from .models import BudgetAllocation, Community, Expenditure, Follow, Milestone, ProgressUpdate, Project, Stage

# Roles that may change a project's progress and money (for their department's projects).
WRITER_ROLES = frozenset({Role.OFFICIAL, Role.MANAGER})


def may_edit(user, project: Project) -> bool:
    """City administrators edit all; officials and managers edit what their department leads or co-organises."""
    if is_city_admin(user):
        return True
    if not has_role(user, *WRITER_ROLES) or user.department_id is None:
        return False
    return Project.objects.for_department(user.department_id).filter(pk=project.pk).exists()


def project_for_user(user, code: str, *, write: bool = False) -> Project:
    """The one access helper: the project or 404 (unknown / not public), PermissionDenied to write."""
    project = Project.objects.filter(code=code).first()
    if project is None or not (project.is_public or (user.is_authenticated and may_edit(user, project))):
        raise Http404
    if write and not may_edit(user, project):
        raise PermissionDenied(_("Only the lead unit and co-organising departments may change this project."))
    return project


def _save(obj: Model, by) -> Model:
    obj._history_user = by if getattr(by, "is_authenticated", False) else None
    # The author is set by us, not typed in: blank is allowed here (a demo or a system update).
    obj.full_clean(exclude=["author", "recorded_by"])
    obj.save()
    return obj


@transaction.atomic
def progress_record(
    *, project: Project, by, stage: str, percent: int, text: str, photo=None, at=None
) -> ProgressUpdate:
    """Post a progress update and move the project to its stage and percent."""
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Unknown stage.")})
    if not 0 <= int(percent) <= 100:
        raise ValidationError({"percent_complete": _("Percent complete must be between 0 and 100.")})
    at = at or timezone.now()
    update = ProgressUpdate(
        project=project, stage=stage, percent_complete=percent, text=text, photo=photo or "", author=by, created_at=at
    )
    _save(update, by)
    project = Project.objects.select_for_update().get(pk=project.pk)
    project.stage, project.percent_complete = stage, percent
    project.last_progress_at = max(filter(None, [project.last_progress_at, at]))
    if stage == Stage.COMPLETED and project.actual_completion is None:
        project.actual_completion = timezone.localtime(at).date()
    _save(project, by)
    tell_followers(
        project,
        kind="project.progress",
        key=f"project.progress:{update.pk}",
        context={"project": project, "update": update, "stage": update.get_stage_display()},
    )
    return update


@transaction.atomic
def milestone_record(*, project: Project, by, title: str, planned_date: date, order: int | None = None) -> Milestone:
    if order is None:
        order = project.milestones.count() + 1
    return _save(Milestone(project=project, title=title, planned_date=planned_date, order=order), by)


@transaction.atomic
def milestone_complete(*, milestone: Milestone, by, actual_date: date | None = None) -> Milestone:
    milestone.actual_date = actual_date or timezone.localdate()
    _save(milestone, by)
    tell_followers(
        milestone.project,
        kind="project.milestone_done",
        key=f"project.milestone_done:{milestone.pk}",
        context={"project": milestone.project, "milestone": milestone},
    )
    return milestone


@transaction.atomic
def expenditure_record(
    *,
    project: Project,
    by,
    date: date,
    amount: Decimal,
    payee: str,
    purpose: str,
    voucher_number: str = "",
    attachment=None,
) -> Expenditure:
    row = Expenditure(
        project=project,
        date=date,
        amount=Decimal(str(amount)),
        payee=payee,
        purpose=purpose,
        voucher_number=voucher_number,
        attachment=attachment or "",
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    return _save(row, by)


@transaction.atomic
def allocation_record(*, project: Project, by, date: date, amount: Decimal, source: str) -> BudgetAllocation:
    return _save(BudgetAllocation(project=project, date=date, amount=Decimal(str(amount)), source=source), by)


@transaction.atomic
def project_sync_progress(*, project: Project, by) -> Project:
    """After the console edited updates inline: the project follows its latest update."""
    latest = project.updates.order_by("-created_at").first()
    if latest is None:
        return project
    project.stage, project.percent_complete = latest.stage, latest.percent_complete
    project.last_progress_at = latest.created_at
    if latest.stage == Stage.COMPLETED and project.actual_completion is None:
        project.actual_completion = timezone.localtime(latest.created_at).date()
    return _save(project, by)


# --- Follows and what followers hear ------------------------------------------------------------


def tell_followers(project: Project, *, kind: str, key: str, context: dict) -> int:
    """Tell the project's followers (and its community's) about one event, once each.

    Residents only hear of what they may see: nothing about a project that is not public.
    """
    if not project.is_public:
        return 0
    return notify(kind=kind, key=key, to=selectors.followers(project), context=context, link=project.get_absolute_url())


def _target(project: Project | None, community: Community | None) -> dict:
    if (project is None) == (community is None):
        raise ValueError("follow exactly one project or one community")
    return {"project": project} if project is not None else {"community": community}


def follow(*, user, project: Project | None = None, community: Community | None = None) -> bool:
    """Follow a project or a community. True when followed now, False when already followed."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied
    if project is not None and not project.is_public:
        raise Http404
    try:
        # The unique constraint decides a race (a double click, an implied follow at the same time).
        with transaction.atomic():
            Follow.objects.create(user=user, **_target(project, community))
    except IntegrityError:
        return False
    return True


def unfollow(*, user, project: Project | None = None, community: Community | None = None) -> bool:
    """Stop following; True when a follow was removed."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied
    removed, _rows = Follow.objects.filter(user=user, **_target(project, community)).delete()
    return removed > 0
