from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from civicworks.accounts.mydata import register

        from . import listeners
        from .mydata import PART
        from .notifications import register_kinds

        register(PART)  # follows in a resident's "my data"
        register_kinds()  # what followers hear (civicworks.notifications)
        listeners.connect()  # implied follows (civicworks.events)
