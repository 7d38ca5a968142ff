"""The participation console: needs to answer and put on the annual list, observer applications,
co-creation votes, the rewards catalogue and redemptions, coordination meetings and action items.

Every state change goes through a service; the console never moves a status or a balance itself.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicworks.accounts.models import DEPARTMENT_ROLES, Role
from civicworks.admin import ReadOnlyAdmin, ScopedInlineMixin, ScopedModelAdmin, refusal_text
from civicworks.permissions import is_city_admin
from projects.models import Department, Project

from . import services
from .models import (
    ActionItem,
    CoCreation,
    DesignOption,
    Meeting,
    Need,
    ObserverApplication,
    PointsEntry,
    Redemption,
    RedemptionStatus,
    RewardItem,
)

HANDLERS = frozenset({Role.OFFICIAL, Role.MANAGER})
DEPARTMENT_STAFF = frozenset(DEPARTMENT_ROLES)


def _each(modeladmin, request, queryset, step, *, refused: str | None = None) -> None:
    """A console action on each selected row: `step(row)`; the rows done are counted, each refusal
    is named with its row. `refused` says why a PermissionDenied was raised (without it, it is a 403)."""
    done, failed = 0, []
    for row in queryset:
        try:
            step(row)
            done += 1
        except ValidationError as exc:
            failed.append(f"{row}: {' '.join(exc.messages)}")
        except PermissionDenied:
            if refused is None:
                raise
            failed.append(f"{row}: {refused}")
    _report(modeladmin, request, done, failed)


def _report(modeladmin, request, done: int, failed: list[str]) -> None:
    if done:
        modeladmin.message_user(request, _("%(count)d done.") % {"count": done}, messages.SUCCESS)
    for message in failed:
        modeladmin.message_user(request, message, messages.ERROR)


# --- Needs -----------------------------------------------------------------------------------


class ToProjectForm(forms.Form):
    project = forms.ModelChoiceField(label=_("Project of the annual list"), queryset=Project.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        projects = Project.objects.all() if is_city_admin(user) else Project.objects.for_department(user.department_id)
        self.fields["project"].queryset = projects.order_by("-year", "code")


@admin.register(Need)
class NeedAdmin(ScopedModelAdmin):
    view_roles = DEPARTMENT_STAFF | {Role.EVALUATOR}
    edit_roles = HANDLERS
    list_display = ["title", "category", "district", "status", "support_count", "created_at"]
    list_filter = ["status", "category", "district"]
    search_fields = ["title", "text"]
    fields = ["title", "text", "category", "district", "community", "latitude", "longitude", "photo",
              "status", "support_count", "linked_projects", "answer", "is_hidden"]  # fmt: skip
    readonly_fields = ["title", "text", "category", "district", "community", "latitude", "longitude", "photo",
                       "status", "support_count", "linked_projects"]  # fmt: skip
    actions = ["to_project"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("category", "district")
            .annotate(supports_total=Count("supports", distinct=True))
        )

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # needs come from residents

    @admin.display(description=_("supports"), ordering="supports_total")
    def support_count(self, obj: Need) -> int:
        return getattr(obj, "supports_total", None) or obj.supports.count()

    @admin.display(description=_("became projects"))
    def linked_projects(self, obj: Need) -> str:
        return "、".join(str(p) for p in obj.projects.all()) or "—"

    def save_model(self, request, obj, form, change):
        if "answer" in form.changed_data and obj.answer.strip():
            try:
                services.need_answer(need=obj, by=request.user, answer=obj.answer)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, refusal_text(exc), messages.ERROR)
        if "is_hidden" in form.changed_data:
            Need.objects.filter(pk=obj.pk).update(is_hidden=obj.is_hidden)

    @admin.action(description=_("Turn the selected needs into a project of the annual list"))
    def to_project(self, request, queryset: QuerySet):
        form = ToProjectForm(request.POST if "apply" in request.POST else None, user=request.user)
        if form.is_valid():
            try:
                count = services.needs_to_project(
                    needs=list(queryset), project=form.cleaned_data["project"], by=request.user
                )
            except PermissionDenied:
                self.message_user(request, _("You may not change this project."), messages.ERROR)
            else:
                self.message_user(request, _("%(count)d needs linked to the project.") % {"count": count})
            return None
        context = {**self.admin_site.each_context(request), "form": form, "needs": queryset, "opts": self.model._meta,
                   "title": _("Turn needs into a project")}  # fmt: skip
        return TemplateResponse(request, "participation/admin/to_project.html", context)


# --- Observers -------------------------------------------------------------------------------


@admin.register(ObserverApplication)
class ObserverApplicationAdmin(ScopedModelAdmin):
    view_roles = HANDLERS
    edit_roles = frozenset({Role.MANAGER})
    list_display = ["user", "community", "status", "created_at", "decided_by"]
    list_filter = ["status", "community__district"]
    readonly_fields = ["user", "community", "motivation", "status", "decided_by", "decided_at", "created_at"]
    actions = ["approve", "reject"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def _decide(self, request, queryset, approve: bool) -> None:
        def decide(application):
            return services.observer_decide(application=application, by=request.user, approve=approve)

        _each(self, request, queryset, decide)

    @admin.action(description=_("Approve: the applicants become citizen observers"))
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Reject the selected applications"))
    def reject(self, request, queryset):
        self._decide(request, queryset, approve=False)


# --- Co-creation -----------------------------------------------------------------------------


class DesignOptionInline(ScopedInlineMixin, admin.StackedInline):
    model = DesignOption
    extra = 2
    fields = ["order", "title", "text", "image", "estimated_cost"]


@admin.register(CoCreation)
class CoCreationAdmin(ScopedModelAdmin):
    view_roles = HANDLERS
    edit_roles = HANDLERS
    list_display = ["question", "project", "opens_at", "closes_at", "winner"]
    readonly_fields = ["winner", "decided_at"]
    raw_id_fields = ["project"]
    inlines = [DesignOptionInline]

    def scope(self, request, queryset):
        return queryset.filter(project__in=Project.objects.for_department(request.user.department_id))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("project", "winner")

    def save_model(self, request, obj, form, change):
        if (
            not is_city_admin(request.user)
            and not Project.objects.for_department(request.user.department_id).filter(pk=obj.project_id).exists()
        ):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


# --- Points ----------------------------------------------------------------------------------


@admin.register(RewardItem)
class RewardItemAdmin(ScopedModelAdmin):
    view_roles = frozenset({Role.MANAGER})
    edit_roles = frozenset({Role.MANAGER})
    list_display = ["name", "cost", "stock", "is_active"]
    list_filter = ["is_active"]


@admin.register(Redemption)
class RedemptionAdmin(ScopedModelAdmin):
    view_roles = frozenset({Role.MANAGER})
    edit_roles = frozenset({Role.MANAGER})
    list_display = ["created_at", "user", "item", "cost", "status"]
    list_filter = ["status", "item"]
    readonly_fields = ["user", "item", "cost", "entry", "status", "created_at"]
    actions = ["hand_over"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the ledger entry stays; a refund would be a new entry

    @admin.action(description=_("Mark as handed over"))
    def hand_over(self, request, queryset):
        done = queryset.filter(status=RedemptionStatus.REQUESTED).update(status=RedemptionStatus.HANDED_OVER)
        _report(self, request, done, [])


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyAdmin):
    """Read only: points change through `points_award` and `points_redeem`, never by hand."""

    view_roles = frozenset({Role.MANAGER})
    list_display = ["created_at", "user", "delta", "reason", "source_key"]
    list_filter = ["reason"]
    search_fields = ["user__username", "source_key"]


# --- Meetings --------------------------------------------------------------------------------


class ActionItemInline(ScopedInlineMixin, admin.TabularInline):
    model = ActionItem
    extra = 1
    fields = ["text", "owner_department", "due_date", "project", "report", "done_at"]
    readonly_fields = ["done_at"]
    raw_id_fields = ["project", "report"]


@admin.register(Meeting)
class MeetingAdmin(ScopedModelAdmin):
    """Departments see meetings they chair or attend; only the chair edits and publishes."""

    view_roles = DEPARTMENT_STAFF
    edit_roles = HANDLERS
    list_display = ["date", "title", "chair_department", "is_published"]
    list_filter = ["is_published", "chair_department"]
    filter_horizontal = ["attending"]
    readonly_fields = ["is_published", "published_at"]
    inlines = [ActionItemInline]
    actions = ["publish"]

    def scope(self, request, queryset):
        department = request.user.department_id
        return queryset.filter(Q(chair_department=department) | Q(attending=department)).distinct()

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed or is_city_admin(request.user):
            return allowed
        return obj.chair_department_id == request.user.department_id

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "chair_department" and not is_city_admin(request.user):
            kwargs["queryset"] = Department.objects.filter(pk=request.user.department_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.action(description=_("Publish the summary on the public site"))
    def publish(self, request, queryset):
        def publish_one(meeting):
            return services.meeting_publish(meeting=meeting, by=request.user)

        _each(self, request, queryset, publish_one, refused=_("Only the chair may publish."))


class OverdueItemFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", pgettext_lazy("action item", "Open")), ("overdue", _("Overdue")), ("done", _("Done"))]

    def queryset(self, request, queryset):
        from django.utils import timezone

        today = timezone.localdate()
        return {
            "open": queryset.filter(done_at=None),
            "overdue": queryset.filter(done_at=None, due_date__lt=today),
            "done": queryset.exclude(done_at=None),
        }.get(self.value(), queryset)


@admin.register(ActionItem)
class ActionItemAdmin(ScopedModelAdmin):
    """An owner department's items; the owner records the outcome and marks them done."""

    view_roles = DEPARTMENT_STAFF
    edit_roles = HANDLERS
    list_display = ["text", "owner_department", "due_date", "meeting", "project", "done_at"]
    list_filter = [OverdueItemFilter, "owner_department"]
    fields = ["meeting", "text", "owner_department", "due_date", "project", "report", "outcome", "done_at"]
    readonly_fields = ["meeting", "text", "owner_department", "due_date", "project", "report", "done_at"]
    actions = ["mark_done"]

    def scope(self, request, queryset):
        department = request.user.department_id
        return queryset.filter(Q(owner_department=department) | Q(meeting__chair_department=department))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner_department", "meeting", "project")

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # items are added on their meeting

    @admin.action(description=_("Mark as done"))
    def mark_done(self, request, queryset):
        def complete(item):
            return services.action_item_complete(item=item, by=request.user, outcome=item.outcome)

        _each(self, request, queryset, complete, refused=_("Only the owner department may close it."))
