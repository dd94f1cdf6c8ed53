"""The Django admin is for superusers (platform operators) only."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class SuperuserAdminSite(admin.AdminSite):
    site_header = "Phteah platform administration"

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser


class PhteahAdminConfig(AdminConfig):
    default_site = "phteah.core.adminsite.SuperuserAdminSite"


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows that change only through services (or never, like audit events)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
