from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Quarterly evaluation")

    def ready(self) -> None:
        from civicworks.accounts.mydata import register
        from civicworks.console_home import register as register_home
        from civicworks.notifications.kinds import register as register_kinds
        from civicworks.rounding import register_sqlite_functions
        from projects.panels import register as register_panels

        from . import home
        from .mydata import PART
        from .notifications import KINDS
        from .panels import PANELS

        register(PART)
        register_panels(*PANELS)  # what the project page shows of this app (projects.panels)
        register_kinds(*KINDS)  # what followers hear (civicworks.notifications)
        register_home(*home.PANELS)  # the console's home page (civicworks.console_home)
        # The scorecard SQL rounds totals with civicworks_round on SQLite (PostgreSQL's rule).
        connection_created.connect(register_sqlite_functions, dispatch_uid="civicworks_round")
