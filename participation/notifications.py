"""What residents hear from the participation app: their needs, their votes, their points."""

from django.utils.translation import gettext_lazy as _

from civicworks.notifications.kinds import Kind

GROUP = _("Public participation")

KINDS = [
    Kind(key="participation.need_answered", label=_("My need was answered"), group=GROUP),
    Kind(key="participation.need_adopted", label=_("A need I proposed or supported became a project"), group=GROUP),
    Kind(key="participation.cocreation_result", label=_("The result of a design vote I took part in"), group=GROUP),
    # Points come often and matter little on their own: the in-app list only, unless chosen.
    Kind(key="participation.points", label=_("I earned participation points"), email=False, group=GROUP),
]
