"""The console: Django admin, scoped by role and department.

Each console page declares which roles may view and which may edit, and how to narrow
the rows to what the user may see (`scope`). Object-level permission is the same
question asked of the scoped queryset, so the list, the change form, the inlines and
the delete view can never disagree. Three rules hold for every page by construction:

- deleting is the city administrator's alone (civic records are hidden, not deleted);
- a list is narrowed only by its declared filters, date hierarchy and `extra_lookups`:
  a free lookup (`?reporter_phone__regex=^139`) would let a binary search read what the
  page never shows;
- the change-history form saves only for someone who may change the object (a revert is a
  change, validated and recorded as one).
"""

import types

from django.contrib import admin, messages
from django.contrib.admin.filters import FieldListFilter, SimpleListFilter
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .permissions import has_role, is_city_admin


def declared_lookups(model_admin: admin.ModelAdmin, request) -> set[str]:
    """The query parameters the page's own filters, date hierarchy and links produce."""
    allowed = set(getattr(model_admin, "extra_lookups", ()))
    for item in model_admin.get_list_filter(request):
        if isinstance(item, type) and issubclass(item, SimpleListFilter):
            allowed.add(item.parameter_name)
            continue
        field_path, filter_class = item if isinstance(item, tuple | list) else (item, FieldListFilter.create)
        field = get_fields_from_path(model_admin.model, field_path)[-1]
        spec = filter_class(field, request, {}, model_admin.model, model_admin, field_path=field_path)
        allowed.update(spec.expected_parameters())
    if model_admin.date_hierarchy:
        allowed.update(f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day"))
    return allowed


def lookup_allowed(model_admin: admin.ModelAdmin, lookup: str, value, request=None) -> bool:
    # A free lookup (`?reporter_phone__regex=^139`) would let a binary search read a hidden column.
    if request is None:
        return False
    # Asked once per query parameter; the filters (whose related choices are queries) are built once.
    known = request.__dict__.setdefault("_declared_lookups", {})
    if model_admin not in known:
        known[model_admin] = declared_lookups(model_admin, request)
    return lookup in known[model_admin]


class ConsoleSite(admin.AdminSite):
    """The console (Django's admin site): every page on it, ours or a library's, obeys `lookup_allowed`."""

    site_header = _("CivicWorks console")
    site_title = _("CivicWorks console")
    index_title = _("Work overview")
    # The landing page after sign-in: what needs doing, by role (civicworks/console_home.py), above the app list.
    index_template = "admin/console_home.html"

    def index(self, request, extra_context=None):
        from .console_home import fill  # not at import: the apps register their panels when ready

        return super().index(request, {"home_panels": fill(request), **(extra_context or {})})

    def register(self, model_or_iterable, admin_class=None, **options) -> None:
        super().register(model_or_iterable, admin_class, **options)
        models = model_or_iterable if isinstance(model_or_iterable, list | tuple) else [model_or_iterable]
        for page in filter(None, map(self._registry.get, models)):  # a swapped model is not registered
            page.lookup_allowed = types.MethodType(lookup_allowed, page)


class ScopedAdminMixin:
    view_roles: frozenset[str] = frozenset()
    edit_roles: frozenset[str] = frozenset()
    # Query-string lookups a page links to beyond its declared filters (e.g. a hotspot cell's bounds).
    extra_lookups: tuple[str, ...] = ()

    def scope(self, request, queryset: QuerySet) -> QuerySet:
        """Narrow `queryset` to the rows `request.user` may see; city administrators see all."""
        return queryset

    def _scoped(self, request, queryset: QuerySet) -> QuerySet:
        return queryset if is_city_admin(request.user) else self.scope(request, queryset)

    def _in_scope(self, request, obj) -> bool:
        model = obj.__class__
        return self._scoped(request, model._default_manager.filter(pk=obj.pk)).exists()

    def has_module_permission(self, request) -> bool:
        return has_role(request.user, *self.view_roles, *self.edit_roles)

    def has_view_permission(self, request, obj=None) -> bool:
        if not has_role(request.user, *self.view_roles, *self.edit_roles):
            return False
        return obj is None or self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        if not has_role(request.user, *self.edit_roles):
            return False
        return obj is None or self._in_scope(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        if not has_role(request.user, *self.edit_roles):
            return False
        return obj is None or self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if not is_city_admin(request.user):
            return False
        return obj is None or self._in_scope(request, obj)


def refusal_text(exc: Exception) -> str:
    """What a refused step says to the person in the console (a ValidationError's messages, joined)."""
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def console_step(modeladmin, request, step, success) -> bool:
    """Run a service step from the console: a refusal becomes a message on the page, not an error page."""
    try:
        result = step()
    except (ValidationError, PermissionDenied) as exc:
        modeladmin.message_user(request, refusal_text(exc), messages.ERROR)
        return False
    modeladmin.message_user(request, success(result) if callable(success) else success, messages.SUCCESS)
    return True


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    def get_queryset(self, request):
        return self._scoped(request, super().get_queryset(request))


class ReadOnlyAdmin(ScopedModelAdmin):
    """A record nobody edits by hand (an audit, a ledger): listed and opened, never added, changed or deleted."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ScopedHistoryAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    """A console page with django-simple-history's history list and per-version form."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves this form for anyone who may *view* the object; reverting is a change.
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is None or not self.has_change_permission(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ScopedInlineMixin:
    """An inline asks its parent's console page: `obj` given to an inline is the parent."""

    def _parent_admin(self) -> ScopedModelAdmin:
        return self.admin_site._registry[self.parent_model]

    def has_view_permission(self, request, obj=None) -> bool:
        return self._parent_admin().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._parent_admin().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._parent_admin().has_change_permission(request, obj)

    # Rows that describe a plan (milestones, the responsibility chain) may be removed by the project's
    # editors; records of what happened (updates, money) only by the city administrator.
    editors_may_delete = False

    def has_delete_permission(self, request, obj=None) -> bool:
        parent = self._parent_admin()
        if self.editors_may_delete:
            return parent.has_change_permission(request, obj)
        return parent.has_delete_permission(request, obj)
