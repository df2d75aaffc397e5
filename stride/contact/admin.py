"""Staff's view of the contact inbox: read, mark handled, reply."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from stride.accounts.models import User

from .models import ContactMessage
from .services import (
    ContactReplyError,
    contact_message_mark_handled,
    contact_message_mark_new,
    contact_message_reply,
)

# Set on the request when a reply failed, so the change page stays open for a retry.
_REPLY_FAILED = "stride_contact_reply_failed"

EDITABLE_FIELDS = ("status", "staff_reply")


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "name", "email", "status", "notification_sent")
    list_display_links = ("created_at", "name")
    list_filter = ("status", "preferred_contact")
    search_fields = ("name", "email", "phone", "message")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    actions = ("mark_handled", "mark_new")
    fieldsets = (
        (
            "Message",
            {"fields": ("created_at", "name", "email", "phone", "preferred_contact", "message")},
        ),
        (
            "Handling",
            {"fields": ("status", "handled_at", "handled_by", "staff_reply", "replied_at")},
        ),
        (
            "Delivery",
            {
                "classes": ("collapse",),
                "fields": (
                    "notification_sent_at",
                    "notification_attempts",
                    "last_notification_error",
                    "client_ip",
                    "user_agent",
                    "updated_at",
                ),
            },
        ),
    )

    @admin.display(boolean=True, description="Notification sent", ordering="notification_sent_at")
    def notification_sent(self, obj: ContactMessage) -> bool:
        return obj.notification_sent_at is not None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        editable = set(EDITABLE_FIELDS)
        if obj is not None and obj.replied_at is not None:
            editable.discard("staff_reply")  # One reply per message: it was sent as written.
        names = [f.name for f in ContactMessage._meta.fields if f.name != "id"]
        return [name for name in names if name not in editable]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # Messages come from the public form only.

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        """Apply a status change and send a pending reply through the services."""
        user = cast(User, request.user)
        if "status" in form.changed_data:
            if obj.status == ContactMessage.Status.HANDLED:
                contact_message_mark_handled(message_ids=[obj.pk], user=user)
            else:
                contact_message_mark_new(message_ids=[obj.pk])
        # A reply saved earlier whose email failed is sent again on the next save.
        if obj.replied_at is None and obj.staff_reply.strip():
            try:
                contact_message_reply(obj, user, obj.staff_reply)
            except (ContactReplyError, ValidationError) as exc:
                text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, text, messages.ERROR)
                setattr(request, _REPLY_FAILED, True)
            else:
                self.message_user(request, f"Reply emailed to {obj.email}.", messages.SUCCESS)

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        if getattr(request, _REPLY_FAILED, False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    @admin.action(description="Mark as handled", permissions=["change"])
    def mark_handled(self, request: HttpRequest, queryset: QuerySet[ContactMessage]) -> None:
        count = contact_message_mark_handled(
            message_ids=queryset.values_list("pk", flat=True), user=cast(User, request.user)
        )
        self.message_user(request, f"{count} message(s) marked as handled.", messages.SUCCESS)

    @admin.action(description="Mark as new", permissions=["change"])
    def mark_new(self, request: HttpRequest, queryset: QuerySet[ContactMessage]) -> None:
        count = contact_message_mark_new(message_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} message(s) marked as new.", messages.SUCCESS)
