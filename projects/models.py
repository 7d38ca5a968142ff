from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from civicworks.accounts.models import Role
from civicworks.files import PhotoField, TokenPath, validate_pdf_or_image
from civicworks.money import money

MONEY = {"max_digits": 14, "decimal_places": 2}
CENT = Decimal("0.01")


class MoneySum(models.DecimalField):
    """The output field of a money aggregate (SUM, budget − spent): read to the cent.

    SQLite sums decimals as floats, which Django reads back to 15 digits: 350000.500000000, and
    400000 for whole yuan, where PostgreSQL gives 350000.50 and 400000.00. Quantized here, the
    figure prints the same in the exports, the indicator basis and the e-mails on both.
    Never a model column (no migration): only `output_field=MoneySum()`.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**MONEY, **kwargs})

    def from_db_value(self, value, expression, connection):
        return None if value is None else Decimal(value).quantize(CENT)


# --- Directory ---------------------------------------------------------------------------


class Department(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    code = models.SlugField(
        _("code"),
        max_length=30,
        unique=True,
        help_text=_("A short stable name for the department's public page address, for example cgj."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    dispatch_email = models.EmailField(_("dispatch e-mail"), blank=True)
    dispatch_webhook = models.URLField(_("dispatch webhook"), blank=True)
    webhook_secret = models.CharField(_("webhook secret"), max_length=128, blank=True)
    is_default_desk = models.BooleanField(
        _("city default desk"), default=False, help_text=_("Receives reports no rule routes elsewhere.")
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default_desk"], condition=Q(is_default_desk=True), name="one_default_desk"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("opendata:department", args=[self.code])

    def mail_recipients(self) -> list[str]:
        """Who receives the department's mail (reports, evaluation reports, orders): its dispatch
        mailbox, else its active officials and managers who have an address. The one rule."""
        if self.dispatch_email:
            return [self.dispatch_email]
        people = self.members.filter(is_active=True, role__in=[Role.OFFICIAL, Role.MANAGER])
        return [email for email in people.values_list("email", flat=True) if email]


class District(models.Model):
    """A district (区) or sub-district (街道) of the city, with its boundary."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    code = models.SlugField(_("code"), max_length=20, unique=True)
    boundary = models.JSONField(_("boundary (GeoJSON)"), default=dict, blank=True)
    # In the fingerprint of every process's copy of the areas (feedback/geo.py): an edit is seen at once.
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    """A residents' community (社区) inside a district."""

    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="communities"
    )
    name = models.CharField(_("name"), max_length=80)
    boundary = models.JSONField(_("boundary (GeoJSON)"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)  # as District's

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["district", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="community_unique_in_district")]

    def __str__(self) -> str:
        return self.name


