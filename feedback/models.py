"""Residents' reports (随手拍 / 12345-style intake): categories, routing, reports and their timeline.

Stable names other apps may rely on (do not rename):

- ``ServiceCategory``: ``code``, ``name``, ``department`` (FK projects.Department), ``sla_hours``
  (default 48), ``is_active``, ``requires_after_photo`` (answers need a photo of the result).
  Open311 calls these "services".
- ``RoutingRule``: ``category`` + ``district`` → ``department`` (per-district override).
- ``GridArea``: ``name``, ``district``, ``community``, ``boundary`` (GeoJSON Polygon/MultiPolygon),
  ``grid_worker`` (FK user).
- ``Report``: ``tracking_code`` (13 chars, base32, 65 random bits: the reporter's key, shown to
  nobody else; staff, notices and exports use ``reference``, ``#<id>``), ``kind`` (ReportKind),
  ``category``, ``text``, ``text_is_public``, ``latitude``, ``longitude``, ``address``,
  ``district``, ``community``, ``grid_area``, ``grid_worker``, ``project`` (FK projects.Project,
  nullable), ``reporter`` (FK user, nullable), ``reporter_name`` / ``reporter_phone`` /
  ``reporter_email`` (NEVER public), ``channel`` (Channel), ``taken_by`` (staff member at a
  service window), ``status`` (ReportStatus), ``department``, ``due_at``, ``submitted_at``,
  ``dispatched_at``, ``accepted_at``, ``resolved_at``, ``closed_at``, ``answer``, ``is_hidden``,
  ``rating`` (1–5, null until rated), ``rating_comment``, ``rated_at``.
  Managers: ``Report.objects.public()`` (not hidden), ``.for_department(id)``, ``.open()``.
- ``ReportPhoto``: ``report``, ``image``, ``thumbnail``, ``is_answer`` (the resident's photos are the
  "before", the answer's the "after": ``Report.before_after()``).
- ``ReportEvent``: ``report``, ``kind`` (EventKind), ``actor``, ``department``, ``note``,
  ``is_public``, ``created_at``.
- ``DispatchOutbox``: one row per notice to deliver (``channel`` e-mail or webhook, or a routing
  row for a report no department could be found for yet); ``sent_at`` null until sent.
"""

import re
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicworks.files import PhotoField, TokenPath
from projects.models import Project

# Crockford base32 without I, L, O, U: easy to read aloud and to type on a phone.
TRACKING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TRACKING_LENGTH = 13  # 13 × 5 bits = 65 random bits


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


# Crockford's reading of the letters the alphabet leaves out: they were meant as the digits they resemble.
LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalise_tracking_code(typed: str) -> str:
    """A tracking code as a resident types or reads it aloud — any case, spaces, dashes, O for 0,
    I or L for 1 — as it is stored."""
    return re.sub(r"[\s\-‐‑–—]", "", typed or "").upper().translate(LOOKALIKES)


def new_api_key() -> str:
    return secrets.token_urlsafe(32)


