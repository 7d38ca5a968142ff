from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Quarterly evaluation")

    def ready(self) -> None:
        from civicworks.accounts.mydata import register
        from civicworks.rounding import register_sqlite_functions

        from .mydata import PART
        from .notifications import register_kinds

        register(PART)
        register_kinds()  # what followers hear (civicworks.notifications)  # this app's part of a resident's "my data"
        # The scorecard SQL rounds totals with civicworks_round on SQLite (PostgreSQL's rule).
        connection_created.connect(register_sqlite_functions, dispatch_uid="civicworks_round")
