"""Reads behind the OC4IDS package, the exports and the open-data page."""

from django.conf import settings
from django.db.models import Q, QuerySet

from civicworks.accounts.models import Role
from civicworks.permissions import is_city_admin
from evaluation.models import CycleState, Scorecard
from feedback.models import Report
from projects.models import Project

from .oc4ids import UrlBuilder, project_package


def oc4ids_projects() -> QuerySet[Project]:
    """Every public project with all it needs for OC4IDS, in a constant number of queries."""
    return (
        Project.objects.public()
        .select_related("category", "district", "community", "lead_unit")
        .prefetch_related("co_organisers", "milestones", "allocations", "expenditures", "updates")
        .order_by("code")
    )


def projects_visible_to(user) -> QuerySet[Project]:
    """Public projects for everyone; non-public ones only to the city, evaluators and their own departments."""
    if user is None or not user.is_authenticated:
        return Project.objects.public()
    if is_city_admin(user) or user.role == Role.EVALUATOR:
        return Project.objects.all()
    own = Project.objects.for_department(user.department_id).values("pk")
    return Project.objects.filter(Q(is_public=True) | Q(pk__in=own))


def oc4ids_package(*, uri: str, absolute: UrlBuilder) -> dict:
    """The OC4IDS project package of every public project; dated by its newest change."""
    projects = list(oc4ids_projects())
    published = max((project.updated_at for project in projects), default=None)
    publisher = settings.CIVICWORKS["CITY_NAME"] or str(settings.CIVICWORKS_SITE_NAME)
    return project_package(projects, uri=uri, absolute=absolute, publisher=publisher, published=published)


def reports_visible_to(user) -> QuerySet[Report]:
    """Reports for the exports: the city and evaluators see all, a department its own, others the public ones."""
    if user is not None and (is_city_admin(user) or getattr(user, "role", None) == Role.EVALUATOR):
        return Report.objects.all()
    if user is not None and user.is_authenticated and user.department_id:
        return Report.objects.for_department(user.department_id)
    return Report.objects.public()


def scorecards_visible_to(user) -> QuerySet[Scorecard]:
    """Published cycles of the projects a user may see; evaluators and the city see every cycle."""
    if user is not None and (is_city_admin(user) or getattr(user, "role", None) == Role.EVALUATOR):
        return Scorecard.objects.all()
    return Scorecard.objects.filter(
        cycle__state=CycleState.PUBLISHED, project__in=projects_visible_to(user).values("pk")
    )
