"""Public participation: needs and supports, citizen observers, co-creation votes, points, joint meetings.

Stable names other apps may rely on:

- ``Need`` (民生需求): ``author``, ``category`` (projects.ProjectCategory), ``title``, ``text``, ``photo``,
  ``latitude``, ``longitude``, ``district``, ``community``, ``status`` (NeedStatus), ``answer``,
  ``projects`` (M2M projects.Project through ``NeedProject``; reverse ``project.needs``).
- ``NeedSupport``: one per (need, user), a database constraint.
- ``ObserverApplication``: a resident asks to become a citizen observer (民情观察员).
- ``CoCreation`` (微更新): one design vote per project (``project`` one-to-one), ``options``,
  ``votes`` (one per account), ``winner`` set when the period ends.
- ``PointsEntry`` (善行积分 ledger, ``source_key`` unique), ``PointsBalance`` (≥ 0, row-locked),
  ``RewardItem`` (the catalogue), ``Redemption``.
- ``Meeting`` (联席会议) and its ``ActionItem`` rows (owner department, due date, project / report).
"""

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicworks.files import PhotoField, TokenPath

from .rules import RULE_LABELS

MONEY = {"max_digits": 14, "decimal_places": 2}


# --- Needs board (民生需求) ----------------------------------------------------------------


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open for support")
    ANSWERED = "answered", _("Answered")
    ADOPTED = "adopted", _("Became a project")
    DECLINED = "declined", _("Not adopted")


class NeedQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_hidden=False)


