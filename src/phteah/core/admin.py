from django.contrib import admin

from .adminsite import ReadOnlyAdmin
from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: nobody edits or deletes audit events through the application."""

    list_display = ("created_at", "chain_key", "sequence", "action", "actor_label", "target_label")
    list_filter = ("action",)
    search_fields = ("actor_label", "target_label", "action")

    def get_queryset(self, request):
        return AuditEvent.all_chains.all()
