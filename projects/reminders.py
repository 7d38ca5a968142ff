"""Reminders about projects, each sent once per condition and period (civicworks.notify.notify_once).

Keys name the condition, the object and the period, so a sweep may run any number of times:
- stale: `projects:stale:<project>:<last progress date>:<n>` — once per N silent days;
- milestone: `projects:milestone-due|overdue:<milestone>:<planned date>` — once per planned date;
- money: `projects:over-budget:<project>:<budget>` — again only if the budget is raised and passed again.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civicworks.money import money
from civicworks.notify import notify_once, site_link

from . import selectors, services
from .models import ChainRole, Milestone, Project, ResponsiblePerson

DUE_SOON_DAYS = 7


def stale_after_days() -> int:
    return settings.CIVICWORKS_PROJECT_STALE_DAYS


def _with_chain(projects: QuerySet[Project]) -> QuerySet[Project]:
    people = ResponsiblePerson.objects.select_related("user")
    return projects.select_related("lead_unit").prefetch_related(Prefetch("people", queryset=people))


def _emails(project: Project, role: str) -> list[str]:
    return [p.email or (p.user.email if p.user_id else "") for p in project.people.all() if p.role == role]


def lead_recipients(project: Project) -> list[str]:
    """The project lead; the lead unit's desk when no lead has an address."""
    return [e for e in _emails(project, ChainRole.LEAD) if e] or project.lead_unit.mail_recipients()


def _site_url(project: Project) -> str:
    return site_link(project.get_absolute_url())


def send_stale(today=None) -> int:
    today = today or timezone.localdate()
    days = stale_after_days()
    cutoff = timezone.now() - timedelta(days=days)
    silent = Q(last_progress_at__lt=cutoff) | Q(last_progress_at__isnull=True, created_at__lt=cutoff)
    sent = 0
    for project in _with_chain(Project.objects.filter(silent, stage__in=selectors.open_stages())):
        since = timezone.localtime(project.last_progress_at or project.created_at).date()
        period = (today - since).days // days
        subject = _("%(code)s: no progress update for %(days)d days") % {
            "code": project.code,
            "days": (today - since).days,
        }
        body = _("Please post a progress update for %(title)s: %(url)s") % {
            "title": project.title,
            "url": _site_url(project),
        }
        key = f"projects:stale:{project.pk}:{since.isoformat()}:{period}"
        sent += notify_once(key=key, subject=subject, body=body, recipients=lead_recipients(project))
    return sent


def send_milestones(today=None) -> int:
    today = today or timezone.localdate()
    due = Milestone.objects.filter(
        actual_date__isnull=True,
        planned_date__lte=today + timedelta(days=DUE_SOON_DAYS),
        project__stage__in=selectors.open_stages(),
    ).select_related("project")
    projects = {p.pk: p for p in _with_chain(Project.objects.filter(pk__in=due.values("project_id")))}
    sent = 0
    for milestone in due:
        project = projects[milestone.project_id]
        overdue = milestone.planned_date < today
        values = {"code": project.code, "title": milestone.title, "date": milestone.planned_date.isoformat()}
        if overdue:
            subject = _("%(code)s: milestone “%(title)s” is overdue (planned %(date)s)") % values
        else:
            subject = _("%(code)s: milestone “%(title)s” is due on %(date)s") % values
        kind = "overdue" if overdue else "due"
        key = f"projects:milestone-{kind}:{milestone.pk}:{milestone.planned_date.isoformat()}"
        body = _("Record the milestone's actual date once it is reached: %(url)s") % {"url": _site_url(project)}
        sent += notify_once(key=key, subject=subject, body=body, recipients=lead_recipients(project))
        if overdue:
            # Its followers hear once per milestone (a moved planned date does not tell them again).
            services.tell_followers(
                project,
                kind="project.milestone_overdue",
                key=f"project.milestone_overdue:{milestone.pk}",
                context={"project": project, "milestone": milestone},
            )
    return sent


def send_over_budget() -> int:
    over = selectors.with_figures(Project.objects.exclude(stage="cancelled")).filter(over_budget=True)
    sent = 0
    for project in _with_chain(over):
        subject = _("%(code)s: spending has passed the budget") % {"code": project.code}
        body = _("Spent %(spent)s of a budget of %(budget)s on %(title)s: %(url)s") % {
            "spent": money(project.spent),
            "budget": money(project.budget),
            "title": project.title,
            "url": _site_url(project),
        }
        recipients = [*project.lead_unit.mail_recipients(), *_emails(project, ChainRole.SUPERVISOR)]
        key = f"projects:over-budget:{project.pk}:{project.budget}"
        sent += notify_once(key=key, subject=subject, body=body, recipients=recipients)
    return sent


def send_all() -> dict[str, int]:
    with translation.override(settings.LANGUAGE_CODE):
        return {"stale": send_stale(), "milestones": send_milestones(), "over_budget": send_over_budget()}
