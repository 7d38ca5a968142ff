"""The officials' console for projects.

An official sees and edits only the projects their department leads or co-organises
(`Project.objects.for_department`); inlines ask the project's page, so the chain,
milestones, updates and money of another department's project are out of reach too.
Every change is kept by django-simple-history with its author (the request's user).
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from civicworks.accounts.models import DEPARTMENT_ROLES, Role
from civicworks.admin import ScopedHistoryAdmin, ScopedInlineMixin, ScopedModelAdmin
from civicworks.money import money
from civicworks.permissions import is_city_admin

from . import selectors, services
from .models import (
    BudgetAllocation,
    Community,
    Department,
    District,
    Expenditure,
    Milestone,
    ProgressUpdate,
    Project,
    ProjectCategory,
    ResponsiblePerson,
)

CITY = frozenset({Role.CITY_ADMIN})
STAFF_READERS = frozenset(DEPARTMENT_ROLES | {Role.EVALUATOR})


class CityDirectoryAdmin(ScopedModelAdmin):
    """The directory: every staff member reads it, only the city administrator edits it."""

    view_roles = STAFF_READERS
    edit_roles = CITY


@admin.register(Department)
class DepartmentAdmin(CityDirectoryAdmin):
    list_display = ["name", "code", "parent", "dispatch_email", "is_default_desk"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["is_default_desk"]
    search_fields = ["name", "code"]


class CommunityInline(ScopedInlineMixin, admin.TabularInline):
    model = Community
    extra = 0
    fields = ["name"]


@admin.register(District)
class DistrictAdmin(CityDirectoryAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    inlines = [CommunityInline]


@admin.register(Community)
class CommunityAdmin(CityDirectoryAdmin):
    list_display = ["name", "district"]
    list_filter = ["district"]
    search_fields = ["name"]


@admin.register(ProjectCategory)
class ProjectCategoryAdmin(CityDirectoryAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class ProjectInline(ScopedInlineMixin):
    extra = 0


class PersonInline(ProjectInline, admin.StackedInline):
    # Eight columns in a table made the page 1,991 px wide: each person is a card of three lines,
    # who they are, where they sit, how to reach them.
    model = ResponsiblePerson
    editors_may_delete = True
    fields = [("role", "name", "title"), ("department", "user"), ("phone", "email", "contact_is_public")]
    raw_id_fields = ["user"]
    classes = ["projects-chain"]


class MilestoneInline(ProjectInline, admin.TabularInline):
    model = Milestone
    editors_may_delete = True
    fields = ["order", "title", "planned_date", "actual_date"]


class UpdateInline(ProjectInline, admin.StackedInline):
    model = ProgressUpdate
    fields = [("created_at", "author"), ("stage", "percent_complete"), "text", "photo"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 60})}}
    # The time is when it was posted (to the microsecond): a hand-typed time with no seconds could
    # sort a new update before one posted earlier in the same minute and leave the project behind.
    readonly_fields = ["created_at", "author"]
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class AllocationInline(ProjectInline, admin.TabularInline):
    model = BudgetAllocation
    fields = ["date", "amount", "source"]


class ExpenditureInline(ProjectInline, admin.TabularInline):
    model = Expenditure
    fields = ["date", "amount", "payee", "purpose", "voucher_number", "attachment", "recorded_by"]
    readonly_fields = ["recorded_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class OverBudgetFilter(admin.SimpleListFilter):
    title = _("money")
    parameter_name = "money"

    def lookups(self, request, model_admin):
        return [("over", _("Over budget"))]

    def queryset(self, request, queryset):
        return queryset.filter(over_budget=True) if self.value() == "over" else queryset


class OverdueFilter(admin.SimpleListFilter):
    title = _("schedule")
    parameter_name = "schedule"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue milestones")), ("behind", _("Behind schedule"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.filter(overdue_milestones__gt=0)
        if self.value() == "behind":
            today = timezone.localdate()
            return queryset.filter(planned_end__lt=today, stage__in=selectors.open_stages())
        return queryset


@admin.register(Project)
class ProjectAdmin(ScopedHistoryAdmin):
    view_roles = STAFF_READERS
    edit_roles = services.WRITER_ROLES
    list_display = ["code", "title", "stage", "percent_complete", "lead_unit", "district", "money", "schedule"]
    list_filter = [OverBudgetFilter, OverdueFilter, "stage", "year", "district", "category", "lead_unit"]
    search_fields = ["code", "title", "description"]
    date_hierarchy = "planned_end"
    list_select_related = ["lead_unit", "district"]
    filter_horizontal = ["co_organisers"]
    inlines = [PersonInline, MilestoneInline, UpdateInline, AllocationInline, ExpenditureInline]
    # The history page shows what each version said, not only that something changed.
    history_list_display = ["stage", "percent_complete", "budget", "expected_completion"]
    fieldsets = [
        (None, {"fields": ["code", "title", "description", "category", "year", "is_public"]}),
        (_("Place"), {"fields": ["district", "community", "latitude", "longitude", "geometry"]}),
        (_("Responsibility"), {"fields": ["lead_unit", "co_organisers"]}),
        (
            _("Schedule"),
            {"fields": ["stage", "percent_complete", "planned_start", "planned_end", "expected_completion"]},
        ),
        (_("Completion and money"), {"fields": ["actual_completion", "budget", "funding_sources", "beneficiaries"]}),
    ]

    class Media:
        css = {"all": ["projects/console.css"]}

    def scope(self, request, queryset: QuerySet) -> QuerySet:
        # Evaluators review every project (read only); department staff their own department's.
        if request.user.role == Role.EVALUATOR:
            return queryset
        return queryset.filter(pk__in=Project.objects.for_department(request.user.department_id).values("pk"))

    def get_queryset(self, request):
        return selectors.with_figures(super().get_queryset(request))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # `obj` was read through get_queryset, so it carries the figures the list's filters use.
        if obj is not None and hasattr(obj, "spent"):
            context["summary"] = selectors.project_summary(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_readonly_fields(self, request, obj=None):
        # The chain of units is the city's decision: an official cannot hand a project on.
        return [] if is_city_admin(request.user) else ["lead_unit", "co_organisers"]

    @admin.display(description=_("money"), ordering="spent")
    def money(self, obj: Project) -> str:
        label = f"{money(obj.spent)} / {money(obj.budget)}"
        if obj.over_budget:
            return format_html('<strong class="projects-alert">⚠ {} {}</strong>', _("Over budget"), label)
        return label

    @admin.display(description=_("schedule"))
    def schedule(self, obj: Project) -> str:
        parts = []
        if obj.overdue_milestones:
            parts.append(_("%(n)d overdue milestone(s)") % {"n": obj.overdue_milestones})
        if behind := obj.days_behind():
            parts.append(_("%(n)d days behind") % {"n": behind})
        if not parts:
            return "—"
        return format_html('<strong class="projects-alert">⚠ {}</strong>', "; ".join(str(p) for p in parts))

    def save_model(self, request, obj, form, change):
        if not change and not is_city_admin(request.user):
            obj.lead_unit_id = request.user.department_id
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        rows = formset.save(commit=False)
        for row in rows:
            if isinstance(row, ProgressUpdate) and row.author_id is None:
                row.author = request.user
            if isinstance(row, Expenditure) and row.recorded_by_id is None:
                row.recorded_by = request.user
            row.save()
        for row in formset.deleted_objects:
            row.delete()
        formset.save_m2m()
        if formset.model is ProgressUpdate and (rows or formset.deleted_objects):
            services.project_sync_progress(project=form.instance, by=request.user)


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ScopedHistoryAdmin):
    """Rows across the department's projects with their history (read here, write on the project page)."""

    view_roles = STAFF_READERS
    edit_roles = frozenset()
    list_display = ["project", "created_at", "stage", "percent_complete", "author"]
    list_filter = ["stage"]
    search_fields = ["project__code", "project__title", "text"]
    date_hierarchy = "created_at"
    list_select_related = ["project", "author"]

    def scope(self, request, queryset):
        if request.user.role == Role.EVALUATOR:
            return queryset
        return queryset.filter(project__in=Project.objects.for_department(request.user.department_id).values("pk"))


