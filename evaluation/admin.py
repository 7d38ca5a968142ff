"""The evaluators' console: run a cycle step by step (open, compute, review, orders, close, publish).

Only evaluators and city administrators change evaluation data. Department officials see their
own projects' scorecards, orders and reports, and answer their department's orders. What a
cycle allows is asked of its transition table (`cycle.can(step)`, `ReviewCycle.objects.allowing`),
never of a state spelled out here; a closed cycle is read-only. Deleting a review cycle is the
city administrator's alone (and only a draft).
"""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import linebreaks
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from civicworks.accounts.models import Role
from civicworks.admin import ReadOnlyAdmin, ScopedInlineMixin, ScopedModelAdmin, console_step
from civicworks.permissions import has_role, is_city_admin
from civicworks.photos import check_photo
from projects.models import Project

from . import selectors, services
from .forms import CodeCountForm, ImportForm, ReasonForm
from .imports import ImportRejected
from .invitations import codes_csv
from .models import (
    AccountabilityRecord,
    CycleStep,
    DepartmentReport,
    IndicatorValue,
    Inspection,
    InspectionItem,
    InspectionPhoto,
    InvitationCode,
    ManualIndicator,
    OrderStatus,
    PhotoKind,
    RectificationOrder,
    ResponseReview,
    ReviewCycle,
    Scorecard,
    Survey,
    SurveyResponse,
    WeightingScheme,
    counted_condition,
    held_apart_condition,
)

EVALUATORS = frozenset({Role.EVALUATOR})
DEPARTMENT_VIEWERS = frozenset({Role.OFFICIAL, Role.MANAGER, Role.SUPERVISOR})


def is_evaluator(request) -> bool:
    return has_role(request.user, Role.EVALUATOR)


def action_form(modeladmin, request, queryset, form, *, action: str, title, intro) -> TemplateResponse:
    """The page between choosing an action and running it, asking what the step needs (a reason, a number)."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "objects": list(queryset),
        "form": form,
        "action": action,
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/evaluation/action_form.html", context)


def submitted(form_class, request):
    """The action page's form, bound once the person pressed its button ("apply")."""
    return form_class(request.POST if "apply" in request.POST else None)


class EvaluatorAdmin(ScopedModelAdmin):
    view_roles = EVALUATORS
    edit_roles = EVALUATORS


