"""The console's view of deliveries: failing mail and text messages made visible, read-only.

City administrators only. Addresses are shown masked, and never the notification's text or
link: an address recipient's hold their tracking link, the key to their report.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from civicworks.admin import ReadOnlyAdmin

from .models import Delivery, mask_address


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "channel", "recipient", "status", "attempts", "error", "sent_at"]
    list_filter = ["status", "channel", "created_at"]
    list_select_related = ["notification"]
    date_hierarchy = "created_at"
    fields = ["kind", "channel", "recipient", "status", "attempts", "error", "next_attempt_at", "created_at", "sent_at"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]

    @admin.display(description=_("kind"), ordering="notification__kind")
    def kind(self, delivery: Delivery) -> str:
        return delivery.notification.kind

    @admin.display(description=_("address"))
    def recipient(self, delivery: Delivery) -> str:
        return mask_address(delivery.address)

    @admin.display(description=_("last error"))
    def error(self, delivery: Delivery) -> str:
        # A mail server's refusal names the address it refused.
        return delivery.last_error.replace(delivery.address, mask_address(delivery.address))
