from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Public participation")

    def ready(self) -> None:
        from civicworks.accounts.mydata import register

        from . import hooks
        from .mydata import PART
        from .notifications import register_kinds

        register(PART)
        register_kinds()  # what residents hear (civicworks.notifications)  # this app's part of a resident's "my data"
        hooks.connect()  # points for what happens in the other apps (civicworks.events)