class Need(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("need", "author"),
        on_delete=models.PROTECT,
        related_name="needs",
    )
    category = models.ForeignKey(
        "projects.ProjectCategory", verbose_name=_("category"), on_delete=models.PROTECT, related_name="needs"
    )
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("description"), max_length=4000)
    photo = models.ImageField(_("photo"), upload_to=TokenPath("needs"), blank=True, db_index=True)
    latitude = models.FloatField(_("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    district = models.ForeignKey(
        "projects.District", verbose_name=_("district"), on_delete=models.PROTECT, related_name="needs"
    )
    community = models.ForeignKey(
        "projects.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs",
    )
    status = models.CharField(_("status"), max_length=10, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    answer = models.TextField(_("official answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    projects = models.ManyToManyField(
        "projects.Project",
        verbose_name=_("projects"),
        through="NeedProject",
        blank=True,
        related_name="needs",
    )
    is_hidden = models.BooleanField(_("hidden"), default=False)
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)

    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="need_coordinates_in_range",
            ),
        ]
        indexes = [
            # The board's filters: category / district, newest first.
            models.Index(fields=["category", "-created_at"], name="need_category_created"),
            models.Index(fields=["district", "-created_at"], name="need_district_created"),
            # The board, newest first, and its cursor pages (civicworks/keyset.py).
            models.Index(fields=["-created_at", "-id"], name="need_created_id"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation:need-detail", args=[self.pk])


class NeedProject(models.Model):
    """A need answered by a project of the annual list: the link residents follow both ways."""

    need = models.ForeignKey(Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="project_links")
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="need_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("linked by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)

    class Meta:
        verbose_name = _("need answered by a project")
        verbose_name_plural = _("needs answered by projects")
        constraints = [models.UniqueConstraint(fields=["need", "project"], name="needproject_once")]

    def __str__(self) -> str:
        return f"{self.need_id} → {self.project_id}"


class NeedSupport(models.Model):
    need = models.ForeignKey(Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="need_supports"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        # One support per account, enforced by the database so that two racing requests cannot both count.
        constraints = [models.UniqueConstraint(fields=["need", "user"], name="needsupport_one_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.need_id}"


# --- Citizen observers (民情观察员) ---------------------------------------------------------


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", pgettext_lazy("application", "Approved")
    REJECTED = "rejected", _("Rejected")


class ObserverApplication(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.CASCADE,
        related_name="observer_applications",
    )
    community = models.ForeignKey(
        "projects.Community", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    motivation = models.TextField(_("why you want to be an observer"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("applied"), default=timezone.now)

    class Meta:
        verbose_name = _("observer application")
        verbose_name_plural = _("observer applications")
        ordering = ["-created_at"]
        constraints = [
            # A double click or a second tab must not leave two pending applications.
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="observerapplication_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_status_display()})"


# --- Co-creation (微更新) -------------------------------------------------------------------


class CoCreation(models.Model):
    """A design vote on a project. Ties: the earliest option (lowest `order`, then id) wins."""

    project = models.OneToOneField(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="cocreation"
    )
    question = models.CharField(_("question"), max_length=200)
    opens_at = models.DateTimeField(_("voting opens"))
    closes_at = models.DateTimeField(_("voting closes"))
    winner = models.ForeignKey(
        "DesignOption",
        verbose_name=_("winning option"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("result recorded"), null=True, blank=True)

    class Meta:
        verbose_name = _("co-creation vote")
        verbose_name_plural = _("co-creation votes")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="cocreation_closes_after_open")
        ]
        indexes = [
            # The closing sweep: rounds past their end without a recorded result.
            models.Index(fields=["decided_at", "closes_at"], name="cocreation_decided_closes"),
        ]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("participation:cocreation", args=[self.project.code])

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def has_ended(self, now=None) -> bool:
        return (now or timezone.now()) >= self.closes_at


class DesignOption(models.Model):
    cocreation = models.ForeignKey(
        CoCreation, verbose_name=_("co-creation vote"), on_delete=models.CASCADE, related_name="options"
    )
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("description"))
    image = PhotoField(_("image"), upload_to=TokenPath("designs"), blank=True, db_index=True)
    estimated_cost = models.DecimalField(_("estimated cost (yuan)"), **MONEY)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("design option")
        verbose_name_plural = _("design options")
        ordering = ["cocreation", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(estimated_cost__gte=0), name="designoption_cost_not_negative")
        ]

    def __str__(self) -> str:
        return self.title


class DesignVote(models.Model):
    cocreation = models.ForeignKey(
        CoCreation, verbose_name=_("co-creation vote"), on_delete=models.CASCADE, related_name="votes"
    )
    option = models.ForeignKey(DesignOption, verbose_name=_("option"), on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="design_votes"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("design vote")
        verbose_name_plural = _("design votes")
        # One vote per account and project (one CoCreation per project): the database decides a race.
        constraints = [models.UniqueConstraint(fields=["cocreation", "user"], name="designvote_one_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.option_id}"


# --- Participation points (善行积分) ----------------------------------------------------------


class PointsBalance(models.Model):
    """One row per user, locked (SELECT … FOR UPDATE) by every change: the ledger's running total."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="points_balance",
    )
    balance = models.IntegerField(_("balance"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("points balance")
        verbose_name_plural = _("points balances")
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="pointsbalance_not_negative")]

    def __str__(self) -> str:
        return f"{self.user} {self.balance}"


class PointsEntry(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="points_entries"
    )
    delta = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=40, choices=list(RULE_LABELS.items()))
    # What earned (or spent) the points, e.g. "vote:12:7": the same event can never be counted twice.
    source_key = models.CharField(_("source"), max_length=120, unique=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(delta=0), name="pointsentry_delta_not_zero")]
        indexes = [
            # "My points": a user's history, newest first.
            models.Index(fields=["user", "-created_at"], name="pointsentry_user_created"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.delta:+d} {self.reason}"


class RewardItem(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    cost = models.PositiveIntegerField(_("cost (points)"))
    stock = models.PositiveIntegerField(_("stock"), null=True, blank=True, help_text=_("Empty: unlimited."))
    is_active = models.BooleanField(_("available"), default=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["cost", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gt=0), name="rewarditem_cost_positive"),
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(stock__gte=0), name="rewarditem_stock_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RedemptionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    HANDED_OVER = "handed_over", _("Handed over")


class Redemption(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="redemptions"
    )
    item = models.ForeignKey(RewardItem, verbose_name=_("reward"), on_delete=models.PROTECT, related_name="redemptions")
    cost = models.PositiveIntegerField(_("cost (points)"))
    entry = models.OneToOneField(
        PointsEntry, verbose_name=_("ledger entry"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RedemptionStatus.choices, default=RedemptionStatus.REQUESTED
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.item}"


# --- Coordination meetings (联席会议) --------------------------------------------------------


class Meeting(models.Model):
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    chair_department = models.ForeignKey(
        "projects.Department", verbose_name=_("chair"), on_delete=models.PROTECT, related_name="chaired_meetings"
    )
    attending = models.ManyToManyField(
        "projects.Department", verbose_name=_("attending departments"), blank=True, related_name="attended_meetings"
    )
    minutes = models.TextField(_("minutes"), blank=True)
    is_published = models.BooleanField(pgettext_lazy("made public", "published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("coordination meeting")
        verbose_name_plural = _("coordination meetings")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(published_at__isnull=False), name="meeting_published_has_time"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("participation:meeting-detail", args=[self.pk])


class ActionItem(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="items")
    text = models.CharField(_("action"), max_length=300)
    owner_department = models.ForeignKey(
        "projects.Department", verbose_name=_("owner department"), on_delete=models.PROTECT, related_name="action_items"
    )
    due_date = models.DateField(_("due date"))
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
    )
    report = models.ForeignKey(
        "feedback.Report",
        verbose_name=_("report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_date", "id"]
        indexes = [
            # The reminder sweep and the owner's console list: open items by due date.
            models.Index(fields=["done_at", "due_date"], name="actionitem_done_due"),
        ]

    def __str__(self) -> str:
        return self.text

    def is_overdue(self, today: date | None = None) -> bool:
        return self.done_at is None and self.due_date < (today or timezone.localdate())
