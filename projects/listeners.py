"""Implied follows: whoever reports about a project, or supports a need a project answers,
follows that project (civicworks.events; connected in `ProjectsConfig.ready()`).

The follow is written in the sender's transaction: a rolled-back report follows nothing. The
unique constraint makes a repeated event harmless.
"""

from civicworks import events

from . import services
from .models import Project


def on_report_submitted(sender, *, report, **kwargs) -> None:
    user = report.reporter
    if report.project_id and user is not None and user.is_authenticated and report.project.is_public:
        services.follow(user=user, project=report.project)


def on_need_supported(sender, *, user, project_ids, **kwargs) -> None:
    for project in Project.objects.public().filter(pk__in=list(project_ids)):
        services.follow(user=user, project=project)


def connect() -> None:
    events.report_submitted.connect(on_report_submitted, dispatch_uid="projects-report-submitted")
    events.need_supported.connect(on_need_supported, dispatch_uid="projects-need-supported")
