"""The quarterly review (成效评估, 季度回头看): cycles, schemes, surveys, indicators, inspections,
scorecards, rectification orders and accountability records.

The scoring rules (normalisation of each indicator to 0–100, re-weighting of missing parts)
are written down in docs/evaluation.md; `scoring.py` implements them.
"""

import secrets
import uuid
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from civicworks.files import PhotoField, TokenPath
from civicworks.rounding import round_half_up
from projects.models import Department, Project

from .errors import EvaluationError

SCORE = {"max_digits": 6, "decimal_places": 2}


def as_score(value) -> Decimal | None:
    """Round a score to two decimals, half up, the way the reports print it.

    The same rule as the scorecard SQL (`civicworks.rounding`): a float from either database is
    read to 15 significant digits first, so 80.33499999999999 (the float of 80.335) is 80.34.
    """
    return round_half_up(value, 2)


# --- Scheme and cycle ----------------------------------------------------------------------


class WeightingScheme(models.Model):
    """How much each part counts, the pass mark and the grade bands."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    satisfaction_weight = models.DecimalField(_("satisfaction weight (%)"), **SCORE, default=Decimal("40"))
    acceptance_weight = models.DecimalField(_("on-site acceptance weight (%)"), **SCORE, default=Decimal("30"))
    indicators_weight = models.DecimalField(_("objective indicators weight (%)"), **SCORE, default=Decimal("30"))
    pass_mark = models.DecimalField(_("pass mark"), **SCORE, default=Decimal("60"))
    good_mark = models.DecimalField(_("lower bound of 良好 (good)"), **SCORE, default=Decimal("75"))
    excellent_mark = models.DecimalField(_("lower bound of 优秀 (excellent)"), **SCORE, default=Decimal("90"))
    min_responses = models.PositiveSmallIntegerField(
        _("minimum survey responses"),
        default=5,
        help_text=_("With fewer responses the satisfaction part counts as missing."),
    )
    count_anonymous = models.BooleanField(
        _("count anonymous answers"),
        default=False,
        help_text=_(
            "Off (the default): answers without an account or an invitation code are kept and shown apart, "
            "not counted. On: they count too, except those flagged as suspicious."
        ),
    )

    class Meta:
        verbose_name = _("weighting scheme")
        verbose_name_plural = _("weighting schemes")
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction_weight__gte=0, acceptance_weight__gte=0, indicators_weight__gte=0),
                name="scheme_weights_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    pass_mark__gte=0,
                    pass_mark__lte=models.F("good_mark"),
                    good_mark__lte=models.F("excellent_mark"),
                    excellent_mark__lte=100,
                ),
                name="scheme_grade_bands_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def default(cls) -> "WeightingScheme":
        scheme, _created = cls.objects.get_or_create(name="默认权重方案")
        return scheme


class CycleState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("cycle state", "Draft")
    OPEN = "open", pgettext_lazy("cycle state", "Open")
    CLOSED = "closed", pgettext_lazy("cycle state", "Closed")
    PUBLISHED = "published", pgettext_lazy("cycle state", "Published")


class CycleStep(StrEnum):
    """What can be done to a cycle; `CYCLE_STEPS` says in which states."""

    OPEN = "open"
    EDIT = "edit"  # change the scope, the surveys, indicators, acceptances, invitation codes, exclusions
    ANSWER = "answer"  # residents answer the surveys; the third party's results are imported
    COMPUTE = "compute"
    ISSUE_ORDERS = "issue_orders"
    VERIFY_ORDERS = "verify_orders"  # an earlier cycle's orders are verified in this one
    CLOSE = "close"
    PUBLISH = "publish"
    DELETE = "delete"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]  # the states the step is allowed in
    target: str | None = None  # the state it leads to (None: the state does not change)
    stamp: str | None = None  # the time field it sets


# The review cycle's life, declared once: draft → open → closed → published. Every writer
# (services, console actions and forms, demo loader) asks `cycle.can(step)` or calls
# `cycle.transition(step, …)`; nothing else names a state to decide what is allowed.
_DRAFT, _OPEN, _CLOSED, _PUBLISHED = (frozenset({s}) for s in CycleState.values)
CYCLE_STEPS: dict[CycleStep, Transition] = {
    CycleStep.OPEN: Transition(_DRAFT, CycleState.OPEN, "opened_at"),
    CycleStep.EDIT: Transition(_DRAFT | _OPEN),
    CycleStep.ANSWER: Transition(_OPEN),
    CycleStep.COMPUTE: Transition(_OPEN, stamp="computed_at"),
    CycleStep.ISSUE_ORDERS: Transition(_OPEN),
    CycleStep.VERIFY_ORDERS: Transition(_OPEN),
    CycleStep.CLOSE: Transition(_OPEN, CycleState.CLOSED, "closed_at"),
    CycleStep.PUBLISH: Transition(_CLOSED, CycleState.PUBLISHED, "published_at"),
    CycleStep.DELETE: Transition(_DRAFT),
}


class ReviewCycleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=CycleState.PUBLISHED)

    def allowing(self, step: CycleStep):
        """The cycles in which `step` is possible now (by state)."""
        return self.filter(state__in=CYCLE_STEPS[step].sources)

    def locked(self):
        """Closed and published: read-only."""
        return self.exclude(state__in=CYCLE_STEPS[CycleStep.EDIT].sources)


class ReviewCycle(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    scheme = models.ForeignKey(
        WeightingScheme, verbose_name=_("weighting scheme"), on_delete=models.PROTECT, related_name="cycles"
    )
    state = models.CharField(_("state"), max_length=12, choices=CycleState.choices, default=CycleState.DRAFT)
    projects = models.ManyToManyField(
        Project, verbose_name=_("projects in scope"), blank=True, related_name="review_cycles"
    )
    survey_closes_on = models.DateField(_("survey closes on"), null=True, blank=True)
    organisation = models.CharField(
        _("evaluating organisation"), max_length=120, blank=True, help_text=_("For example a third-party agency.")
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    computed_at = models.DateTimeField(_("scores computed"), null=True, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("cycle", "closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    close_reason = models.TextField(
        _("reason for closing early"),
        blank=True,
        help_text=_("Required when the cycle is closed before its survey closes or before the quarter ends."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = ReviewCycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("review cycle")
        verbose_name_plural = _("review cycles")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="cycle_one_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="cycle_quarter_1_4"),
            # Publishing is only ever the step after closing.
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(closed_at__isnull=False), name="cycle_published_after_closed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:cycle", args=[self.year, self.quarter])

    @property
    def slug(self) -> str:
        return f"{self.year}-q{self.quarter}"

    @property
    def starts_on(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def ends_on(self) -> date:
        """The last day of the quarter."""
        last_month = 3 * self.quarter
        return date(self.year, last_month, monthrange(self.year, last_month)[1])

    @property
    def previous_key(self) -> tuple[int, int]:
        return (self.year - 1, 4) if self.quarter == 1 else (self.year, self.quarter - 1)

    @property
    def is_locked(self) -> bool:
        """Closed and published cycles are read-only."""
        return not self.can(CycleStep.EDIT)

    def can(self, step: CycleStep) -> bool:
        """Whether `step` is allowed in the cycle's state (the table `CYCLE_STEPS`)."""
        return self.state in CYCLE_STEPS[step].sources

    def ensure(self, step: CycleStep) -> None:
        if not self.can(step):
            raise EvaluationError(
                gettext("Review cycle %(cycle)s is %(state)s: this step is not possible now.")
                % {"cycle": self, "state": self.get_state_display()}
            )

    def takes_answers(self, today: date | None = None) -> bool:
        """Open, and the survey's closing day not passed."""
        today = today or timezone.localdate()
        return self.can(CycleStep.ANSWER) and not (self.survey_closes_on and today > self.survey_closes_on)

    def closes_early(self, today: date | None = None) -> bool:
        """Closing today would cut the survey or the quarter short (answers are taken until the closing day)."""
        today = today or timezone.localdate()
        return today <= self.ends_on or (self.survey_closes_on is not None and today <= self.survey_closes_on)

    def transition(self, step: CycleStep, *, by=None, reason: str = "", today: date | None = None) -> list[str]:
        """Check and apply `step` (state and time stamp); returns the fields to save.

        Beside the table: a quarter that has not begun cannot be opened, and closing early
        needs a reason, which is kept with who closed the cycle.
        """
        self.ensure(step)
        today = today or timezone.localdate()
        reason = reason.strip()
        if step == CycleStep.OPEN and today < self.starts_on:
            raise EvaluationError(
                gettext("Quarter %(cycle)s has not begun (it starts on %(day)s): it cannot be opened yet.")
                % {"cycle": self, "day": self.starts_on}
            )
        changed = []
        if step == CycleStep.CLOSE:
            if self.closes_early(today) and not reason:
                raise EvaluationError(
                    gettext(
                        "The survey of %(cycle)s is still open or the quarter has not ended: give a reason "
                        "for closing it early."
                    )
                    % {"cycle": self}
                )
            self.closed_by, self.close_reason = by, reason
            changed += ["closed_by", "close_reason"]
        rule = CYCLE_STEPS[step]
        if rule.target is not None:
            self.state = rule.target
            changed.append("state")
        if rule.stamp is not None:
            setattr(self, rule.stamp, timezone.now())
            changed.append(rule.stamp)
        return changed

    def previous(self) -> "ReviewCycle | None":
        year, quarter = self.previous_key
        return ReviewCycle.objects.filter(year=year, quarter=quarter).first()