class ProjectRowAdmin(ProgressUpdateAdmin):
    """A project's dated rows (payments, milestones, allocations): no filter beyond the date."""

    list_filter = []
    list_select_related = ["project"]


@admin.register(Expenditure)
class ExpenditureAdmin(ProjectRowAdmin):
    list_display = ["project", "date", "amount", "payee", "purpose", "voucher_number", "recorded_by"]
    search_fields = ["project__code", "payee", "purpose", "voucher_number"]
    date_hierarchy = "date"
    list_select_related = ["project", "recorded_by"]


@admin.register(Milestone)
class MilestoneAdmin(ProjectRowAdmin):
    list_display = ["project", "order", "title", "planned_date", "actual_date"]
    search_fields = ["project__code", "title"]
    date_hierarchy = "planned_date"
    # The console's home links to the milestones due soon or overdue (projects/home.py).
    extra_lookups = ("planned_date__gte", "planned_date__lte", "planned_date__lt", "actual_date__isnull")


@admin.register(BudgetAllocation)
class BudgetAllocationAdmin(ProjectRowAdmin):
    list_display = ["project", "date", "amount", "source"]
    search_fields = ["project__code", "source"]
    date_hierarchy = "date"


@admin.register(ResponsiblePerson)
class ResponsiblePersonAdmin(ProgressUpdateAdmin):
    list_display = ["project", "role", "name", "title", "department", "contact_is_public"]
    list_filter = ["role"]
    search_fields = ["project__code", "name"]
    date_hierarchy = None
    list_select_related = ["project", "department"]
