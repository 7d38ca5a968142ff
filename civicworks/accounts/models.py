import re

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    OBSERVER = "observer", _("Citizen observer")
    OFFICIAL = "official", _("Department official")
    MANAGER = "manager", _("Department manager")
    EVALUATOR = "evaluator", _("Evaluator")
    SUPERVISOR = "supervisor", _("Supervisor")
    GRID_WORKER = "grid_worker", _("Grid worker")
    CITY_ADMIN = "city_admin", _("City administrator")


# Roles that work inside the console (Django admin) on behalf of a department or the city.
STAFF_ROLES = frozenset(
    {Role.OFFICIAL, Role.MANAGER, Role.EVALUATOR, Role.SUPERVISOR, Role.GRID_WORKER, Role.CITY_ADMIN}
)
DEPARTMENT_ROLES = frozenset({Role.OFFICIAL, Role.MANAGER, Role.SUPERVISOR, Role.GRID_WORKER})

HAN = re.compile(r"[\u3400-\u9fff]")  # a name in Chinese characters


class User(AbstractUser):
    # How a resident is shown: written as they typed it (a Chinese name is never split into
    # given and family names). Staff accounts fall back to their full name, then username.
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.RESIDENT)
    department = models.ForeignKey(
        "projects.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    organisation = models.CharField(
        _("organisation"), max_length=120, blank=True, help_text=_("For evaluators of a third-party organisation.")
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # Set when the holder typed the one-time code sent to `phone`; text messages go only to a
    # verified number, and changing the number clears it.
    phone_verified_at = models.DateTimeField(_("phone verified at"), null=True, blank=True)
    # The language notifications are written in: the one the account was opened in, or chosen.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # A department role means nothing without the department it acts for.
            models.CheckConstraint(
                condition=~models.Q(role__in=sorted(DEPARTMENT_ROLES)) | models.Q(department__isnull=False),
                name="user_department_role_has_department",
            ),
        ]

    def save(self, *args, **kwargs):
        # Console access follows the role; nobody flips is_staff by hand out of step with it.
        self.is_staff = self.is_superuser or self.role in STAFF_ROLES
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        # The console's pickers, timelines and lists name people, not log-ins (grid10).
        return self.public_name

    def get_full_name(self) -> str:
        """Names as written: a Chinese name family name first and without a space (王建国);
        others as Django writes them (given family)."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if HAN.search(first + last):
            return f"{last}{first}"
        return super().get_full_name()

    def get_short_name(self) -> str:
        """The console's greeting: a Chinese name whole (欢迎，王建国 — not the given name alone)."""
        first = self.first_name.strip()
        if HAN.search(first + self.last_name):
            return self.public_name
        return self.display_name or first

    @property
    def public_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_verified(self) -> bool:
        """May take part (propose, support, vote): staff always; a resident once an e-mail
        address (the primary one) or a phone number has been confirmed."""
        if self.is_staff or self.is_superuser:
            return True
        if not self.is_authenticated:
            return False
        if self.phone and self.phone_verified_at:
            return True
        return self.emailaddress_set.filter(primary=True, verified=True).exists()

    @property
    def is_city_admin(self) -> bool:
        return self.is_superuser or self.role == Role.CITY_ADMIN

    @property
    def is_department_staff(self) -> bool:
        return self.role in DEPARTMENT_ROLES and self.department_id is not None


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker ran the heartbeat task; /readyz and the console show it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class SentNotice(models.Model):
    """One row per notice ever sent, keyed by what it is about and for which period.

    The unique key is what makes reminders idempotent: a periodic task may run any number of
    times, and a task may be delivered twice, yet each (condition, object, period) is sent once.
    """

    key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(max_length=255)
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notice sent")
        verbose_name_plural = _("notices sent")

    def __str__(self) -> str:
        return self.key


class IdempotentRequest(models.Model):
    """A POST answered once per `Idempotency-Key`: a client that retries gets the same answer.

    The row is created in the same transaction as what the request stored, so a 2xx answer
    and its key commit (or vanish) together; see `civicworks.idempotency`.
    """

    key = models.CharField(max_length=255)
    # Who sent it: "user:<id>" or "ip:<address>"; one client's key never replays another's answer.
    scope = models.CharField(max_length=80)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    # True: the body is a DRF Response's data (JSON), rendered again per request on replay.
    is_api_data = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotent_request_unique")]
        # The purge deletes rows older than the retention window.
        indexes = [models.Index(fields=["created_at"], name="idempotent_request_created")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class PhoneCode(models.Model):
    """A one-time code texted to a number the account wants to confirm.

    The rows also count the codes sent, per number and per account, for the rate limits: in
    the database, so the limits hold without Redis.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="phone_codes")
    phone = models.CharField(max_length=32)
    # A salted hash (Django's password hashers): a leaked table does not give away live codes.
    code_hash = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    wrong_tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The rate limits count recent codes per number and per account.
        indexes = [
            models.Index(fields=["phone", "created_at"], name="phone_code_phone_recent"),
            models.Index(fields=["user", "created_at"], name="phone_code_user_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.phone} @ {self.created_at:%Y-%m-%d %H:%M}"