# --- Surveys ---------------------------------------------------------------------------------


class Survey(models.Model):
    """The satisfaction survey (满意度测评) of one project in one cycle, reached by a public link."""

    cycle = models.ForeignKey(
        ReviewCycle, verbose_name=_("review cycle"), on_delete=models.CASCADE, related_name="surveys"
    )
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="surveys")
    token = models.UUIDField(_("public link token"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["cycle", "project__code"]
        constraints = [models.UniqueConstraint(fields=["cycle", "project"], name="survey_one_per_project_cycle")]

    def __str__(self) -> str:
        return f"{self.cycle} {self.project.code}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:survey", args=[self.token])


class ResponseSource(models.TextChoices):
    WEB = "web", _("Online survey")
    IMPORT = "import", _("Imported from a third party")


class ResponseKind(models.TextChoices):
    """Who stands behind an answer: what decides whether it counts (docs/evaluation.md, "Who counts")."""

    ACCOUNT = "account", _("Signed-in resident")
    CODE = "code", _("Invitation code")
    THIRD_PARTY = "third_party", _("Third-party survey (imported)")
    ANONYMOUS = "anonymous", _("Anonymous (held apart)")


# Printed on cards: no 0/O, 1/I/L, so a code read aloud or typed from paper is not mistaken.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12  # 31^12 ≈ 2^59: not guessable through a web form
MAX_CODES = 5000  # per survey and request: a printing run, not a database filler


def normalise_code(text: str) -> str:
    """What a resident typed (spaces, dashes, lower case) as the stored code."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


class InvitationCode(models.Model):
    """A single-use code the evaluator hands out (door to door, by letter): an answer with it counts."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="invitation_codes"
    )
    code = models.CharField(_("code"), max_length=CODE_LENGTH, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    used_at = models.DateTimeField(_("used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("invitation code")
        verbose_name_plural = _("invitation codes")
        ordering = ["survey", "created_at", "pk"]

    def __str__(self) -> str:
        return self.printed

    @staticmethod
    def generate() -> str:
        return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))

    @property
    def printed(self) -> str:
        """In groups of four, the way it is printed: ABCD-EFGH-JKMN."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    @property
    def survey_link(self) -> str:
        return f"{self.survey.get_absolute_url()}?code={self.printed}"


def counted_condition(count_anonymous: bool | str, prefix: str = "") -> Q:
    """The one rule of which answers count (the scorecard SQL, the console and the pages use it).

    Signed-in, invitation-code and third-party answers count; anonymous ones only where the
    scheme counts them, and never when suspicious; an answer the evaluator excluded never.
    `count_anonymous` is the scheme's setting, or the lookup reaching it from the queried model
    (a list mixing cycles); `prefix` reaches the answers from there.
    """
    trusted = ~Q(**{f"{prefix}kind": ResponseKind.ANONYMOUS})
    if count_anonymous is True:
        trusted |= Q(**{f"{prefix}suspicious": False})
    elif isinstance(count_anonymous, str):
        trusted |= Q(**{count_anonymous: True, f"{prefix}suspicious": False})
    return trusted & Q(**{f"{prefix}excluded": False})


def held_apart_condition(count_anonymous: bool | str, prefix: str = "") -> Q:
    """Anonymous answers kept but not counted (and not excluded by the evaluator)."""
    anonymous = Q(**{f"{prefix}kind": ResponseKind.ANONYMOUS, f"{prefix}excluded": False})
    if count_anonymous is True:
        return anonymous & Q(**{f"{prefix}suspicious": True})
    if isinstance(count_anonymous, str):
        return anonymous & (Q(**{count_anonymous: False}) | Q(**{f"{prefix}suspicious": True}))
    return anonymous


class SurveyResponseQuerySet(models.QuerySet):
    def counted(self, scheme: "WeightingScheme"):
        return self.filter(counted_condition(scheme.count_anonymous))

    def held_apart(self, scheme: "WeightingScheme"):
        return self.filter(held_apart_condition(scheme.count_anonymous))

    def excluded(self):
        return self.filter(excluded=True)


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("resident"), on_delete=models.SET_NULL, null=True, blank=True
    )
    # Stored, not derived from `user`: an account deleted later (my data) leaves a counted answer counted.
    kind = models.CharField(
        _("kind of answer"), max_length=12, choices=ResponseKind.choices, default=ResponseKind.ANONYMOUS
    )
    invitation = models.OneToOneField(
        InvitationCode,
        verbose_name=_("invitation code"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="response",
    )
    device_token = models.CharField(_("device token"), max_length=64, blank=True)
    # Anonymous answers only: a keyed hash of survey, address and browser (integrity.fingerprint);
    # the address itself is never stored.
    fingerprint = models.CharField(_("client fingerprint"), max_length=32, blank=True)
    suspicious = models.BooleanField(
        _("suspicious"), default=False, help_text=_("Part of a burst of anonymous answers.")
    )
    excluded = models.BooleanField(
        _("excluded by the evaluator"), default=False, help_text=_("See the answer reviews for who, when and why.")
    )
    external_ref = models.CharField(_("third-party reference"), max_length=64, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=ResponseSource.choices, default=ResponseSource.WEB)
    satisfaction = models.PositiveSmallIntegerField(
        _("overall satisfaction (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    happiness = models.PositiveSmallIntegerField(
        _("happiness index (0–10)"), validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    objects = SurveyResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__gte=1, satisfaction__lte=5), name="response_satisfaction_1_5"
            ),
            models.CheckConstraint(condition=Q(happiness__gte=0, happiness__lte=10), name="response_happiness_0_10"),
            # One response per signed-in resident, per device, per imported row; a code is used
            # once (the one-to-one field's unique index).
            models.UniqueConstraint(
                fields=["survey", "user"], condition=Q(user__isnull=False), name="response_one_per_user"
            ),
            models.UniqueConstraint(
                fields=["survey", "device_token"], condition=~Q(device_token=""), name="response_one_per_device"
            ),
            models.UniqueConstraint(
                fields=["survey", "external_ref"], condition=~Q(external_ref=""), name="response_one_per_import_ref"
            ),
            models.CheckConstraint(condition=Q(kind__in=ResponseKind.values), name="response_kind_known"),
            # An answer is of kind "code" exactly when it used a code, and an anonymous one has no account.
            models.CheckConstraint(
                condition=Q(kind=ResponseKind.CODE, invitation__isnull=False)
                | (~Q(kind=ResponseKind.CODE) & Q(invitation__isnull=True)),
                name="response_code_kind_has_code",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ResponseKind.ANONYMOUS) | Q(user__isnull=True), name="response_anonymous_no_user"
            ),
        ]
        indexes = [
            # The burst checks on each anonymous answer: one survey's recent anonymous answers.
            models.Index(
                fields=["survey", "submitted_at"],
                condition=Q(kind="anonymous"),
                name="response_anonymous_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} {self.satisfaction}/5"


class ResponseReview(models.Model):
    """The audit of the evaluator's decisions: an answer excluded from the count, or included again."""

    response = models.ForeignKey(
        SurveyResponse, verbose_name=_("survey response"), on_delete=models.PROTECT, related_name="reviews"
    )
    excluded = models.BooleanField(_("excluded"), help_text=_("Excluded from the count, or included again."))
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("answer review")
        verbose_name_plural = _("answer reviews")
        ordering = ["-at", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="review_has_reason")]

    def __str__(self) -> str:
        return f"{self.response_id} {'−' if self.excluded else '+'} {self.at:%Y-%m-%d %H:%M}"


