from django.contrib import admin

from .adminsite import ReadOnlyAdmin
from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: nobody edits or deletes audit events through the application."""

    list_display = ("created_at", "chain_key", "sequence", "action", "actor", "target_type")
    list_filter = ("action",)
    search_fields = ("action", "target_id", "=case_id")

    def get_queryset(self, request):
        return AuditEvent.all_chains.all()
