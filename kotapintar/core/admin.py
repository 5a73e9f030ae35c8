"""Admin registrations for core models."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kotapintar.core.audit import can_view_audit_log
from kotapintar.core.models.audit import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Read-only for city administrators; nobody may add, change or delete entries."""

    list_display = (
        "id",
        "created_at",
        "action",
        "actor_label",
        "actor_role",
        "object_type",
        "object_id",
        "ip_address",
        "summary",
    )
    list_filter = ("action", "actor_role", "object_type")
    search_fields = ("=object_id", "=request_id", "action", "actor_label")
    date_hierarchy = "created_at"
    ordering = ("-id",)
    show_full_result_count = False  # COUNT(*) over a big log on every page is wasteful
    actions = None
    readonly_fields = (
        "created_at",
        "actor_label",
        "actor_role",
        "action",
        "object_type",
        "object_id",
        "ip_address",
        "request_id",
        "summary",
        "before",
        "after",
        "prev_hash",
        "entry_hash",
    )
    fields = readonly_fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_view_audit_log(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_view_audit_log(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# CalendarDay admin lives in its own module; importing it registers it.
from kotapintar.core import admin_calendar  # noqa: E402, F401