class CycleDataAdmin(EvaluatorAdmin):
    """Rows that belong to a cycle: read-only once the cycle is closed."""

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.cycle.is_locked:
            return False
        return super().has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cycle":
            kwargs["queryset"] = ReviewCycle.objects.allowing(CycleStep.EDIT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(WeightingScheme)
class WeightingSchemeAdmin(EvaluatorAdmin):
    list_display = ["name", "satisfaction_weight", "acceptance_weight", "indicators_weight", "pass_mark"]

    def has_change_permission(self, request, obj=None) -> bool:
        # A scheme used by a closed cycle is part of its record.
        if obj is not None and obj.cycles.locked().exists():
            return False
        return super().has_change_permission(request, obj)


@admin.register(ReviewCycle)
class ReviewCycleAdmin(EvaluatorAdmin):
    list_display = ["__str__", "state", "scheme", "survey_closes_on", "computed_at", "closed_at", "published_at"]
    list_filter = ["state", "year"]
    filter_horizontal = ["projects"]
    readonly_fields = [
        "state",
        "progress",
        "opened_at",
        "computed_at",
        "closed_at",
        "closed_by",
        "close_reason",
        "published_at",
        "import_link",
    ]
    actions = ["open_cycle", "compute_scores", "issue_orders", "close_cycle", "publish_cycle"]
    change_form_template = "admin/evaluation/reviewcycle/change_form.html"

    class Media:
        js = ["evaluation/console.js"]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_locked:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Civic records are deleted by the city administrator only, and a cycle only while a draft.
        return is_city_admin(request.user) and (obj is None or obj.can(CycleStep.DELETE))

    def delete_queryset(self, request, queryset):
        # "Delete selected" asks the page's permission, not each cycle's: only drafts go.
        drafts = [cycle.pk for cycle in queryset if cycle.can(CycleStep.DELETE)]
        super().delete_queryset(request, queryset.filter(pk__in=drafts))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not form.instance.can(CycleStep.OPEN):  # already opened: projects added to the scope get a survey
            services.surveys_ensure(cycle=form.instance)

    @admin.display(description=_("Progress"))
    def progress(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "—"
        figures = selectors.cycle_progress(obj)
        return (
            _(
                "%(projects)d projects · %(responses)d survey responses counted · %(held_apart)d anonymous held "
                "apart · %(suspicious)d suspicious · %(excluded)d excluded · %(inspections)d of %(projects)d "
                "acceptances signed off · %(scorecards)d scorecards (%(failed)d failing) · %(orders)d orders open"
            )
            % figures
        )

    @admin.display(description=_("Import survey results"))
    def import_link(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:evaluation_import", args=[obj.pk]), _("Import CSV/XLSX")
        )

    def each(self, request, queryset: QuerySet, step, success) -> None:
        for cycle in queryset:
            console_step(self, request, lambda c=cycle: step(cycle=c, by=request.user), success)

    @admin.action(description=_("1. Open the cycle (scope and surveys)"), permissions=["change"])
    def open_cycle(self, request, queryset):
        self.each(request, queryset, services.cycle_open, lambda c: _("%(cycle)s is open.") % {"cycle": c})

    @admin.action(description=_("2. Compute the scores (safe to repeat)"))
    def compute_scores(self, request, queryset):
        self.each(request, queryset, services.cycle_compute, lambda n: _("%(n)d scorecards computed.") % {"n": n})

    @admin.action(description=_("3. Issue rectification orders to failing projects"))
    def issue_orders(self, request, queryset):
        self.each(request, queryset, services.orders_issue, lambda o: _("%(n)d orders issued.") % {"n": len(o)})

    @admin.action(description=_("4. Close the cycle and send the department reports"))
    def close_cycle(self, request, queryset):
        today = timezone.localdate()
        early = [cycle for cycle in queryset if cycle.can(CycleStep.CLOSE) and cycle.closes_early(today)]
        reason = ""
        if early:
            form = submitted(ReasonForm, request)
            if not form.is_valid():
                intro = _(
                    "The survey is still open or the quarter has not ended. Closing now ends the survey and "
                    "makes the cycle read-only; the reason is kept on the cycle with your name."
                )
                title = _("Close early: give the reason")
                return action_form(self, request, early, form, action="close_cycle", title=title, intro=intro)
            reason = form.cleaned_data["reason"]
        step = partial(services.cycle_close, reason=reason)
        self.each(request, queryset, step, lambda c: _("%(cycle)s is closed.") % {"cycle": c})

    @admin.action(description=_("5. Publish the results"))
    def publish_cycle(self, request, queryset):
        self.each(request, queryset, services.cycle_publish, lambda c: _("%(cycle)s is published.") % {"cycle": c})

    def get_actions(self, request):
        actions = super().get_actions(request)
        return actions if is_evaluator(request) else {}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        cycle = self.get_object(request, object_id)
        extra = {**(extra_context or {})}
        if cycle is not None and self.has_view_permission(request, cycle):
            extra["cycle_steps"] = selectors.cycle_steps(cycle)
            extra["may_run_steps"] = is_evaluator(request)
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def get_urls(self):
        view = self.admin_site.admin_view
        extra = [
            path("<int:cycle_id>/import/", view(self.import_view), name="evaluation_import"),
            path("<int:cycle_id>/step/<str:action>/", view(self.step_view), name="evaluation_cycle_step"),
        ]
        return extra + super().get_urls()

    def step_view(self, request, cycle_id: int, action: str):
        """A step's button on the cycle page: the same console action as on the list, back to the cycle.

        The close step may answer with its page asking for a reason; that page posts back here.
        """
        if not is_evaluator(request):
            raise PermissionDenied
        if request.method != "POST" or action not in self.actions:
            return HttpResponseNotAllowed(["POST"])
        cycle = get_object_or_404(ReviewCycle, pk=cycle_id)
        response = getattr(self, action)(request, ReviewCycle.objects.filter(pk=cycle.pk))
        return response or redirect("admin:evaluation_reviewcycle_change", cycle.pk)

    def import_view(self, request, cycle_id: int):
        if not is_evaluator(request):
            raise PermissionDenied
        cycle = get_object_or_404(ReviewCycle, pk=cycle_id)
        form = ImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                count = services.survey_import(cycle=cycle, name=upload.name, data=upload.read(), by=request.user)
            except ImportRejected as rejected:
                errors = rejected.errors
            except services.EvaluationError as exc:
                errors = [str(exc)]
            else:
                self.message_user(request, _("%(n)d responses imported.") % {"n": count}, messages.SUCCESS)
                return redirect("admin:evaluation_reviewcycle_change", cycle.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import survey results into %(cycle)s") % {"cycle": cycle},
            "cycle": cycle,
            "form": form,
            "errors": errors,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/evaluation/import.html", context, status=400 if errors else 200)


class ResponseInline(ScopedInlineMixin, admin.TabularInline):
    model = SurveyResponse
    fields = ["kind", "satisfaction", "happiness", "comment", "submitted_at", "suspicious", "excluded"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# The counts of a survey list that may mix cycles: each row's scheme says whether anonymous answers count.
SCHEME_COUNTS_ANONYMOUS = "cycle__scheme__count_anonymous"


@admin.register(Survey)
class SurveyAdmin(CycleDataAdmin):
    list_display = ["project", "cycle", "counted", "held_apart", "suspicious", "excluded", "codes", "public_link"]
    list_filter = ["cycle"]
    search_fields = ["project__code", "project__title"]
    readonly_fields = ["cycle", "project", "public_link", "qr_code"]
    inlines = [ResponseInline]
    actions = ["generate_codes"]

    def get_queryset(self, request):
        answers = partial(Count, "responses", distinct=True)
        return (
            super()
            .get_queryset(request)
            .select_related("project", "cycle")
            .annotate(
                n_counted=answers(filter=counted_condition(SCHEME_COUNTS_ANONYMOUS, "responses__")),
                n_held_apart=answers(filter=held_apart_condition(SCHEME_COUNTS_ANONYMOUS, "responses__")),
                n_suspicious=answers(filter=Q(responses__suspicious=True)),
                n_excluded=answers(filter=Q(responses__excluded=True)),
                n_codes=Count("invitation_codes", distinct=True),
                n_codes_used=Count(
                    "invitation_codes", filter=Q(invitation_codes__used_at__isnull=False), distinct=True
                ),
            )
        )

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # surveys are created when a cycle opens

    @admin.display(description=_("answers counted"), ordering="n_counted")
    def counted(self, obj) -> int:
        return obj.n_counted

    @admin.display(description=_("anonymous (held apart)"), ordering="n_held_apart")
    def held_apart(self, obj) -> int:
        return obj.n_held_apart

    @admin.display(description=_("suspicious"), ordering="n_suspicious")
    def suspicious(self, obj) -> str:
        if not obj.n_suspicious:
            return "0"
        url = reverse("admin:evaluation_surveyresponse_changelist")
        return format_html(
            '<a href="{}?survey__id__exact={}&amp;suspicious__exact=1">{}</a>', url, obj.pk, obj.n_suspicious
        )

    @admin.display(description=_("excluded"), ordering="n_excluded")
    def excluded(self, obj) -> int:
        return obj.n_excluded

    @admin.display(description=_("invitation codes used"))
    def codes(self, obj) -> str:
        return f"{obj.n_codes_used} / {obj.n_codes}"

    @admin.display(description=_("public link"))
    def public_link(self, obj) -> str:
        return format_html('<a href="{0}">{0}</a>', obj.get_absolute_url())

    @admin.display(description=_("QR code"))
    def qr_code(self, obj) -> str:
        url = reverse("evaluation:survey_qr", args=[obj.token])
        poster = reverse("evaluation:survey_poster", args=[obj.token])
        return format_html(
            '<a href="{0}"><img src="{1}" alt="{2}" width="160" height="160"></a><br><a href="{0}">{3}</a>',
            poster,
            url,
            _("QR code of the survey"),
            _("Printable poster"),
        )

    @admin.action(description=_("Generate invitation codes (CSV for printing)"), permissions=["change"])
    def generate_codes(self, request, queryset):
        form = submitted(CodeCountForm, request)
        surveys = list(queryset.select_related("project", "cycle"))
        if not form.is_valid():
            intro = _(
                "Each code lets one resident answer once; an answer with a code counts in the score. The codes "
                "are downloaded as a CSV file for printing; keep it safe, like ballot papers."
            )
            title = _("Generate invitation codes")
            return action_form(self, request, surveys, form, action="generate_codes", title=title, intro=intro)
        codes = []
        for survey in surveys:
            try:
                codes += services.invitation_codes_create(
                    survey=survey, count=form.cleaned_data["count"], by=request.user
                )
            except services.EvaluationError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return None
        return codes_csv_response(request, codes)


def codes_csv_response(request, codes) -> HttpResponse:
    text = "\ufeff" + codes_csv(codes, request.build_absolute_uri)  # the BOM: spreadsheets then read UTF-8
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="invitation-codes-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@admin.register(SurveyResponse)
class SurveyResponseAdmin(EvaluatorAdmin):
    """The answers, for the evaluator to see the suspicious ones and exclude (or include again) with a reason.

    The respondent's account is not shown: the evaluator judges answers, not people.
    """

    list_display = ["survey", "kind", "satisfaction", "happiness", "submitted_at", "suspicious", "excluded", "client"]
    list_filter = ["suspicious", "excluded", "kind", "survey__cycle"]
    search_fields = ["survey__project__code"]
    list_select_related = ["survey__project", "survey__cycle"]
    fields = ["survey", "kind", "satisfaction", "happiness", "comment", "submitted_at", "suspicious", "excluded",
              "client", "reviews"]  # fmt: skip
    readonly_fields = fields
    actions = ["exclude_answers", "include_answers"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the decisions go through the actions, with a reason

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # nothing a resident sends is lost: an answer is excluded, not deleted

    def get_actions(self, request):
        return super().get_actions(request) if is_evaluator(request) else {}

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        return lookup in ("survey__id__exact",) or super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("client"))
    def client(self, obj) -> str:
        """The first characters of the fingerprint: enough to see answers from one client, nothing more."""
        return obj.fingerprint[:8] or "—"

    @admin.display(description=_("answer reviews"))
    def reviews(self, obj) -> str:
        rows = obj.reviews.select_related("by").order_by("at", "pk")
        lines = [
            f"{timezone.localtime(review.at):%Y-%m-%d %H:%M} {review.by} "
            f"{_('excluded') if review.excluded else _('included again')}: "
            f"{review.reason}"
            for review in rows
        ]
        return "\n".join(lines) or "—"

    def review(self, request, queryset, *, excluded: bool):
        form = submitted(ReasonForm, request)
        action = "exclude_answers" if excluded else "include_answers"
        if not form.is_valid():
            if excluded:
                title = _("Exclude answers from the count: give the reason")
                intro = _("Excluded answers are kept but do not count. Compute the scores again to apply it.")
            else:
                title = _("Count answers again: give the reason")
                intro = _("The answers count again as the rule says. Compute the scores again to apply it.")
            return action_form(self, request, queryset, form, action=action, title=title, intro=intro)

        def done(n):
            if excluded:
                return _("%(n)d answers excluded from the count. Compute the scores again to apply it.") % {"n": n}
            return _("%(n)d answers included again. Compute the scores again to apply it.") % {"n": n}

        console_step(
            self,
            request,
            lambda: services.responses_review(
                responses=list(queryset), by=request.user, excluded=excluded, reason=form.cleaned_data["reason"]
            ),
            done,
        )
        return None

    @admin.action(description=_("Exclude the selected answers from the count (with a reason)"))
    def exclude_answers(self, request, queryset):
        return self.review(request, queryset, excluded=True)

    @admin.action(description=_("Count the selected answers again (with a reason)"))
    def include_answers(self, request, queryset):
        return self.review(request, queryset, excluded=False)


@admin.register(ResponseReview)
class ResponseReviewAdmin(ReadOnlyAdmin):
    """The audit of exclusions: read-only for everyone, deleted by no one."""

    view_roles = EVALUATORS
    list_display = ["at", "by", "response", "excluded", "reason"]
    list_filter = ["excluded"]
    list_select_related = ["by", "response__survey__project", "response__survey__cycle"]


@admin.register(InvitationCode)
class InvitationCodeAdmin(ReadOnlyAdmin):
    """The codes handed out: which are used. Created by the survey action "Generate invitation codes"."""

    view_roles = EVALUATORS
    list_display = ["code_printed", "survey", "created_at", "created_by", "used_at"]
    list_filter = [("used_at", admin.EmptyFieldListFilter), "survey__cycle"]
    search_fields = ["survey__project__code"]
    list_select_related = ["survey__project", "survey__cycle", "created_by"]

    @admin.display(description=_("code"), ordering="code")
    def code_printed(self, obj) -> str:
        return obj.printed


@admin.register(ManualIndicator)
class ManualIndicatorAdmin(CycleDataAdmin):
    list_display = ["project", "cycle", "name", "target", "actual", "unit", "score"]
    list_filter = ["cycle"]
    search_fields = ["project__code", "name"]
    readonly_fields = ["score"]
    raw_id_fields = ["project"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(CycleDataAdmin):
    list_display = ["project", "cycle", "kind", "raw_value", "score", "basis"]
    list_filter = ["cycle", "kind"]
    search_fields = ["project__code"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # computed by cycle_compute only

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class InspectionItemInline(ScopedInlineMixin, admin.TabularInline):
    model = InspectionItem
    extra = 3


class InspectionPhotoInline(ScopedInlineMixin, admin.TabularInline):
    model = InspectionPhoto
    extra = 1


@admin.register(Inspection)
class InspectionAdmin(CycleDataAdmin):
    list_display = ["project", "cycle", "inspected_on", "representative_count", "score", "signed_off_at"]
    list_filter = ["cycle"]
    search_fields = ["project__code", "project__title"]
    readonly_fields = ["signed_off_by", "signed_off_at"]
    raw_id_fields = ["project"]
    inlines = [InspectionItemInline, InspectionPhotoInline]
    actions = ["sign_off"]

    @admin.action(description=_("Sign off the selected acceptances"), permissions=["change"])
    def sign_off(self, request, queryset):
        for inspection in queryset.select_related("cycle"):
            console_step(
                self,
                request,
                lambda i=inspection: services.inspection_sign_off(inspection=i, by=request.user),
                _("Signed off."),
            )


def department_projects(request):
    return Project.objects.for_department(request.user.department_id).values("pk")


@admin.register(Scorecard)
class ScorecardAdmin(ScopedModelAdmin):
    view_roles = EVALUATORS | DEPARTMENT_VIEWERS
    edit_roles = frozenset()
    list_display = ["project", "cycle", "total", "grade", "rank_in_category", "rank_in_district", "change"]
    list_filter = ["cycle", "grade", "project__district", "project__category"]
    search_fields = ["project__code", "project__title"]
    list_select_related = ["project", "cycle"]

    def scope(self, request, queryset):
        return queryset if is_evaluator(request) else queryset.filter(project__in=department_projects(request))


def _checked_photo(form, name: str):
    photo = form.cleaned_data.get(name)
    if photo:
        check_photo(photo)  # the residents' limits (size, pixels, type), before any row is written
    return photo


class OrderForm(forms.ModelForm):
    # Offered by `RectificationOrderAdmin.get_fields` to whom may add each kind while the order is open.
    after_photo = forms.ImageField(label=_("Photo of the result (“after”)"), required=False)
    after_caption = forms.CharField(label=_("What the “after” photo shows"), max_length=120, required=False)
    before_photo = forms.ImageField(label=_("Photo of the finding (“before”)"), required=False)
    before_caption = forms.CharField(label=_("What the “before” photo shows"), max_length=120, required=False)

    def clean_response(self) -> str:
        response = self.cleaned_data.get("response", "").strip()
        if "response" in self.changed_data and not response:
            raise ValidationError(_("Describe what was rectified."))
        return response

    def clean_after_photo(self):
        return _checked_photo(self, "after_photo")

    def clean_before_photo(self):
        return _checked_photo(self, "before_photo")


ORDER_FIELDS = [
    "cycle", "project", "department", "responsible_person", "findings_shown", "findings", "deadline",
    "deadline_state", "status", "requires_after_photo", "answer_shown", "response", "verification_shown",
    "verification_note",
]  # fmt: skip
SHOWN_FIELDS = ["findings_shown", "deadline_state", "answer_shown", "verification_shown"]
AFTER_FIELDS = ["after_photo", "after_caption"]
BEFORE_FIELDS = ["before_photo", "before_caption"]


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue (not answered by the deadline)")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.exclude(pk__in=queryset.overdue().values("pk"))
        return queryset


@admin.register(RectificationOrder)
class RectificationOrderAdmin(ScopedModelAdmin):
    form = OrderForm
    change_form_template = "admin/evaluation/rectificationorder/change_form.html"
    view_roles = EVALUATORS | DEPARTMENT_VIEWERS
    edit_roles = EVALUATORS | {Role.OFFICIAL, Role.MANAGER}
    list_display = ["project", "cycle", "department", "responsible_person", "deadline", "deadline_state", "status"]
    list_filter = [OverdueFilter, "status", "cycle", "department"]
    search_fields = ["project__code", "responsible_person"]
    # The console's home links to the orders due soon or overdue (evaluation/home.py).
    extra_lookups = ("deadline__gte", "deadline__lte", "deadline__lt")
    list_select_related = ["project", "cycle", "department"]
    actions = ["verify_rectified", "escalate"]

    def scope(self, request, queryset):
        return queryset if is_evaluator(request) else queryset.for_department(request.user.department_id)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("answered_by", "verified_in")

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # issued by the cycle step "issue orders"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _answerable(self, request, obj) -> bool:
        return obj is None or (obj.is_open and services.may_answer(request.user, obj))

    def get_fields(self, request, obj=None):
        # Only what the order's state allows: a verified order shows its answer and verification, read-only.
        answerable = obj is not None and self._answerable(request, obj) and self.has_change_permission(request, obj)
        fields = [f for f in ORDER_FIELDS if answerable or f != "response"]
        if not (is_evaluator(request) and obj is not None and obj.is_open):
            fields.remove("verification_note")
        if answerable:
            fields += AFTER_FIELDS
            if services.may_add_photo(request.user, obj, PhotoKind.BEFORE):
                fields += BEFORE_FIELDS
        return fields

    def get_readonly_fields(self, request, obj=None):
        # A verified order's answer is part of the record: nobody rewrites or blanks it.
        answerable = self._answerable(request, obj)
        writable = {"response", *AFTER_FIELDS, *BEFORE_FIELDS} if answerable else set()
        if not is_evaluator(request):
            return [f for f in self.get_fields(request, obj) if f not in writable]
        locked = ["cycle", "project", "status", *SHOWN_FIELDS]
        if not answerable:
            locked += ["response", "requires_after_photo"]
        if obj is not None and obj.cycle.is_locked:
            locked += ["department", "responsible_person", "findings", "deadline"]
        return locked

    def _photos(self, obj, kind: str) -> list:
        return [p for p in obj.photos.all() if p.kind == kind] if obj and obj.pk else []

    @admin.display(description=_("findings"))
    def findings_shown(self, obj) -> str:
        # Photos served by /files/…, which asks this page whether the user may see the order (evaluation/files.py).
        context = {"order": obj, "before": self._photos(obj, PhotoKind.BEFORE)}
        return render_to_string("admin/evaluation/rectificationorder/findings.html", context)

    @admin.display(description=_("The department's answer"))
    def answer_shown(self, obj) -> str:
        answered_at = timezone.localtime(obj.answered_at).strftime("%Y-%m-%d %H:%M") if obj.answered_at else ""
        context = {"order": obj, "after": self._photos(obj, PhotoKind.AFTER), "answered_at": answered_at}
        return render_to_string("admin/evaluation/rectificationorder/answer.html", context)

    @admin.display(description=_("Verification"))
    def verification_shown(self, obj) -> str:
        if not obj.verified_in_id:
            return _("Not verified yet: an order is verified in a later review cycle.")
        if obj.status == OrderStatus.ESCALATED:
            outcome = _("Verified in %(cycle)s: not rectified, escalated to an accountability record.")
        else:
            outcome = _("Verified in %(cycle)s: rectified, the order is closed.")
        # The evaluator's words escaped, in paragraphs (linebreaks returns plain text: format_html escaped its tags).
        note = mark_safe(linebreaks(obj.verification_note, autoescape=True))  # noqa: S308 — escaped above
        return format_html("<p>{}</p>{}", outcome % {"cycle": obj.verified_in}, note)

    @admin.display(description=_("deadline state"))
    def deadline_state(self, obj) -> str:
        if obj.is_overdue:
            days = obj.days_overdue()
            text = ngettext("Overdue by %(n)d day", "Overdue by %(n)d days", days) % {"n": days}
            return format_html('<span class="order-overdue">{}</span>', text)
        if obj.status == OrderStatus.ISSUED:
            days = (obj.deadline - timezone.localdate()).days
            return (
                _("Due today") if days == 0 else ngettext("Due in %(n)d day", "Due in %(n)d days", days) % {"n": days}
            )
        return obj.get_status_display()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, object_id)
        cycle = self.verifying_cycle_for(request, order)
        extra = {**(extra_context or {}), "may_verify": cycle is not None, "verifying_cycle": cycle}
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def verifying_cycle_for(self, request, order):
        """The cycle in which this evaluator can verify this order now, or None (then no verify buttons)."""
        if order is None or not is_evaluator(request) or not order.is_open:
            return None
        cycle = selectors.verifying_cycle()
        later = cycle is not None and (cycle.year, cycle.quarter) > (order.cycle.year, order.cycle.quarter)
        return cycle if later else None

    def get_urls(self):
        verify = path(
            "<int:order_id>/verify/", self.admin_site.admin_view(self.verify_view), name="evaluation_order_verify"
        )
        return [verify, *super().get_urls()]

    def verify_view(self, request, order_id: int):
        if not is_evaluator(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        order = get_object_or_404(self.get_queryset(request), pk=order_id)
        cycle = self.verifying_cycle_for(request, order)
        note = request.POST.get("note", "").strip()
        if cycle is None or not note:
            problem = (
                _("Open the next cycle to verify orders in it.")
                if cycle is None
                else _("Say what the verification found.")
            )
            self.message_user(request, problem, messages.ERROR)
        else:
            rectified = request.POST.get("outcome") == "rectified"
            console_step(
                self,
                request,
                lambda: services.order_verify(
                    order=order, cycle=cycle, by=request.user, rectified=rectified, note=note
                ),
                _("Order verified."),
            )
        return redirect("admin:evaluation_rectificationorder_change", order.pk)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        after = {"photo": data.get("after_photo"), "caption": data.get("after_caption", "")}
        if "response" in form.changed_data:  # the form refused a blank answer (OrderForm)
            services.order_answer(order=obj, by=request.user, response=data["response"], **after)
        elif after["photo"]:
            services.order_photo_add(
                order=obj, by=request.user, kind=PhotoKind.AFTER, image=after["photo"], caption=after["caption"]
            )
        if data.get("before_photo"):
            services.order_photo_add(
                order=obj,
                by=request.user,
                kind=PhotoKind.BEFORE,
                image=data["before_photo"],
                caption=data.get("before_caption", ""),
            )
        if not is_evaluator(request):
            return
        super().save_model(request, obj, form, change)

    def get_actions(self, request):
        return super().get_actions(request) if is_evaluator(request) else {}

    def verify(self, request, queryset, rectified: bool) -> None:
        cycle = selectors.verifying_cycle()
        if cycle is None:
            self.message_user(request, _("Open the next cycle to verify orders in it."), messages.ERROR)
            return
        for order in queryset.select_related("cycle"):
            console_step(
                self,
                request,
                lambda o=order: services.order_verify(
                    order=o, cycle=cycle, by=request.user, rectified=rectified, note=o.verification_note
                ),
                _("Order verified."),
            )

    @admin.action(description=_("Verified: rectified, close the order"))
    def verify_rectified(self, request, queryset):
        self.verify(request, queryset, rectified=True)

    @admin.action(description=_("Not rectified: escalate to an accountability record"))
    def escalate(self, request, queryset):
        self.verify(request, queryset, rectified=False)


@admin.register(AccountabilityRecord)
class AccountabilityRecordAdmin(ScopedModelAdmin):
    view_roles = EVALUATORS | DEPARTMENT_VIEWERS
    edit_roles = frozenset()
    list_display = ["person", "department", "order", "recorded_at"]
    list_select_related = ["department", "order", "order__project"]

    def scope(self, request, queryset):
        return queryset if is_evaluator(request) else queryset.filter(department_id=request.user.department_id)


@admin.register(DepartmentReport)
class DepartmentReportAdmin(ScopedModelAdmin):
    view_roles = EVALUATORS | DEPARTMENT_VIEWERS
    edit_roles = frozenset()
    list_display = ["cycle", "department", "pdf_link", "xlsx_link", "built_at", "emailed_at"]
    list_select_related = ["cycle", "department"]

    def scope(self, request, queryset):
        return queryset if is_evaluator(request) else queryset.filter(department_id=request.user.department_id)

    # The files are served by /files/…, which asks this page's has_view_permission (evaluation/files.py).
    @admin.display(description=_("PDF"))
    def pdf_link(self, obj) -> str:
        return format_html('<a href="{}">{}</a>', obj.pdf.url, _("Download PDF")) if obj.pdf else "—"

    @admin.display(description=_("spreadsheet"))
    def xlsx_link(self, obj) -> str:
        return format_html('<a href="{}">{}</a>', obj.xlsx.url, _("Download spreadsheet")) if obj.xlsx else "—"
