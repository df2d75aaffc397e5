"""The email outbox in the admin: read-only, clinic admins only, with "Retry now"."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from stride.accounts.models import Role

from .models import OutgoingEmail
from .outbox import SendResult, email_retry, email_send

# "Retry now" sends this many selected emails at once; the rest wait for send_queued_email.
RETRY_NOW_LIMIT = 10
HIDDEN = "Hidden: it carries a working sign-in, reset or manage link."
ERASED = "Erased: it carried a link, and is no longer pending."


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """Emails hold patients' names, visit times and links: clinic admins only, never edited.

    A secret email's body is never shown: while pending it holds a working link (someone who
    read it could sign in as the patient), afterwards it is erased.
    """

    list_display = (
        "created_at",
        "kind",
        "recipients",
        "subject",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "finished_at",
    )
    list_filter = ("status", "kind", "created_at")
    search_fields = ("to", "kind")
    date_hierarchy = "created_at"
    fields = (
        "kind",
        "status",
        "created_at",
        "from_email",
        "recipients",
        "reply_to",
        "subject",
        "attempts",
        "last_error",
        "next_attempt_at",
        "expires_at",
        "finished_at",
        "secret",
        "content",
        "attachment_names",
    )
    readonly_fields = fields
    actions = ["retry_now"]

    @admin.display(description="To")
    def recipients(self, obj: OutgoingEmail) -> str:
        return ", ".join([*obj.to, *obj.cc, *obj.bcc])

    @admin.display(description="Body")
    def content(self, obj: OutgoingEmail) -> str:
        if obj.secret:
            return HIDDEN if obj.status == OutgoingEmail.Status.PENDING else ERASED
        return format_html("<pre>{}</pre>", obj.body)

    @admin.display(description="Attachments")
    def attachment_names(self, obj: OutgoingEmail) -> str:
        return ", ".join(a["filename"] for a in obj.attachments)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user: Any = request.user
        return super().has_view_permission(request, obj) and (
            user.is_superuser or user.role == Role.ADMIN
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        opts = self.model._meta
        return self.has_view_permission(request) and request.user.has_perm(
            f"{opts.app_label}.change_{opts.model_name}"
        )

    @admin.action(description="Retry now", permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutgoingEmail]) -> None:
        queued = [email for email in queryset if email_retry(email=email)]
        results = [email_send(email_id=email.pk) for email in queued[:RETRY_NOW_LIMIT]]
        sent = results.count(SendResult.SENT)
        level = messages.SUCCESS if queued and sent == len(results) else messages.WARNING
        message = f"Retried {len(results)}: {sent} sent."
        if len(queued) > RETRY_NOW_LIMIT:
            message += f" {len(queued) - RETRY_NOW_LIMIT} more will go with the next send_queued_email run."
        if len(queued) < queryset.count():
            message += " Sent, expired and erased emails cannot be retried."
        self.message_user(request, message, level)
