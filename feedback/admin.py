"""The department queue and the feedback directory in the console.

Officials see only their own department's reports, overdue first. Every action calls a
service: the console never writes a report's status itself.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicworks.accounts.models import DEPARTMENT_ROLES, Role
from civicworks.admin import ReadOnlyAdmin, ScopedModelAdmin
from civicworks.permissions import has_role, is_city_admin
from projects.models import Department

from . import privacy, selectors, services
from .models import (
    OPEN_STATUSES,
    ApiKey,
    ContactDisclosure,
    GridArea,
    Report,
    ReportEvent,
    ResponseTemplate,
    RoutingRule,
    ServiceCategory,
)

HANDLERS = frozenset(DEPARTMENT_ROLES)
CITY = frozenset({Role.CITY_ADMIN})
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
    view_roles = HANDLERS
    edit_roles = HANDLERS
    list_display = ["title", "department"]

    def scope(self, request, queryset: QuerySet) -> QuerySet:
        return queryset.filter(department_id=request.user.department_id)

    def save_model(self, request, obj, form, change):
        if not is_city_admin(request.user):
            obj.department_id = request.user.department_id
        super().save_model(request, obj, form, change)

    def get_exclude(self, request, obj=None):
        return [] if is_city_admin(request.user) else ["department"]


class EventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "department", "actor", "note", "is_public"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return admin.site._registry[Report].has_view_permission(request, obj)


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("open", pgettext_lazy("report", "Open"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now())
        if self.value() == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset


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

    def __init__(self, *args, department_id=None, photo_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ResponseTemplate.objects.filter(
            Q(department_id=department_id) | Q(department__isnull=True)
        )
        if photo_required:
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


@admin.register(Report)
class ReportAdmin(ScopedModelAdmin):
    """The department queue (工单): open first, overdue first, then by deadline."""

    view_roles = HANDLERS | {Role.EVALUATOR}
    edit_roles = HANDLERS
    list_display = [
        "reference",
        "category",
        "status",
        "department",
        "due_at",
        "overdue",
        "district",
        "submitted_at",
    ]
    list_filter = [OverdueFilter, "status", "category", "district", "channel", "is_hidden"]
    # Never the tracking code (the resident's key): searched, filtered or shown, it would let staff
    # find the code of a report, then confirm and rate it as the resident. By number instead.
    search_fields = ["text", "address"]
    # The hotspot page links to the reports behind a cell (feedback.hotspots.console_url). Nothing
    # else narrows the list (the console site's rule): not the code, not the reporter's fields.
    extra_lookups = (
        "submitted_at__date__gte", "submitted_at__date__lte", "category__id__exact",
        "latitude__gte", "latitude__lt", "longitude__gte", "longitude__lt",
    )  # fmt: skip
    list_select_related = ["category", "department", "district"]
    inlines = [EventInline]
    actions = ["accept_selected", "close_selected", "hide_selected"]
    change_form_template = "admin/feedback/report/change_form.html"
    change_list_template = "admin/feedback/report/change_list.html"
    readonly_fields = [
        "reference", "kind", "category", "text", "text_is_public", "latitude", "longitude", "address",
        "district", "community", "grid_area", "grid_worker", "project", "channel", "taken_by", "status",
        "department", "due_at", "submitted_at", "dispatched_at", "accepted_at", "resolved_at", "closed_at",
        "answer", "is_hidden", "hidden_reason", "rating", "rating_comment",
    ]  # fmt: skip
    exclude = ["reporter", "reporter_name", "reporter_phone", "reporter_email"]
    view_on_site = False  # the change form links to the public page itself ("Public page")

    def scope(self, request, queryset: QuerySet) -> QuerySet:
        if request.user.role == Role.EVALUATOR:
            return queryset
        return queryset.for_department(request.user.department_id)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        is_open = Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField())
        return queryset.annotate(open_first=is_open).order_by("open_first", "due_at", "-submitted_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # reports come in through the form, the API, Open311 or the window form

    @admin.display(description=_("number"), ordering="pk")
    def reference(self, obj: Report) -> str:
        return obj.reference

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if (number := report_number(search_term)) is not None:
            results |= queryset.filter(pk=number)
        return results, may_have_duplicates

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # hidden, never deleted

    @admin.display(description=_("overdue"))
    def overdue(self, obj: Report) -> str:
        # Words, not the admin's boolean icons: a green tick on an overdue report reads as "fine".
        return _("Overdue") if obj.is_overdue() else ""

    def get_readonly_fields(self, request, obj=None):
        # Only the handling department (and the city) sees who reported; evaluators do not.
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["contact"] if obj is not None and services.may_handle(request.user, obj) else fields

    @admin.display(description=_("reporter contact"))
    def contact(self, obj: Report) -> str:
        # Masked by default; "Show contact details" (contact_view) shows them in full, logged.
        return privacy.masked_contact(obj)

    def changelist_view(self, request, extra_context=None):
        # Department staff see newly dispatched reports arrive without reloading (live.js).
        extra = {**(extra_context or {}), "live_queue": has_role(request.user, *DEPARTMENT_ROLES)}
        return super().changelist_view(request, extra_context=extra)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, object_id)
        extra = extra_context or {}
        if report is not None:
            extra["may_handle"] = services.may_handle(request.user, report)
            extra["has_contact"] = privacy.has_contact(report)
            extra["transfer_form"] = TransferForm()
            extra["answer_form"] = AnswerForm(
                department_id=report.department_id, photo_required=report.category.requires_after_photo
            )
        return super().change_view(request, object_id, form_url, extra_context=extra)

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
            form = AnswerForm(request.POST, request.FILES, department_id=report.department_id)
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
        self._bulk(request, queryset, services.report_hide, reason=str(_("Hidden by staff")))


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
