"""The department queue and the feedback directory in the console.

Officials see only their own department's reports, overdue first. Every action calls a
service: the console never writes a report's status itself.
"""

import json
import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicworks.accounts.models import DEPARTMENT_ROLES, Role
from civicworks.admin import ReadOnlyAdmin, ScopedModelAdmin
from civicworks.permissions import has_role, is_city_admin
from projects.models import Department

from . import console, privacy, selectors, services
from .console import deadline_label
from .home import deadline_rules
from .models import (
    OPEN_STATUSES,
    ApiKey,
    ContactDisclosure,
    GridArea,
    Report,
    ReportPhoto,
    ReportStep,
    ResponseTemplate,
    RoutingRule,
    ServiceCategory,
)

HANDLERS = frozenset(DEPARTMENT_ROLES)
CITY = frozenset({Role.CITY_ADMIN})
EXCERPT_CHARS = 60
# No console list filters on these, whatever the query string says (search does not cover them either).


def report_number(search_term: str) -> int | None:
    """`1234` or `#1234` (a report's reference) → 1234; anything else → None."""
    match = re.fullmatch(r"\s*#?\s*(\d{1,9})\s*", search_term or "")
    return int(match[1]) if match else None


class CityDirectoryAdmin(ScopedModelAdmin):
    """Directory pages: department staff read them, the city administrator edits them."""

    view_roles = HANDLERS | {Role.EVALUATOR, Role.SUPERVISOR}
    edit_roles = CITY


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(CityDirectoryAdmin):
    list_display = ["name", "code", "department", "sla_hours", "requires_after_photo", "is_active"]
    list_filter = ["department", "is_active", "requires_after_photo"]
    search_fields = ["name", "code"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(CityDirectoryAdmin):
    list_display = ["category", "district", "department"]
    list_filter = ["district", "department"]


@admin.register(GridArea)
class GridAreaAdmin(CityDirectoryAdmin):
    list_display = ["name", "district", "community", "grid_worker"]
    list_filter = ["district"]
    raw_id_fields = ["grid_worker"]


@admin.register(ApiKey)
class ApiKeyAdmin(ScopedModelAdmin):
    view_roles = CITY
    edit_roles = CITY
    list_display = ["name", "key", "is_active", "created_at"]
    readonly_fields = ["key", "created_at"]


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(ScopedModelAdmin):
    """Canned answers per category: the department's officials use them, its managers write them."""

    view_roles = HANDLERS
    edit_roles = frozenset({Role.MANAGER})
    list_display = ["title", "category", "department"]
    list_filter = ["category"]
    list_select_related = ["category", "department"]
    search_fields = ["title", "text"]

    def scope(self, request, queryset: QuerySet) -> QuerySet:
        return queryset.filter(department_id=request.user.department_id)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category" and not is_city_admin(request.user):
            # A department writes answers for the reports it handles.
            kwargs["queryset"] = ServiceCategory.objects.filter(department_id=request.user.department_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not is_city_admin(request.user):
            obj.department_id = request.user.department_id
        super().save_model(request, obj, form, change)

    def get_exclude(self, request, obj=None):
        return [] if is_city_admin(request.user) else ["department"]


class DeadlineFilter(admin.SimpleListFilter):
    """The queue by deadline; the console's home counts with the same rules (feedback/home.py)."""

    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [
            ("new", _("New (not accepted yet)")),
            ("due_soon", _("Due in the next 24 hours")),
            ("overdue", _("Overdue")),
            ("open", pgettext_lazy("report", "Open")),
        ]

    def queryset(self, request, queryset):
        rule = deadline_rules(timezone.now()).get(self.value())
        return queryset if rule is None else queryset.filter(rule)


class TransferForm(forms.Form):
    department = forms.ModelChoiceField(label=_("To department"), queryset=Department.objects.all())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Response template"), queryset=ResponseTemplate.objects.none(), required=False
    )
    answer = forms.CharField(
        label=_("Answer to the resident"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    photo = forms.ImageField(label=_("Photo of the result"), required=False)

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        # The department's templates (and the city's) for this category (and for every category).
        templates = ResponseTemplate.objects.filter(
            Q(department_id=report.department_id) | Q(department__isnull=True),
            Q(category_id=report.category_id) | Q(category__isnull=True),
        )
        self.fields["template"].queryset = templates
        # Choosing a template fills the answer (feedback/console-report.js); without JavaScript an
        # empty answer takes the template's text (`clean`).
        texts = {str(t.pk): t.text for t in templates}
        self.fields["template"].widget.attrs["data-texts"] = json.dumps(texts, ensure_ascii=False)
        if report.category.requires_after_photo:
            # Said beside the field and asked by the browser; the service refuses an answer without it.
            self.fields["photo"].widget.attrs["required"] = True
            self.fields["photo"].help_text = _("This category needs a photo of the result (“after”).")

    def clean(self):
        data = super().clean()
        if not data.get("answer") and data.get("template"):
            data["answer"] = data["template"].text
        if not data.get("answer"):
            raise ValidationError(_("Please write the answer or choose a template."))
        return data


# The report's record below its summary, read only: dates and flags the services set.
RECORD_FIELDS = [
    "reference", "kind", "channel", "taken_by_name", "text_is_public", "latitude", "longitude", "address",
    "district", "community", "grid_area", "submitted_at", "dispatched_at", "accepted_at", "resolved_at",
    "closed_at", "rating", "rating_comment", "rated_at", "fixed_asked_at", "fixed_answer", "fixed_answered_at",
    "is_hidden", "hidden_reason", "anonymised_at",
]  # fmt: skip


@admin.register(Report)
class ReportAdmin(ScopedModelAdmin):
    """The department queue (工单): open first, overdue first, then by deadline."""

    view_roles = HANDLERS | {Role.EVALUATOR}
    edit_roles = HANDLERS
    list_display = [
        "reference",
        "excerpt",
        "thumbnail",
        "category",
        "status",
        "department",
        "deadline",
        "project_link",
        "district",
        "submitted_at",
    ]
    list_filter = [DeadlineFilter, "status", "category", "district", "channel", "is_hidden"]
    # Never the tracking code (the resident's key): searched, filtered or shown, it would let staff
    # find the code of a report, then confirm and rate it as the resident. By number instead.
    search_fields = ["text", "address"]
    # The hotspot page links to the reports behind a cell (feedback.hotspots.console_url); the
    # console's home to a month's reports. Nothing else narrows the list (the console site's rule):
    # not the code, not the reporter's fields.
    extra_lookups = (
        "submitted_at__date__gte", "submitted_at__date__lte", "category__id__exact",
        "latitude__gte", "latitude__lt", "longitude__gte", "longitude__lt",
    )  # fmt: skip
    list_select_related = ["category", "department", "district", "project"]
    actions = ["accept_selected", "close_selected", "hide_selected"]
    change_form_template = "admin/feedback/report/change_form.html"
    change_list_template = "admin/feedback/report/change_list.html"
    fieldsets = [(_("Record"), {"classes": ["collapse"], "fields": RECORD_FIELDS})]
    readonly_fields = RECORD_FIELDS
    view_on_site = False  # the change form links to the public page itself ("Public page")

    def scope(self, request, queryset: QuerySet) -> QuerySet:
        if request.user.role == Role.EVALUATOR:
            return queryset
        return queryset.for_department(request.user.department_id)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        is_open = Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField())
        # The resident's photos, one query for the whole page (the queue's thumbnails).
        before = Prefetch("photos", queryset=ReportPhoto.objects.filter(is_answer=False), to_attr="before_photos")
        return (
            queryset.annotate(open_first=is_open)
            .prefetch_related(before)
            .order_by("open_first", "due_at", "-submitted_at")
        )

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # reports come in through the form, the API, Open311 or the window form

    @admin.display(description=_("number"), ordering="pk")
    def reference(self, obj: Report) -> str:
        return obj.reference

    @admin.display(description=_("description"))
    def excerpt(self, obj: Report) -> str:
        return Truncator(obj.text).chars(EXCERPT_CHARS)

    @admin.display(description=_("photo"))
    def thumbnail(self, obj: Report) -> str:
        photo = next(iter(getattr(obj, "before_photos", [])), None)
        if photo is None:
            return ""
        return format_html(
            '<img class="console-thumb" src="{}" alt="{}" width="64" height="48" loading="lazy">',
            photo.thumbnail.url,
            photo.alt_text,
        )

    @admin.display(description=_("deadline"), ordering="due_at")
    def deadline(self, obj: Report) -> str:
        # Words, not the admin's boolean icons: a green tick on an overdue report reads as "fine".
        label = deadline_label(obj, depth=1)
        return format_html('<strong class="console-alert">{}</strong>', label) if obj.is_overdue() else label

    @admin.display(description=_("project"), ordering="project__code")
    def project_link(self, obj: Report) -> str:
        return obj.project.code if obj.project_id else ""

    @admin.display(description=_("taken at the window by"))
    def taken_by_name(self, obj: Report) -> str:
        return obj.taken_by.public_name if obj.taken_by_id else "—"

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if (number := report_number(search_term)) is not None:
            results |= queryset.filter(pk=number)
        return results, may_have_duplicates

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # hidden, never deleted

    def changelist_view(self, request, extra_context=None):
        # Department staff see newly dispatched reports arrive without reloading (live.js).
        extra = {**(extra_context or {}), "live_queue": has_role(request.user, *DEPARTMENT_ROLES)}
        return super().changelist_view(request, extra_context=extra)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The page changes nothing itself: every change is a step with its own form and service.
        if request.method == "POST":
            raise PermissionDenied
        report = self.get_object(request, object_id)
        extra = {**(extra_context or {}), **(self._page(request, report) if report is not None else {})}
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def _page(self, request, report: Report) -> dict:
        """The report page beyond its record: summary, photos, map, timeline, the steps its state allows."""
        may_handle = services.may_handle(request.user, report)
        steps = console.allowed_steps(request.user, report)
        return {
            "may_handle": may_handle,
            "steps": steps,
            "deadline_text": console.deadline_label(report),
            "contact": privacy.masked_contact(report) if may_handle else "",
            "has_contact": may_handle and privacy.has_contact(report),
            "photos": selectors.photos_of(report) if console.photos_visible(request.user, report) else None,
            "report_map": console.map_context(report, console.nearby_open(self.get_queryset(request), report)),
            "timeline": selectors.console_timeline(report),
            # What grid workers found on site, with their photos: for the handling department.
            "site_checks": selectors.report_site_checks(report) if may_handle else None,
            "transfer_form": TransferForm() if ReportStep.TRANSFER in steps else None,
            "answer_form": AnswerForm(report=report) if ReportStep.RESOLVE in steps else None,
        }

    def get_urls(self):
        own = [
            path("<int:pk>/do/<str:step>/", self.admin_site.admin_view(self.step_view), name="feedback_report_step"),
            path("figures/", self.admin_site.admin_view(self.figures_view), name="feedback_report_figures"),
            path("<int:pk>/contact/", self.admin_site.admin_view(self.contact_view), name="feedback_report_contact"),
        ]
        return own + super().get_urls()

    def _run(self, request, report: Report, step: str) -> None:
        """One service per step; a form for the ones that need input."""
        if step == "accept":
            services.report_accept(report=report, by=request.user)
        elif step == "close":
            services.report_close(report=report, by=request.user, note=request.POST.get("note", ""))
        elif step == "hide":
            services.report_hide(report=report, by=request.user, reason=request.POST.get("reason", ""))
        elif step == "transfer":
            form = TransferForm(request.POST)
            if not form.is_valid():
                raise ValidationError(list(form.errors.values()))
            services.report_transfer(report=report, by=request.user, **form.cleaned_data)
        elif step == "answer":
            form = AnswerForm(request.POST, request.FILES, report=report)
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            data = form.cleaned_data
            services.report_resolve(report=report, by=request.user, answer=data["answer"], photo=data.get("photo"))
        else:
            raise PermissionDenied

    def step_view(self, request, pk: int, step: str):
        report = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, report):
            raise PermissionDenied
        try:
            self._run(request, report, step)
            self.message_user(request, _("Done."), messages.SUCCESS)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:feedback_report_change", args=[report.pk]))

    def contact_view(self, request, pk: int):
        """POST only: one click, one logged disclosure (a GET could be prefetched or replayed)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        report = get_object_or_404(Report, pk=pk)
        contact = privacy.contact_disclose(report=report, by=request.user)  # PermissionDenied → 403
        context = {
            **self.admin_site.each_context(request),
            "title": _("Contact details of report %(number)s") % {"number": report.reference},
            "opts": Report._meta,
            "report": report,
            "contact": contact,
        }
        return TemplateResponse(request, "admin/feedback/report/contact.html", context)

    def figures_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        period = selectors.period_from(request.GET.get("period", ""))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Figures"),
            "figures": selectors.figures(
                period=period,
                department_id=None
                if is_city_admin(request.user) or request.user.role == Role.EVALUATOR
                else request.user.department_id,
            ),
            "period": period,
        }
        return TemplateResponse(request, "admin/feedback/report/figures.html", context)

    def _bulk(self, request, queryset, service, **kwargs) -> None:
        done = failed = 0
        for report in queryset:
            try:
                service(report=report, by=request.user, **kwargs)
                done += 1
            except (ValidationError, PermissionDenied):
                failed += 1
        self.message_user(request, _("%(done)d done, %(failed)d skipped.") % {"done": done, "failed": failed})

    @admin.action(description=_("Accept the selected reports"))
    def accept_selected(self, request, queryset):
        self._bulk(request, queryset, services.report_accept)

    @admin.action(description=_("Close the selected reports"))
    def close_selected(self, request, queryset):
        self._bulk(request, queryset, services.report_close)

    @admin.action(description=_("Hide the selected reports from the public"))
    def hide_selected(self, request, queryset):
        # No reason typed: the timeline says "hidden" in each reader's language, no words are stored.
        self._bulk(request, queryset, services.report_hide, reason="")


@admin.register(ContactDisclosure)
class ContactDisclosureAdmin(ReadOnlyAdmin):
    """Read-only audit of unmasked contact details: city administrators and supervisors."""

    view_roles = frozenset({Role.SUPERVISOR})
    list_display = ["created_at", "viewer", "report"]
    list_filter = ["created_at"]
    list_select_related = ["viewer", "report"]
    search_fields = ["viewer__username"]
    date_hierarchy = "created_at"

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if (number := report_number(search_term)) is not None:
            results |= queryset.filter(report_id=number)
        return results, may_have_duplicates

    def scope(self, request, queryset: QuerySet) -> QuerySet:
        return queryset.filter(report__department_id=request.user.department_id)
