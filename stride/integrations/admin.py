"""Webhook endpoints (secret shown once, then masked) and their deliveries (read-only)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html

from .models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookDeliveryAttempt,
    WebhookEndpoint,
    WebhookEvent,
    webhook_secret_generate,
)
from .services import DeliveryResult, webhook_delivery_attempt, webhook_delivery_retry

# "Retry now" posts this many selected deliveries at once; the rest wait for send_webhooks.
RETRY_NOW_LIMIT = 10


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="HTTPS address that receives a POST for each event.",
    )
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The events sent to this address.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "events", "is_active")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """The signing secret is generated on save and shown in full on the next page only."""

    form = WebhookEndpointForm
    list_display = ("name", "url", "event_list", "is_active", "secret_masked")
    list_filter = ("is_active",)
    search_fields = ("name", "url")
    readonly_fields = ("secret_masked", "created_at", "updated_at")
    actions = ["secret_rotate"]

    @admin.display(description="Events")
    def event_list(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.events or [])

    @admin.display(description="Signing secret")
    def secret_masked(self, obj: WebhookEndpoint) -> str:
        return obj.secret_masked

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = ("name", "url", "events", "is_active")
        return fields if obj is None else (*fields, "secret_masked", "created_at", "updated_at")

    def _secrets_page(self, request: HttpRequest, endpoints: list[WebhookEndpoint]) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Copy the signing secret now",
            "endpoints": endpoints,
        }
        # The admin marks its pages never_cache (no-store): the secret stays out of caches.
        return TemplateResponse(request, "integrations/admin/endpoint_secret.html", context)

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None) -> Any:
        return self._secrets_page(request, [obj])

    @admin.action(description="Generate a new signing secret", permissions=["change"])
    def secret_rotate(
        self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]
    ) -> HttpResponse:
        endpoints = list(queryset)
        for endpoint in endpoints:
            endpoint.secret = webhook_secret_generate()
            endpoint.save(update_fields=["secret", "updated_at"])
        return self._secrets_page(request, endpoints)


class WebhookDeliveryAttemptInline(admin.TabularInline):
    model = WebhookDeliveryAttempt
    fields = ("attempted_at", "status_code", "error", "duration_ms")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Deliveries are written by the booking services and the sender only; staff can retry."""

    list_display = (
        "created_at",
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("status", "event", "endpoint")
    list_select_related = ("endpoint",)
    search_fields = ("event_id",)
    date_hierarchy = "created_at"
    fields = (
        "endpoint",
        "event",
        "event_id",
        "created_at",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "delivered_at",
        "payload_pretty",
    )
    readonly_fields = fields
    inlines = [WebhookDeliveryAttemptInline]
    actions = ["retry_now"]

    @admin.display(description="Payload")
    def payload_pretty(self, obj: WebhookDelivery) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description="Retry now", permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        queued = [
            d
            for d in queryset.exclude(status=DeliveryStatus.DELIVERED)
            if webhook_delivery_retry(delivery=d)
        ]
        results = [webhook_delivery_attempt(delivery_id=d.pk) for d in queued[:RETRY_NOW_LIMIT]]
        delivered = results.count(DeliveryResult.DELIVERED)
        level = messages.SUCCESS if delivered == len(results) else messages.WARNING
        message = f"Retried {len(results)}: {delivered} delivered."
        if len(queued) > RETRY_NOW_LIMIT:
            message += (
                f" {len(queued) - RETRY_NOW_LIMIT} more will go with the next send_webhooks run."
            )
        self.message_user(request, message, level)