class ServiceCategory(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    department = models.ForeignKey(
        "projects.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_categories",
        help_text=_("Empty: the city's default desk takes these reports."),
    )
    sla_hours = models.PositiveIntegerField(_("deadline (hours)"), default=48)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(pgettext_lazy("switched on", "active"), default=True)
    # Things a department could claim fixed from its desk (a manhole cover): the answer must show it.
    requires_after_photo = models.BooleanField(
        _("answer needs an “after” photo"),
        default=False,
        help_text=_("A report of this category can be answered only with a photo of the result."),
    )

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["order", "name"]
        constraints = [models.CheckConstraint(condition=Q(sla_hours__gt=0), name="category_sla_positive")]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """A per-district override: reports of this category in this district go to this department."""

    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("category"), on_delete=models.CASCADE, related_name="rules"
    )
    district = models.ForeignKey(
        "projects.District", verbose_name=_("district"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    department = models.ForeignKey(
        "projects.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="routing_rules"
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["category", "district"]
        constraints = [models.UniqueConstraint(fields=["category", "district"], name="routing_rule_unique")]

    def __str__(self) -> str:
        return f"{self.category} · {self.district} → {self.department}"


class GridArea(models.Model):
    """A grid (网格) with its boundary and the grid worker (网格员) who looks after it."""

    name = models.CharField(_("name"), max_length=80)
    district = models.ForeignKey(
        "projects.District", verbose_name=_("district"), on_delete=models.CASCADE, related_name="grid_areas"
    )
    community = models.ForeignKey(
        "projects.Community",
        verbose_name=_("community"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grid_areas",
    )
    boundary = models.JSONField(_("boundary (GeoJSON)"), default=dict)
    grid_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid worker"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grid_areas",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)  # as District's (feedback/geo.py)

    class Meta:
        verbose_name = _("grid area")
        verbose_name_plural = _("grid areas")
        ordering = ["district", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="grid_area_unique_in_district")]

    def __str__(self) -> str:
        return self.name


class ReportKind(models.TextChoices):
    PROBLEM = "problem", _("Problem")
    QUESTION = "question", _("Question")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")


class Channel(models.TextChoices):
    WEB = "web", _("Website")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")
    QR = "qr", _("QR code")
    WINDOW = "window", _("Service window")


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    TRANSFERRED = "transferred", _("Transferred")
    RESOLVED = "resolved", _("Answered")
    CONFIRMED = "confirmed", _("Confirmed")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (
    ReportStatus.SUBMITTED,
    ReportStatus.DISPATCHED,
    ReportStatus.ACCEPTED,
    ReportStatus.TRANSFERRED,
    ReportStatus.REOPENED,
)
DONE_STATUSES = (ReportStatus.RESOLVED, ReportStatus.CONFIRMED, ReportStatus.CLOSED)
HANDLING_STATUSES = (ReportStatus.DISPATCHED, ReportStatus.TRANSFERRED, ReportStatus.REOPENED, ReportStatus.ACCEPTED)


class ReportStep(models.TextChoices):
    """What can be done to a report: by its department (accept … close) or by the reporter (confirm …)."""

    ACCEPT = "accept", _("Accept")
    TRANSFER = "transfer", _("Transfer")
    RESOLVE = "resolve", _("Answer")
    CLOSE = "close", pgettext_lazy("report step", "Close")
    CONFIRM = "confirm", _("Confirm")
    REOPEN = "reopen", _("Reopen")
    RATE = "rate", _("Rate")
    # The reporter's answer to "is it fixed?", asked once some weeks after the answer; "not
    # fixed" reopens the report, from a closed one too (REOPEN alone starts from an answer).
    ANSWER_FIXED = "answer_fixed", _("Answer “is it fixed?”")
    # Taken off the public pages (abuse, personal data); it stays in the queue and the figures.
    HIDE = "hide", _("Hide from the public")


# The statuses each step starts from, declared once: the services refuse every other, and the
# pages and the console offer a step only where `report.can(step)` says so.
REPORT_STEPS: dict[str, tuple[str, ...]] = {
    ReportStep.ACCEPT: (ReportStatus.DISPATCHED, ReportStatus.TRANSFERRED, ReportStatus.REOPENED),
    ReportStep.TRANSFER: HANDLING_STATUSES,
    ReportStep.RESOLVE: HANDLING_STATUSES,
    ReportStep.CLOSE: tuple(s for s in ReportStatus.values if s != ReportStatus.CLOSED),
    ReportStep.CONFIRM: (ReportStatus.RESOLVED,),
    ReportStep.REOPEN: (ReportStatus.RESOLVED, ReportStatus.CONFIRMED),
    ReportStep.RATE: DONE_STATUSES,
    ReportStep.ANSWER_FIXED: DONE_STATUSES,
    ReportStep.HIDE: tuple(ReportStatus.values),
}

# The steps by which a report reaches each status on its ordinary path, after routing has
# dispatched it. The demo loader builds its historic timelines from these (it cannot call the
# services row by row); tests/feedback/test_demo.py walks each path through REPORT_STEPS and
# the services. Rating changes no status: it may follow any step that leaves a report done.
REPORT_PATHS: dict[str, tuple[str, ...]] = {
    ReportStatus.DISPATCHED: (),
    ReportStatus.ACCEPTED: (ReportStep.ACCEPT,),
    ReportStatus.TRANSFERRED: (ReportStep.TRANSFER,),
    ReportStatus.RESOLVED: (ReportStep.ACCEPT, ReportStep.RESOLVE),
    ReportStatus.CONFIRMED: (ReportStep.ACCEPT, ReportStep.RESOLVE, ReportStep.CONFIRM),
    ReportStatus.REOPENED: (ReportStep.ACCEPT, ReportStep.RESOLVE, ReportStep.REOPEN),
    ReportStatus.CLOSED: (ReportStep.ACCEPT, ReportStep.RESOLVE, ReportStep.CLOSE),
}
# The status each step leaves a report in (rating leaves it where it was).
STEP_STATUS: dict[str, str] = {
    ReportStep.ACCEPT: ReportStatus.ACCEPTED,
    ReportStep.TRANSFER: ReportStatus.TRANSFERRED,
    ReportStep.RESOLVE: ReportStatus.RESOLVED,
    ReportStep.CLOSE: ReportStatus.CLOSED,
    ReportStep.CONFIRM: ReportStatus.CONFIRMED,
    ReportStep.REOPEN: ReportStatus.REOPENED,
}


class FixedAnswer(models.TextChoices):
    FIXED = "fixed", _("Fixed")
    NOT_FIXED = "not_fixed", _("Not fixed")


class ReportQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_hidden=False)

    def for_department(self, department_id: int | None):
        if department_id is None:
            return self.none()
        return self.filter(department_id=department_id)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Report(models.Model):
    tracking_code = models.CharField(
        _("tracking code"), max_length=16, unique=True, default=new_tracking_code, editable=False
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ReportKind.choices, default=ReportKind.PROBLEM)
    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="reports"
    )
    text = models.TextField(_("description"), max_length=4000)
    text_is_public = models.BooleanField(_("description is public"), default=True)
    latitude = models.FloatField(
        _("latitude"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    district = models.ForeignKey(
        "projects.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    community = models.ForeignKey(
        "projects.Community",
        verbose_name=_("community"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    grid_area = models.ForeignKey(
        GridArea, verbose_name=_("grid area"), on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    grid_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid worker"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    # Contact details: visible to the handling department only, never in public pages or APIs.
    reporter_name = models.CharField(_("name"), max_length=60, blank=True)
    reporter_phone = models.CharField(_("phone"), max_length=32, blank=True)
    reporter_email = models.EmailField(_("e-mail"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken at the window by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED)
    department = models.ForeignKey(
        "projects.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    # "Is it fixed?" (feedback.services.fixed_questions_ask): asked once, answered once.
    fixed_asked_at = models.DateTimeField(_("asked whether fixed"), null=True, blank=True)
    # db_default: rows loaded by COPY (the demo city, civicworks.bulkload) leave the column out.
    fixed_answer = models.CharField(
        _("said fixed?"), max_length=10, choices=FixedAnswer.choices, blank=True, default="", db_default=""
    )
    fixed_answered_at = models.DateTimeField(_("answered whether fixed"), null=True, blank=True)
    # Set by the retention purge (feedback.privacy.retention_purge): contact details removed.
    anonymised_at = models.DateTimeField(_("personal data removed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="report_rating_1_5"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="report_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="report_longitude_range",
            ),
            # The window channel exists to record who took the report down.
            models.CheckConstraint(
                condition=~Q(channel="window") | Q(taken_by__isnull=False), name="report_window_has_staff"
            ),
        ]
        indexes = [
            # The department queue: open reports of one department, overdue first.
            models.Index(fields=["department", "status", "due_at"], name="report_dept_status_due"),
            # The public map's bounding-box query.
            models.Index(fields=["latitude", "longitude"], name="report_lat_lng"),
            # The public list (newest first, its cursor pages: civicworks/keyset.py) and figures by period.
            models.Index(fields=["-submitted_at", "-id"], name="report_submitted_id"),
            # The reminder/escalation sweep over open reports with a deadline.
            models.Index(fields=["due_at"], condition=Q(closed_at__isnull=True), name="report_open_due"),
            # Hotspots: reports of a period counted by grid cell, index-only on PostgreSQL
            # (`include` is skipped on SQLite). See docs/performance.md.
            models.Index(
                fields=["submitted_at"],
                include=["latitude", "longitude", "category_id"],
                condition=Q(is_hidden=False, latitude__isnull=False, longitude__isnull=False),
                name="report_hotspot",
            ),
            # "Is it fixed?": reports answered or closed long enough ago and not asked yet.
            models.Index(fields=["resolved_at"], condition=Q(fixed_asked_at__isnull=True), name="report_fixed_unasked"),
            models.Index(fields=["closed_at"], condition=Q(fixed_asked_at__isnull=True), name="report_closed_unasked"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        # The public page, not the tracking page: the console's "view on site" must not reveal the key.
        return reverse("feedback:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        """How staff, notices and exports name a report: its number (`#1234`), public like its page.

        Never the tracking code: that is the reporter's key to confirm, rate and reopen.
        """
        return f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # What the resident typed follows the privacy they chose for the description: the
    # description, the address (a landmark, often their own door) and the timeline notes in
    # their words (ReportEvent.public_note). The position (map pin, district) stays public.
    @property
    def public_text(self) -> str:
        return self.text if self.text_is_public else ""

    @property
    def public_address(self) -> str:
        return self.address if self.text_is_public else ""

    @property
    def public_project(self) -> Project | None:
        """The project the report is about, while the project itself is public (it may be hidden later)."""
        return self.project if self.project_id and self.project.is_public else None

    def can(self, step: str) -> bool:
        """Whether `step` is possible in the report's state (who may take it is the services' question)."""
        if step == ReportStep.RATE and (self.rating is not None or self.resolved_at is None):
            return False  # rated once, and only what was answered
        if step == ReportStep.ANSWER_FIXED and (self.fixed_asked_at is None or self.fixed_answer):
            return False  # answered once, and only when asked
        if step == ReportStep.HIDE and self.is_hidden:
            return False
        return self.status in REPORT_STEPS[step]

    def is_overdue(self, now=None) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < (now or timezone.now())

    def before_after(self) -> tuple["ReportPhoto", "ReportPhoto"] | None:
        """The resident's first photo and the latest answer's, when both exist (one query, or none if prefetched)."""
        photos = list(self.photos.all())
        before = next((p for p in photos if not p.is_answer), None)
        after = next((p for p in reversed(photos) if p.is_answer), None)
        return (before, after) if before and after else None


class ReportPhoto(models.Model):
    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="photos")
    # Re-encoded by civicworks.photos before they get here; served by civicworks.files (feedback/files.py).
    image = models.ImageField(_("photo"), upload_to=TokenPath("reports"), db_index=True)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=TokenPath("reports"), db_index=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    is_answer = models.BooleanField(_("part of the answer"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["report", "created_at", "id"]

    def __str__(self) -> str:
        return self.image.name

    @property
    def alt_text(self) -> str:
        return str(_("Photo of the result") if self.is_answer else _("Photo sent with the report"))


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    TRANSFERRED = "transferred", _("Transferred")
    RESOLVED = "resolved", _("Answered")
    CONFIRMED = "confirmed", _("Confirmed by the resident")
    REOPENED = "reopened", _("Reopened by the resident")
    CLOSED = "closed", _("Closed")
    RATED = "rated", _("Rated")
    HIDDEN = "hidden", _("Hidden")
    REMINDED = "reminded", _("Reminder sent")
    ESCALATED = "escalated", _("Escalated")
    SITE_CHECKED = "site_checked", _("On-site check")


# The timeline event each step writes; every report starts with SUBMITTED and DISPATCHED.
STEP_EVENTS: dict[str, str] = {
    ReportStep.ACCEPT: EventKind.ACCEPTED,
    ReportStep.TRANSFER: EventKind.TRANSFERRED,
    ReportStep.RESOLVE: EventKind.RESOLVED,
    ReportStep.CLOSE: EventKind.CLOSED,
    ReportStep.CONFIRM: EventKind.CONFIRMED,
    ReportStep.REOPEN: EventKind.REOPENED,
    ReportStep.RATE: EventKind.RATED,
}
ROUTED_EVENTS = (EventKind.SUBMITTED, EventKind.DISPATCHED)


# Timeline events whose note is the resident's own words (the reason given to reopen).
RESIDENT_NOTE_KINDS = frozenset({EventKind.REOPENED})


class ReportEvent(models.Model):
    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    department = models.ForeignKey(
        "projects.Department",
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A transfer's department before it (`department` is the one after): "from A to B" is written at
    # display time in the reader's language; `note` keeps only the staff's reason, as typed.
    from_department = models.ForeignKey(
        "projects.Department",
        verbose_name=_("from department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    is_public = models.BooleanField(_("shown on the tracking page"), default=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline")
        ordering = ["report", "created_at", "id"]
        indexes = [models.Index(fields=["report", "created_at"], name="report_event_timeline")]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind}"

    @property
    def public_note(self) -> str:
        """The note as others read it: a resident's words are private when the description is.

        (The events of `report.events` carry their report: no extra query.)
        """
        if self.kind in RESIDENT_NOTE_KINDS and not self.report.text_is_public:
            return ""
        return self.note


class OutboxChannel(models.TextChoices):
    # Routes a report that could not be routed at submission, then queues its notices; sends nothing.
    ROUTE = "route", _("routing")
    EMAIL = "email", _("e-mail")
    WEBHOOK = "webhook", _("webhook")


class DispatchOutbox(models.Model):
    """One delivery that must reach a department; PostgreSQL, not the broker, is the truth.

    Each notice is its own row (the department's e-mail, its webhook), with its own attempts
    and next attempt, so one refused channel never holds back another, nor the routing: the
    report is routed in its own transaction and the rows are written with it. The task and the
    sweep claim a row with a conditional update so that each row is sent exactly once.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="outbox")
    channel = models.CharField(_("channel"), max_length=8, choices=OutboxChannel.choices)
    department = models.ForeignKey("projects.Department", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("dispatch outbox row")
        verbose_name_plural = _("dispatch outbox")
        indexes = [
            # The sweep: unsent rows whose next attempt is due.
            models.Index(fields=["next_attempt_at"], condition=Q(sent_at__isnull=True), name="outbox_unsent_due"),
        ]

    def __str__(self) -> str:
        return f"outbox {self.pk} ({self.channel}) report {self.report_id}"


class ResponseTemplate(models.Model):
    """A canned answer a department reuses (常用回复)."""

    department = models.ForeignKey(
        "projects.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="response_templates",
        help_text=_("Empty: available to every department."),
    )
    category = models.ForeignKey(
        ServiceCategory,
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="response_templates",
        help_text=_("Empty: offered for reports of every category."),
    )
    title = models.CharField(_("title"), max_length=80)
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class ApiKey(models.Model):
    """An Open311 client's key (api_key), issued by a city administrator."""

    name = models.CharField(_("client name"), max_length=80)
    key = models.CharField(_("key"), max_length=64, unique=True, default=new_api_key, editable=False)
    is_active = models.BooleanField(pgettext_lazy("switched on", "active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return self.name


class ContactDisclosure(models.Model):
    """One row each time a staff member unmasks a reporter's contact details in the console.

    PIPL / GDPR: access to personal data is kept to those who need it and is accountable, so
    the console shows contacts masked and logs every explicit "show".
    """

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="contact_disclosures"
    )
    # PROTECT: an audit row must not lose who looked (staff accounts are deactivated, not deleted).
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("shown to"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("contact disclosure")
        verbose_name_plural = _("contact disclosures")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.viewer_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class SiteCheck(models.Model):
    """An on-site check (现场核查) by a grid worker or supervisor: of one report or of one project.

    Staff-only, photo included (feedback/files.py); a report's check is also a staff-only event
    on its timeline. Written by `feedback.field.services.site_check_record`.
    """

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, null=True, blank=True, related_name="site_checks"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="site_checks",
    )
    # PROTECT: who vouched for what they saw stays known (staff accounts are deactivated, not deleted).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), max_length=2000)
    photo = PhotoField(_("photo"), upload_to=TokenPath("sitechecks"), blank=True)
    latitude = models.FloatField(
        _("latitude"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("on-site check")
        verbose_name_plural = _("on-site checks")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False, project__isnull=True) | Q(report__isnull=True, project__isnull=False),
                name="site_check_one_target",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="site_check_position",
            ),
        ]
        indexes = [
            # report_site_checks / project_site_checks: a target's checks, newest first.
            models.Index(fields=["report", "-created_at"], condition=Q(report__isnull=False), name="site_check_report"),
            models.Index(
                fields=["project", "-created_at"], condition=Q(project__isnull=False), name="site_check_project"
            ),
            # /files/<name> finds the row by its stored name.
            models.Index(fields=["photo"], condition=~Q(photo=""), name="site_check_photo_name"),
        ]

    def __str__(self) -> str:
        return f"{self.report or self.project} @ {self.created_at:%Y-%m-%d %H:%M}"


# --- Rollups (feedback/rollups.py): what the public figures read instead of the reports ------------


class ReportTally(models.Model):
    """What one report adds to the rollups, as last counted: the incremental path subtracts this
    and adds the report's new tally when the report changes (feedback.rollups.sync)."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, primary_key=True, related_name="+")
    day = models.DateField()  # the city's date of submission: the figures count a report in its period
    department_id = models.IntegerField(default=0)  # 0: none (plain integers, so that keys are never NULL)
    district_id = models.IntegerField(default=0)
    category_id = models.IntegerField(default=0)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    public = models.BooleanField(default=True)
    done = models.SmallIntegerField(default=0)
    resolved = models.SmallIntegerField(default=0)
    on_time = models.SmallIntegerField(default=0)
    fast = models.SmallIntegerField(default=0)
    rating = models.SmallIntegerField(null=True)  # the counted rating (selectors.COUNTED_RATING)
    satisfied = models.SmallIntegerField(default=0)
    complaint = models.SmallIntegerField(default=0)
    reopened = models.SmallIntegerField(default=0)
    asked_fixed = models.SmallIntegerField(default=0)
    said_fixed = models.SmallIntegerField(default=0)
    said_not_fixed = models.SmallIntegerField(default=0)
    handling_us = models.BigIntegerField(null=True)  # answered − submitted, in microseconds
    hour = models.IntegerField(null=True)  # floor(handling in hours): the histogram's bucket

    def __str__(self) -> str:
        return f"#{self.report_id} @ {self.day}"


class DayFigures(models.Model):
    """Sums of the tallies of the reports submitted on `day`, per department and district."""

    day = models.DateField()
    department_id = models.IntegerField(default=0)
    district_id = models.IntegerField(default=0)
    reports = models.IntegerField(default=0)
    done = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    fast = models.IntegerField(default=0)
    rating_sum = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    complaints = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    asked_fixed = models.IntegerField(default=0)
    said_fixed = models.IntegerField(default=0)
    said_not_fixed = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "department_id", "district_id"], name="day_figures_key"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}/{self.district_id}: {self.reports}"


class MonthHandling(models.Model):
    """The handling-time histogram: answered reports submitted in `month` (its first day) per department,
    district and whole hour of handling, with the sum of their exact handling times (for the median).
    By month, not day: the figures' periods are months and quarters, and a year reads 12 rows a bucket."""

    month = models.DateField()
    department_id = models.IntegerField(default=0)
    district_id = models.IntegerField(default=0)
    hour = models.IntegerField()
    reports = models.IntegerField(default=0)
    handling_us = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "department_id", "district_id", "hour"], name="month_handling_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.department_id}/{self.district_id} {self.hour} h: {self.reports}"


class DayCell(models.Model):
    """Public located reports submitted on `day` per hotspot cell (every size of hotspot_params.CELL_SIZES,
    `size` in millionths of a degree) and category, and again for all categories (`category_id` 0).
    Month rows (`month`, `day` its first day) sum the month's days: a long period reads its whole
    months from them and only the days at its edges from the day rows."""

    size = models.IntegerField()
    category_id = models.IntegerField(default=0)
    month = models.BooleanField(default=False)
    day = models.DateField()
    x = models.IntegerField()
    y = models.IntegerField()
    reports = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # Equalities first (size, category, span), then the period: the hotspots' index.
            models.UniqueConstraint(fields=["size", "category_id", "month", "day", "x", "y"], name="day_cell_key"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.size}:{self.x},{self.y}: {self.reports}"
