"""The audit log in the admin: read-only for everyone, visible to clinic admins only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from stride.accounts.models import Role

from .models import AUDIT_EVENT_FIELDS, AuditAction, AuditEvent
from .services import audit_record


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "at",
        "action",
        "outcome",
        "actor_email",
        "actor_role",
        "patient_ref",
        "object_type",
        "object_id",
        "ip",
    )
    list_filter = ("action", "outcome", "actor_role", "at")
    search_fields = ("actor_email", "patient_ref")
    date_hierarchy = "at"
    ordering = ("-at", "-id")
    # The table only grows; skip the second COUNT(*) over all of it on every page.
    show_full_result_count = False
    fields = AUDIT_EVENT_FIELDS
    readonly_fields = fields

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user: Any = request.user
        return super().has_view_permission(request, obj) and (
            user.is_superuser or user.role == Role.ADMIN
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            audit_record(action=AuditAction.RECORD_VIEW, request=request, object_type="audit_log")
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            audit_record(
                action=AuditAction.RECORD_VIEW,
                request=request,
                object_type="audit_event",
                object_id=object_id,
            )
        return response
