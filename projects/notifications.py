"""What followers of a project (or of its community) hear from the projects app."""

from django.utils.translation import gettext_lazy as _

from civicworks.notifications.kinds import Kind

GROUP = _("Projects I follow")

KINDS = [
    Kind(key="project.progress", label=_("A project I follow posted a progress update"), group=GROUP),
    Kind(key="project.milestone_done", label=_("A project I follow reached a milestone"), group=GROUP),
    Kind(key="project.milestone_overdue", label=_("A milestone of a project I follow is overdue"), group=GROUP),
]
