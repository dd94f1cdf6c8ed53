"""Platform administration (superusers only). Organisations are created through the service so
the creation is audited; memberships and users are managed by each organisation's own
administrators in the application, so they are read-only here."""

from django.contrib import admin

from phteah.core.adminsite import ReadOnlyAdmin

from .models import Invitation, Membership, Office, Organisation, User
from .services import organisation_create


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "short_code", "kind", "is_active")
    search_fields = ("name", "name_km", "short_code")
    fields = ("name", "name_km", "short_code", "kind", "provinces", "require_two_factor_for_all")
    filter_horizontal = ("provinces",)

    def has_change_permission(self, request, obj=None):
        return obj is None  # existing organisations change their own settings in the app

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        created = organisation_create(
            actor=request.user,
            name=obj.name,
            name_km=obj.name_km,
            short_code=obj.short_code,
            kind=obj.kind,
            require_two_factor_for_all=obj.require_two_factor_for_all,
            provinces=list(form.cleaned_data.get("provinces") or []),
        )
        obj.pk = created.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass  # provinces were set by organisation_create


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("email", "full_name", "is_active", "is_superuser", "last_login")
    search_fields = ("email", "full_name", "full_name_km")
    exclude = ("password",)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "organisation", "role", "office", "is_active")
    list_filter = ("role", "is_active")


@admin.register(Office)
class OfficeAdmin(ReadOnlyAdmin):
    list_display = ("name", "organisation", "is_active")


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("email", "organisation", "role", "expires_at", "accepted_at", "cancelled_at")
    list_filter = ("role",)
    exclude = ("token_hash",)
