from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Residents' feedback")

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_delete

        from civicworks.accounts.mydata import register
        from civicworks.console_home import register as register_home
        from civicworks.notifications.kinds import register as register_kinds
        from projects.panels import register as register_panels

        from . import home, notifications, rollups
        from .models import Report, ReportEvent
        from .mydata import PART
        from .panels import PANELS

        register(PART)  # this app's part of a resident's "my data"
        register_panels(*PANELS)  # what the project page shows of this app (projects.panels)
        register_kinds(*notifications.KINDS)  # what reporters hear about their reports
        register_home(*home.PANELS)  # the console's home page (civicworks.console_home)
        # The rollups follow every change of a report, in its transaction (feedback.rollups).
        post_save.connect(rollups.report_saved, sender=Report, dispatch_uid="rollups-report")
        pre_delete.connect(rollups.report_deleted, sender=Report, dispatch_uid="rollups-report-deleted")
        post_save.connect(rollups.event_saved, sender=ReportEvent, dispatch_uid="rollups-event")
