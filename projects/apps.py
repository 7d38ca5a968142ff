from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from civicworks.accounts.mydata import register
        from civicworks.console_home import register as register_home
        from civicworks.notifications.kinds import register as register_kinds

        from . import home, listeners
        from .mydata import PART
        from .notifications import KINDS

        register(PART)  # follows in a resident's "my data"
        register_kinds(*KINDS)  # what followers hear (civicworks.notifications)
        listeners.connect()  # implied follows (civicworks.events)
        register_home(*home.PANELS)  # the console's home page (civicworks.console_home)
