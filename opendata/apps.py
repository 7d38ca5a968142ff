from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        # The admin autodiscovers every app's console pages before this runs (it is listed first).
        from civicworks.console_home import register as register_home

        from . import home
        from .admin import attach_export_actions

        attach_export_actions()
        register_home(*home.PANELS)  # the city administrator's home page (civicworks.console_home)