class ProjectCategory(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    code = models.SlugField(_("code"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("project category")
        verbose_name_plural = _("project categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- Projects ----------------------------------------------------------------------------


class Stage(models.TextChoices):
    PLANNED = "planned", _("Planned")
    APPROVED = "approved", _("Approved")
    DESIGN = "design", _("Design")
    TENDERING = "tendering", _("Tendering")
    CONSTRUCTION = "construction", _("Under construction")
    ACCEPTANCE = "acceptance", _("Acceptance")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


# The rules of progress and money, declared here once: the console's forms and inlines, the
# services (API, demo loader, tasks) and the history form all call full_clean(), and the
# database refuses what slips past them.
COMPLETED_AT_100 = _("A completed project must be at 100 percent.")
AMOUNT_POSITIVE = _("The amount must be greater than zero.")


def completed_at_100(stage: str, percent: int | None) -> None:
    if stage == Stage.COMPLETED and percent is not None and percent != 100:
        raise ValidationError({"percent_complete": COMPLETED_AT_100})


def positive_amount(amount: Decimal | None) -> None:
    if amount is not None and amount <= 0:
        raise ValidationError({"amount": AMOUNT_POSITIVE})


def not_in_the_future(field: str, day: date | None, message) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: message})


class ProjectQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)

    def for_department(self, department_id: int | None):
        """Projects a department leads or co-organises: what its officials may see and edit."""
        if department_id is None:
            return self.none()
        return self.filter(Q(lead_unit_id=department_id) | Q(co_organisers__id=department_id)).distinct()


class Project(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True, help_text=_("For example MX-2026-014."))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        ProjectCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="projects"
    )
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="projects"
    )
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, null=True, blank=True, related_name="projects"
    )
    latitude = models.FloatField(_("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    geometry = models.JSONField(
        _("line or area (GeoJSON)"), null=True, blank=True, help_text=_("Optional: the road or park outline.")
    )
    year = models.PositiveSmallIntegerField(_("year of the annual list"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.PLANNED)
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete"), default=0, validators=[MaxValueValidator(100)]
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    expected_completion = models.DateField(_("expected completion"), null=True, blank=True)
    actual_completion = models.DateField(_("actual completion"), null=True, blank=True)
    budget = models.DecimalField(_("budget (yuan)"), **MONEY, default=Decimal("0"))
    funding_sources = models.CharField(_("funding sources"), max_length=200, blank=True)
    beneficiaries = models.PositiveIntegerField(_("beneficiaries"), default=0)
    lead_unit = models.ForeignKey(
        Department, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="led_projects"
    )
    co_organisers = models.ManyToManyField(
        Department, verbose_name=_("co-organising departments"), blank=True, related_name="co_organised_projects"
    )
    is_public = models.BooleanField(_("public"), default=True)
    last_progress_at = models.DateTimeField(_("last progress update"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__gte=0, percent_complete__lte=100), name="project_percent_0_100"
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="project_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_end__gte=models.F("planned_start")),
                name="project_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="project_coordinates_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(stage="completed") | Q(percent_complete=100),
                name="project_completed_at_100",
                violation_error_message=COMPLETED_AT_100,
            ),
        ]
        indexes = [
            # The map's bounding-box query.
            models.Index(fields=["latitude", "longitude"], name="project_lat_lng"),
            # List filters: district + stage, year.
            models.Index(fields=["district", "stage"], name="project_district_stage"),
            # The lists' order and their cursor pages (civicworks/keyset.py): newest year first, then code.
            models.Index(fields=["-year", "code"], name="project_year_desc_code"),
            # The map's ETag: the newest change of any project (one index probe per poll).
            models.Index(fields=["updated_at"], name="project_updated"),
            # Public projects counted per lead unit and per district (the league table, the departments'
            # and districts' lists) from the index alone: at 100,000 projects 13 ms, not 200.
            models.Index(fields=["lead_unit"], condition=Q(is_public=True), name="project_public_by_lead"),
            models.Index(fields=["district"], condition=Q(is_public=True), name="project_public_by_district"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.code])

    def clean(self) -> None:
        completed_at_100(self.stage, self.percent_complete)

    @property
    def is_closed(self) -> bool:
        return self.stage in (Stage.COMPLETED, Stage.CANCELLED)

    def days_behind(self, today: date | None = None) -> int:
        """Days past the planned end while the project is still open (0 when on time)."""
        today = today or timezone.localdate()
        if self.planned_end is None or self.is_closed:
            return 0
        return max(0, (today - self.planned_end).days)


class ChainRole(models.TextChoices):
    LEAD = "lead", _("Project lead")
    GRID_WORKER = "grid_worker", _("Community grid worker")
    SUPERVISOR = "supervisor", _("Supervisor")


class ResponsiblePerson(models.Model):
    """A named person in the responsibility chain (责任到人). Contact stays staff-only unless public."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="people")
    role = models.CharField(_("role"), max_length=20, choices=ChainRole.choices)
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(_("position"), max_length=80, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, null=True, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.SET_NULL, null=True, blank=True
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    contact_is_public = models.BooleanField(_("contact details public"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("responsible person")
        verbose_name_plural = _("responsibility chain")
        ordering = ["project", "role", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "role", "name"], name="person_unique_role_in_project")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=120)
    planned_date = models.DateField(_("planned date"))
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", "order", "planned_date"]
        indexes = [
            # The due-milestone reminder sweep.
            models.Index(fields=["planned_date"], condition=Q(actual_date__isnull=True), name="milestone_open_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        not_in_the_future("actual_date", self.actual_date, _("A milestone cannot be reached in the future."))

    def is_overdue(self, today: date | None = None) -> bool:
        return self.actual_date is None and self.planned_date < (today or timezone.localdate())


class ProgressUpdate(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="updates")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    percent_complete = models.PositiveSmallIntegerField(_("percent complete"), validators=[MaxValueValidator(100)])
    text = models.TextField(_("text"))
    photo = PhotoField(_("photo"), upload_to=TokenPath("progress"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__gte=0, percent_complete__lte=100), name="update_percent_0_100"
            ),
            models.CheckConstraint(
                condition=~Q(stage="completed") | Q(percent_complete=100),
                name="update_completed_at_100",
                violation_error_message=COMPLETED_AT_100,
            ),
        ]
        indexes = [
            models.Index(fields=["project", "-created_at"], name="update_project_latest"),
            # /files/<name> finds the row by its stored name (an index here, not on the history table).
            models.Index(fields=["photo"], condition=~Q(photo=""), name="update_photo_name"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.percent_complete}%"

    def clean(self) -> None:
        completed_at_100(self.stage, self.percent_complete)


class BudgetAllocation(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="allocations"
    )
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    source = models.CharField(_("funding source"), max_length=120)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget allocation")
        verbose_name_plural = _("budget allocations")
        ordering = ["project", "date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="allocation_amount_positive", violation_error_message=AMOUNT_POSITIVE
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {money(self.amount)}"

    def clean(self) -> None:
        positive_amount(self.amount)


class Expenditure(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="expenditures"
    )
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    payee = models.CharField(_("payee"), max_length=120)
    purpose = models.CharField(_("purpose"), max_length=200)
    voucher_number = models.CharField(_("voucher number"), max_length=40, blank=True)
    attachment = models.FileField(
        _("attachment"),
        upload_to=TokenPath("vouchers"),
        blank=True,
        validators=[validate_pdf_or_image],
        help_text=_("A PDF or an image of the voucher."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        ordering = ["project", "-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="expenditure_amount_positive", violation_error_message=AMOUNT_POSITIVE
            )
        ]
        indexes = [
            models.Index(fields=["project", "-date"], name="expenditure_project_date"),
            models.Index(fields=["attachment"], condition=~Q(attachment=""), name="expenditure_attachment_name"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.payee} {money(self.amount)}"

    def clean(self) -> None:
        positive_amount(self.amount)
        not_in_the_future("date", self.date, _("An expenditure cannot be dated in the future."))


# --- Follows -----------------------------------------------------------------------------


class Follow(models.Model):
    """A resident follows a project, or a community (and so every project in it), to hear of it.

    Exactly one target (a check constraint); once per account and target (unique constraints,
    so two quick clicks or an implied follow racing a button add one row).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="follows"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    created_at = models.DateTimeField(_("followed since"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False, community__isnull=True)
                | Q(project__isnull=True, community__isnull=False),
                name="follow_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "project"], condition=Q(project__isnull=False), name="follow_project_once"
            ),
            models.UniqueConstraint(
                fields=["user", "community"], condition=Q(community__isnull=False), name="follow_community_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.project or self.community}"
