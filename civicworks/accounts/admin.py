import axes.admin  # noqa: F401 — registers the pages amended at the end of this module
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from civicworks.permissions import is_city_admin

from .models import User, WorkerHeartbeat


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "get_full_name", "role", "department", "organisation", "is_active"]
    list_filter = ["role", "department", "is_active"]
    search_fields = ["username", "display_name", "first_name", "last_name", "email"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Role and department"), {"fields": ["role", "department", "organisation", "phone"]}),
        (_("Resident"), {"fields": ["display_name", "phone_verified_at", "language"]}),
    ]
    readonly_fields = ["phone_verified_at"]  # set only by the holder typing the texted code
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Role and department"), {"fields": ["role", "department", "organisation"]}),
    ]

    # Only city administrators manage accounts and roles.
    def has_module_permission(self, request):
        return is_city_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_city_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_city_admin(request.user)

    def has_add_permission(self, request):
        return is_city_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_city_admin(request.user)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "seen_at"]

    def has_module_permission(self, request):
        return is_city_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_city_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


# django-axes' "clean up expired attempts" reads an attribute its middleware sets only on a log-in
# request, so in the console it is a 500 (found by the hostile-console suite). Its page is
# registered by axes.admin, imported first so that the page exists to amend.
if AccessAttempt in admin.site._registry:
    admin.site._registry[AccessAttempt].actions = []
