from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Residents' feedback")

    def ready(self) -> None:
        from civicworks.accounts.mydata import register
        from civicworks.console_home import register as register_home
        from civicworks.notifications.kinds import register as register_kinds
        from projects.panels import register as register_panels

        from . import home, notifications
        from .mydata import PART
        from .panels import PANELS

        register(PART)  # this app's part of a resident's "my data"
        register_panels(*PANELS)  # what the project page shows of this app (projects.panels)
        register_kinds(*notifications.KINDS)  # what reporters hear about their reports
        register_home(*home.PANELS)  # the console's home page (civicworks.console_home)
