"""Reads of the field pages and API: what a grid worker or supervisor may see, and what is due."""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from civicworks.accounts.models import Role
from civicworks.permissions import has_role, is_city_admin
from projects.models import Project
from projects.selectors import open_stages

from ..models import Report
from ..services import may_handle

FIELD_ROLES = (Role.GRID_WORKER, Role.SUPERVISOR)
LIST_LIMIT = 100  # a phone list: the soonest due first, never the whole city


def may_use_field(user) -> bool:
    return has_role(user, *FIELD_ROLES) and (is_city_admin(user) or user.department_id is not None)


def _require_field(user) -> None:
    if not may_use_field(user):
        raise PermissionDenied(_("The field pages are for grid workers and supervisors."))


def field_reports(user) -> QuerySet[Report]:
    """Every report in `user`'s field, whatever its status (the console's scoping for their role)."""
    _require_field(user)
    reports = Report.objects.all()
    if is_city_admin(user):
        return reports
    if user.role == Role.GRID_WORKER:
        return reports.filter(Q(grid_worker=user) | Q(grid_area__grid_worker=user))
    return reports.for_department(user.department_id)


def field_projects(user) -> QuerySet[Project]:
    _require_field(user)
    if is_city_admin(user):
        return Project.objects.all()
    if user.role == Role.GRID_WORKER:
        # A project stands in a community; the grid worker of that community's grid looks after it.
        return Project.objects.filter(community__grid_areas__grid_worker=user).distinct()
    return Project.objects.for_department(user.department_id)


def may_see_check(user, check) -> bool:
    """A check (and its photo) is for the staff of its field and the checked report's or project's department."""
    if not (user.is_authenticated and user.is_active):
        return False
    if check.report_id:
        in_field = may_use_field(user) and field_reports(user).filter(pk=check.report_id).exists()
        return in_field or may_handle(user, check.report)
    in_field = may_use_field(user) and field_projects(user).filter(pk=check.project_id).exists()
    return in_field or (
        user.is_department_staff
        and Project.objects.for_department(user.department_id).filter(pk=check.project_id).exists()
    )


def report_in_field(user, pk: int) -> Report:
    """The one access helper of the field pages for a report: 403 (not a field role) or 404 (not theirs)."""
    report = field_reports(user).select_related("category", "grid_area", "department").filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def project_in_field(user, pk: int) -> Project:
    project = field_projects(user).select_related("district", "community", "lead_unit").filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


@dataclass(frozen=True)
class DueItem:
    """One row of the field list: a report (due at its deadline) or a project (due at its planned end)."""

    kind: str  # "report" or "project"
    pk: int
    title: str
    subtitle: str
    due: datetime | date | None
    overdue: bool
    latitude: float | None
    longitude: float | None


def report_item(report: Report, now: datetime | None = None) -> DueItem:
    now = now or timezone.now()
    return DueItem("report", report.pk, f"{report.reference} {report.category.name}", report.address,
                   report.due_at, report.is_overdue(now), report.latitude, report.longitude)  # fmt: skip


def project_item(project: Project, today: date | None = None) -> DueItem:
    today = today or timezone.localdate()
    return DueItem("project", project.pk, project.title, project.code, project.planned_end,
                   project.days_behind(today) > 0, project.latitude, project.longitude)  # fmt: skip


def _due_key(item: DueItem) -> tuple:
    # Deadlines first, soonest (most overdue) first; a date counts from the start of its day.
    due = item.due
    if isinstance(due, date) and not isinstance(due, datetime):
        due = timezone.make_aware(datetime.combine(due, datetime.min.time()))
    return (due is None, due or timezone.now(), item.kind, item.pk)


def due_items(user) -> list[DueItem]:
    """The open reports and open projects of `user`'s field, the soonest due first (two queries)."""
    now, today = timezone.now(), timezone.localdate()
    reports = (
        field_reports(user)
        .open()
        .select_related("category")
        .order_by(F("due_at").asc(nulls_last=True), "pk")[:LIST_LIMIT]
    )
    projects = (
        field_projects(user)
        .filter(stage__in=open_stages())
        .order_by(F("planned_end").asc(nulls_last=True), "pk")[:LIST_LIMIT]
    )
    items = [report_item(r, now) for r in reports] + [project_item(p, today) for p in projects]
    return sorted(items, key=_due_key)[:LIST_LIMIT]
