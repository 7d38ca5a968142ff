"""This app's panel on the console's home page (`civicworks.console_home`): the department's projects
behind schedule or over budget and its milestones due soon or overdue, each count a link to its rows."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicworks.console_home import HomePanel, Item, desk_department, list_url

from . import selectors
from .models import Milestone, Project

MILESTONES_AHEAD = timedelta(days=14)


def _projects(department: int):
    # As the console's project list scopes them (lead unit or co-organiser).
    return Project.objects.filter(pk__in=Project.objects.for_department(department).values("pk"))


def project_items(request) -> list[Item]:
    department = desk_department(request.user)
    if department is None:
        return []
    today = timezone.localdate()
    ahead = today + MILESTONES_AHEAD
    projects = _projects(department)
    behind = projects.filter(planned_end__lt=today, stage__in=selectors.open_stages()).count()
    over = selectors.with_figures(projects).filter(over_budget=True).count()
    open_milestones = Milestone.objects.filter(project__in=projects.values("pk"), actual_date__isnull=True)
    milestones = open_milestones.aggregate(
        due=Count("id", filter=Q(planned_date__gte=today, planned_date__lte=ahead)),
        overdue=Count("id", filter=Q(planned_date__lt=today)),
    )
    milestone_list = "projects_milestone"
    return [
        Item(
            _("Projects behind schedule"),
            behind,
            list_url("projects_project", schedule="behind"),
            alert=True,
            key="projects_behind",
        ),
        Item(
            _("Projects over budget"),
            over,
            list_url("projects_project", money="over"),
            alert=True,
            key="projects_over_budget",
        ),
        Item(
            _("Milestones due in the next 14 days"),
            milestones["due"],
            list_url(milestone_list, actual_date__isnull="True", planned_date__gte=today, planned_date__lte=ahead),
            key="milestones_due",
        ),
        Item(
            _("Milestones overdue"),
            milestones["overdue"],
            list_url(milestone_list, actual_date__isnull="True", planned_date__lt=today),
            alert=True,
            key="milestones_overdue",
        ),
    ]


PANELS = (HomePanel("projects", _("Projects"), project_items, order=20),)
