"""The console: Django admin, scoped by role and department.

Each console page declares which roles may view and which may edit, and how to narrow
the rows to what the user may see (`scope`). Object-level permission is the same
question asked of the scoped queryset, so the list, the change form, the inlines and
the delete view can never disagree.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .permissions import has_role, is_city_admin

admin.site.site_header = _("CivicWorks console")
admin.site.site_title = _("CivicWorks console")
admin.site.index_title = _("Work overview")


class ScopedAdminMixin:
    view_roles: frozenset[str] = frozenset()
    edit_roles: frozenset[str] = frozenset()

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
        return self.has_change_permission(request, obj)


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    def get_queryset(self, request):
        return self._scoped(request, super().get_queryset(request))


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

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._parent_admin().has_change_permission(request, obj)
