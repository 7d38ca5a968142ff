import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .kinds import Channel


class Notification(models.Model):
    """One event told to one recipient: an account (the in-app list) or a bare e-mail address.

    `key` names the event ("report.answered:812:3"); the unique constraints make `notify` safe to
    call twice for the same event, so a retried task or a repeated signal tells nobody twice.
    The text is rendered once, in the recipient's language, when the event happens.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    # A resident who reported without an account but left an address for status e-mails.
    email = models.EmailField(blank=True)
    kind = models.CharField(_("kind"), max_length=60)
    key = models.CharField(max_length=200)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, email="") | Q(user__isnull=True) & ~Q(email=""),
                name="notification_one_recipient",
            ),
            models.UniqueConstraint(
                fields=["key", "user"], condition=Q(user__isnull=False), name="notification_once_per_user"
            ),
            models.UniqueConstraint(
                fields=["key", "email"], condition=Q(user__isnull=True), name="notification_once_per_address"
            ),
        ]
        indexes = [
            # The unread count in the page header.
            models.Index(fields=["user", "read_at"], name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.subject


def mask_address(address: str) -> str:
    """`wang@example.cn` → `w***@example.cn`; `+8613800000001` → `+86138****0001`."""
    local, at, domain = address.partition("@")
    if at:
        return f"{local[:1]}***@{domain}"
    digits = re.sub(r"[^\d+]", "", address)
    if len(digits) >= 11:  # a mobile number, with or without its country code
        return f"{digits[:-8]}****{digits[-4:]}"
    return "****" if address else ""


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One notification sent on one channel: the outbox row a Celery task sends, at most once."""

    CHANNELS = [(Channel.EMAIL, _("E-mail")), (Channel.SMS, _("Text message"))]

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=10, choices=CHANNELS)
    address = models.CharField(_("address"), max_length=254)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="delivery_pending")]

    def __str__(self) -> str:
        # Masked: the console's titles and breadcrumbs show it.
        return f"{self.channel} {mask_address(self.address)} ({self.status})"


class Preference(models.Model):
    """A resident's choice for one kind on one channel; without a row the kind's default holds."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=Delivery.CHANNELS)
    enabled = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.channel}={self.enabled}"


class EmailOptOut(models.Model):
    """An address without an account that unsubscribed from one kind (or from all: kind "*")."""

    email = models.EmailField()
    kind = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["email", "kind"], name="email_opt_out_once")]

    def __str__(self) -> str:
        return f"{self.email} {self.kind}"