# --- Indicators -----------------------------------------------------------------------------


class IndicatorKind(models.TextChoices):
    COMPLAINT_CHANGE = "complaint_change", _("Complaints against previous quarter (change %)")
    CLOSURE_RATE = "closure_rate", _("Closure rate of reports (%)")
    ON_TIME_RATE = "on_time_rate", _("On-time handling rate (%)")
    BUDGET_EXECUTION = "budget_execution", _("Budget execution rate (%)")
    MILESTONE_PUNCTUALITY = "milestone_punctuality", _("Milestone punctuality (%)")


class IndicatorValue(models.Model):
    """An objective indicator computed from the data; recomputing overwrites it in place."""

    cycle = models.ForeignKey(
        ReviewCycle, verbose_name=_("review cycle"), on_delete=models.CASCADE, related_name="indicator_values"
    )
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("indicator"), max_length=24, choices=IndicatorKind.choices)
    raw_value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(_("score (0–100)"), **SCORE, null=True, blank=True)
    basis = models.CharField(_("basis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("objective indicator")
        verbose_name_plural = _("objective indicators")
        ordering = ["cycle", "project", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "project", "kind"], name="indicator_one_per_kind"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="indicator_score_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.raw_value}"


class ManualIndicator(models.Model):
    """An indicator measured by hand (green coverage %, lighting rate …) with target and actual."""

    cycle = models.ForeignKey(
        ReviewCycle, verbose_name=_("review cycle"), on_delete=models.CASCADE, related_name="manual_indicators"
    )
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    actual = models.DecimalField(_("actual"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    score = models.DecimalField(_("score (0–100)"), **SCORE, editable=False, default=Decimal("0"))

    class Meta:
        verbose_name = _("manual indicator")
        verbose_name_plural = _("manual indicators")
        ordering = ["cycle", "project", "name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "project", "name"], name="manual_indicator_unique_name"),
            models.CheckConstraint(condition=Q(target__gte=0, actual__gte=0), name="manual_indicator_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.actual}/{self.target}{self.unit}"

    def save(self, *args, **kwargs):
        self.score = self.normalised_score()
        if kwargs.get("update_fields") is not None:  # update_or_create saves only the changed fields
            kwargs["update_fields"] = {*kwargs["update_fields"], "score"}
        super().save(*args, **kwargs)

    def normalised_score(self) -> Decimal:
        """docs/evaluation.md, "Manual indicators": reaching the target is 100, short of it pro rata."""
        target, actual = Decimal(self.target), Decimal(self.actual)
        if self.higher_is_better:
            ratio = Decimal(1) if target == 0 else actual / target
        else:
            ratio = Decimal(1) if actual <= target else (target / actual if actual else Decimal(1))
        return as_score(min(Decimal(100), max(Decimal(0), ratio * 100)))


# --- On-site acceptance ------------------------------------------------------------------------


class Inspection(models.Model):
    """The on-site acceptance (现场验收) by the evaluator with resident representatives."""

    cycle = models.ForeignKey(
        ReviewCycle, verbose_name=_("review cycle"), on_delete=models.CASCADE, related_name="inspections"
    )
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="+")
    inspected_on = models.DateField(_("date"))
    representatives = models.TextField(_("resident representatives"), blank=True, help_text=_("Names, one per line."))
    representative_count = models.PositiveSmallIntegerField(_("number of resident representatives"), default=0)
    score = models.DecimalField(
        _("score (0–100)"), **SCORE, null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    notes = models.TextField(_("notes"), blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed off by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_off_at = models.DateTimeField(_("signed off"), null=True, blank=True)

    class Meta:
        verbose_name = _("on-site acceptance")
        verbose_name_plural = _("on-site acceptances")
        ordering = ["cycle", "project"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "project"], name="inspection_one_per_project_cycle"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="inspection_score_0_100"
            ),
            # Only a signed-off acceptance with a score counts.
            models.CheckConstraint(
                condition=Q(signed_off_at__isnull=True) | Q(score__isnull=False, signed_off_by__isnull=False),
                name="inspection_signed_has_score",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} {self.project.code}"

    @property
    def has_failed_item(self) -> bool:
        return self.items.filter(passed=False).exists()


class InspectionItem(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("on-site acceptance"), on_delete=models.CASCADE, related_name="items"
    )
    label = models.CharField(_("checklist item"), max_length=120)
    passed = models.BooleanField(_("passed"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["inspection", "id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "label"], name="inspection_item_unique")]

    def __str__(self) -> str:
        return self.label


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("on-site acceptance"), on_delete=models.CASCADE, related_name="photos"
    )
    image = PhotoField(_("photo"), upload_to=TokenPath("inspections"), db_index=True)
    caption = models.CharField(_("caption"), max_length=120, help_text=_("Describes the photo for screen readers."))

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption


# --- Scorecards ---------------------------------------------------------------------------------


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀 (excellent)")
    GOOD = "good", _("良好 (good)")
    PASS = "pass", _("合格 (pass)")
    FAIL = "fail", _("不合格 (fail)")
    UNRATED = "unrated", _("Not rated (no data)")


class Scorecard(models.Model):
    """One project's result in one cycle, written by `services.cycle_compute` only."""

    cycle = models.ForeignKey(
        ReviewCycle, verbose_name=_("review cycle"), on_delete=models.CASCADE, related_name="scorecards"
    )
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="scorecards")
    satisfaction_score = models.DecimalField(_("satisfaction"), **SCORE, null=True, blank=True)
    acceptance_score = models.DecimalField(_("on-site acceptance"), **SCORE, null=True, blank=True)
    indicators_score = models.DecimalField(_("objective indicators"), **SCORE, null=True, blank=True)
    response_count = models.PositiveIntegerField(
        _("survey responses"),
        default=0,
        help_text=_("Answers of signed-in residents, with an invitation code or from the third party, not excluded."),
    )
    anonymous_count = models.PositiveIntegerField(
        _("anonymous answers held apart"), default=0, help_text=_("Kept and shown, not counted in the score.")
    )
    excluded_count = models.PositiveIntegerField(_("answers excluded by the evaluator"), default=0)
    satisfied_share = models.DecimalField(
        _("satisfied residents (%)"), **SCORE, null=True, blank=True, help_text=_("Share answering 4 or 5 of 5.")
    )
    happiness_index = models.DecimalField(_("happiness index"), **SCORE, null=True, blank=True)
    total = models.DecimalField(_("score"), **SCORE, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices)
    rank_in_category = models.PositiveIntegerField(_("rank in category"), null=True, blank=True)
    rank_in_district = models.PositiveIntegerField(_("rank in district"), null=True, blank=True)
    previous_total = models.DecimalField(_("score last quarter"), **SCORE, null=True, blank=True)
    change = models.DecimalField(_("change against last quarter"), **SCORE, null=True, blank=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["cycle", "-total", "project__code"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "project"], name="scorecard_one_per_project_cycle"),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(total__gte=0, total__lte=100), name="scorecard_total_0_100"
            ),
        ]
        indexes = [
            # The trend of one project over the published quarters.
            models.Index(fields=["project", "cycle"], name="scorecard_project_cycle"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} {self.project.code}: {self.total}"

    @property
    def passed(self) -> bool:
        return self.grade in (Grade.EXCELLENT, Grade.GOOD, Grade.PASS)


# --- Rectification and accountability --------------------------------------------------------------


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    ANSWERED = "answered", _("Answered by the department")
    CLOSED = "closed", _("Verified and closed")
    ESCALATED = "escalated", _("Escalated to accountability")


class RectificationOrderQuerySet(models.QuerySet):
    def for_department(self, department_id: int | None):
        if department_id is None:
            return self.none()
        return self.filter(department_id=department_id)

    def open(self):
        return self.filter(status__in=[OrderStatus.ISSUED, OrderStatus.ANSWERED])

    def overdue(self, today: date | None = None):
        """Not answered by the deadline (`RectificationOrder.is_overdue`; index `order_open_deadline`)."""
        return self.filter(status=OrderStatus.ISSUED, deadline__lt=today or timezone.localdate())


class RectificationOrder(models.Model):
    """责令整改: findings, a deadline and a named responsible person; verified in the next cycle."""

    cycle = models.ForeignKey(
        ReviewCycle, verbose_name=_("review cycle"), on_delete=models.PROTECT, related_name="orders"
    )
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name=_("responsible department"), on_delete=models.PROTECT, related_name="+"
    )
    responsible_person = models.CharField(_("responsible person"), max_length=60)
    # The failing parts with their figures, written when the order is issued and said in the
    # reader's language when shown (evaluation/findings.py); never stored as prose.
    findings_data = models.JSONField(_("findings with their figures"), default=list, blank=True, editable=False)
    # The column keeps its old name (orders issued before the data existed kept their text here).
    findings = models.TextField(
        _("what to fix (evaluator's note)"),
        blank=True,
        help_text=_("Optional. Each failing part already says what to fix; add what the figures do not say."),
    )
    deadline = models.DateField(pgettext_lazy("rectification", "deadline"))
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.ISSUED)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    response = models.TextField(_("rectification report"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    verified_in = models.ForeignKey(
        ReviewCycle,
        verbose_name=_("verified in cycle"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verified_orders",
    )
    verification_note = models.TextField(_("verification note"), blank=True)
    # Set by the evaluator where a finding can be seen (a broken railing): verified only with an "after" photo.
    requires_after_photo = models.BooleanField(
        _("needs an “after” photo"),
        default=False,
        help_text=_("The order can be verified as rectified only once the department's answer carries a photo."),
    )

    objects = RectificationOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")
        ordering = ["deadline", "project"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "project"], name="order_one_per_project_cycle"),
            models.CheckConstraint(
                condition=~Q(status__in=["answered"]) | Q(answered_at__isnull=False), name="order_answered_has_time"
            ),
        ]
        indexes = [
            # The due/overdue reminder sweep over open orders.
            models.Index(
                fields=["deadline"], condition=Q(status__in=["issued", "answered"]), name="order_open_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.deadline}"

    @property
    def is_open(self) -> bool:
        """Issued or answered: the department may still (re)write its answer; after verification it is record."""
        return self.status in (OrderStatus.ISSUED, OrderStatus.ANSWERED)

    @property
    def is_overdue(self) -> bool:
        """Not answered and past its deadline: reminded once (evaluation/reminders.py), shown in words."""
        return self.status == OrderStatus.ISSUED and self.deadline < timezone.localdate()

    def days_overdue(self) -> int:
        return (timezone.localdate() - self.deadline).days if self.is_overdue else 0

    def finding_lines(self) -> list:
        """The failing parts as sentences with their figures and what to fix, in the active language."""
        from .findings import render

        return render(self.findings_data)

    def findings_text(self) -> str:
        """The findings as plain text (e-mails, exports, the API): the parts, what to fix, the note."""
        from .findings import as_text

        return as_text(self.findings_data, self.findings)

    @property
    def is_public(self) -> bool:
        """Published with its cycle's results, about a public project (`cycle` and `project` loaded)."""
        return self.cycle.state == CycleState.PUBLISHED and self.project.is_public

    def before_after(self) -> tuple["RectificationPhoto", "RectificationPhoto"] | None:
        """The first "before" photo and the latest "after" photo, when both exist (prefetch `photos`)."""
        photos = list(self.photos.all())
        before = next((p for p in photos if p.kind == PhotoKind.BEFORE), None)
        after = next((p for p in reversed(photos) if p.kind == PhotoKind.AFTER), None)
        return (before, after) if before and after else None


class PhotoKind(models.TextChoices):
    BEFORE = "before", pgettext_lazy("photo", "Before")
    AFTER = "after", pgettext_lazy("photo", "After")


class RectificationPhoto(models.Model):
    """A photo of an order's site: "before" (the evaluator's finding), "after" (the department's answer)."""

    order = models.ForeignKey(
        RectificationOrder, verbose_name=_("rectification order"), on_delete=models.CASCADE, related_name="photos"
    )
    kind = models.CharField(_("kind"), max_length=6, choices=PhotoKind.choices)
    # Re-encoded (no EXIF/GPS) under a random name; served by civicworks.files (evaluation/files.py).
    image = PhotoField(_("photo"), upload_to=TokenPath("rectification"), db_index=True)
    caption = models.CharField(
        _("caption"), max_length=120, blank=True, help_text=_("Describes the photo for screen readers.")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("rectification photo")
        verbose_name_plural = _("rectification photos")
        ordering = ["order", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["before", "after"]), name="rectification_photo_kind")
        ]

    def __str__(self) -> str:
        return self.caption

    @property
    def alt_text(self) -> str:
        if self.caption:
            return self.caption
        if self.kind == PhotoKind.BEFORE:
            return gettext("The site before the rectification")
        return gettext("The site after the rectification")


class AccountabilityRecord(models.Model):
    """问责: an order that was not rectified, naming the person held responsible."""

    order = models.OneToOneField(
        RectificationOrder,
        verbose_name=_("rectification order"),
        on_delete=models.PROTECT,
        related_name="accountability",
    )
    person = models.CharField(_("person held responsible"), max_length=60)
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("accountability record")
        verbose_name_plural = _("accountability records")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.person} ({self.department})"


# --- Department reports -----------------------------------------------------------------------------


class DepartmentReport(models.Model):
    """The PDF and XLSX a department receives when a cycle closes; built and e-mailed once."""

    cycle = models.ForeignKey(
        ReviewCycle, verbose_name=_("review cycle"), on_delete=models.CASCADE, related_name="reports"
    )
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    # Served by civicworks.files to whom the console shows the row (evaluation/files.py), never by name.
    pdf = models.FileField(_("PDF"), upload_to=TokenPath("evaluation"), db_index=True)
    xlsx = models.FileField(_("spreadsheet"), upload_to=TokenPath("evaluation"), db_index=True)
    built_at = models.DateTimeField(_("built"), auto_now=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("department report")
        verbose_name_plural = _("department reports")
        ordering = ["cycle", "department"]
        constraints = [models.UniqueConstraint(fields=["cycle", "department"], name="report_one_per_department_cycle")]

    def __str__(self) -> str:
        return f"{self.cycle} {self.department}"
