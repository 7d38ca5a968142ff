from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Public participation")

    def ready(self) -> None:
        from civicworks.accounts.mydata import register
        from civicworks.console_home import register as register_home
        from civicworks.notifications.kinds import register as register_kinds
        from projects.panels import register as register_panels

        from . import home, hooks
        from .mydata import PART
        from .notifications import KINDS
        from .panels import PANELS

        register(PART)
        register_panels(*PANELS)  # what the project page shows of this app (projects.panels)
        register_kinds(*KINDS)  # what residents hear (civicworks.notifications)
        hooks.connect()  # points for what happens in the other apps (civicworks.events)
        register_home(*home.PANELS)  # the console's home page (civicworks.console_home)
