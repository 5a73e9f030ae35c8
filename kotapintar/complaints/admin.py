"""Admin: the city's complaint configuration is editable here; reports are read-only.

Status never changes in the admin (only through the services); reporter identity is masked.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kotapintar.accounts.models import User
from kotapintar.complaints.models import (
    BannedReporter,
    Category,
    CategoryGroup,
    CategoryQuestion,
    Complaint,
    ComplaintEvent,
    ComplaintPolicy,
    Open311Client,
    Privacy,
    QuestionOption,
    ResponseTemplate,
    RoutingRule,
)
from kotapintar.complaints.services import open311_client_create, reporter_ban, reporter_unban


@admin.register(ComplaintPolicy)
class ComplaintPolicyAdmin(admin.ModelAdmin[ComplaintPolicy]):
    """One row: no second one, never deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not ComplaintPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CategoryGroup)
class CategoryGroupAdmin(admin.ModelAdmin[CategoryGroup]):
    list_display = ["name", "code", "order"]
    search_fields = ["code", "name"]


class CategoryQuestionInline(admin.TabularInline[CategoryQuestion, Category]):
    model = CategoryQuestion
    extra = 0
    fields = ["code", "prompt", "datatype", "required", "order"]
    show_change_link = True  # the answer options are edited on the question's page


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = [
        "name",
        "code",
        "group",
        "priority",
        "is_emergency",
        "resolution_working_days",
        "default_agency",
        "is_active",
    ]
    list_filter = ["group", "is_active", "is_emergency", "priority"]
    list_select_related = ["group", "default_agency"]
    search_fields = ["code", "name", "keywords"]
    autocomplete_fields = ["default_agency"]
    inlines = [CategoryQuestionInline]


class QuestionOptionInline(admin.TabularInline[QuestionOption, CategoryQuestion]):
    model = QuestionOption
    extra = 0
    fields = ["key", "name", "blocks_submission", "blocking_message", "order"]


@admin.register(CategoryQuestion)
class CategoryQuestionAdmin(admin.ModelAdmin[CategoryQuestion]):
    list_display = ["prompt", "category", "datatype", "required"]
    list_select_related = ["category"]
    list_filter = ["datatype", "category"]
    search_fields = ["code", "prompt", "category__name"]
    inlines = [QuestionOptionInline]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin[RoutingRule]):
    list_display = ["__str__", "category", "district", "agency"]
    list_select_related = ["category", "district", "agency"]
    list_filter = ["agency"]
    autocomplete_fields = ["category", "district", "agency"]


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin[ResponseTemplate]):
    list_display = ["title", "agency", "is_active"]
    list_select_related = ["agency"]
    list_filter = ["is_active", "agency"]
    search_fields = ["title", "body"]
    autocomplete_fields = ["agency"]


@admin.register(BannedReporter)
class BannedReporterAdmin(admin.ModelAdmin[BannedReporter]):
    """The abuse list; adding and removing go through the services (audited)."""

    list_display = ["user_label", "reason", "created_at"]
    fields = ["user", "reason"]
    autocomplete_fields = ["user"]

    @admin.display(description=_("reporter"))
    def user_label(self, obj: BannedReporter) -> str:
        return str(obj.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(
        self, request: HttpRequest, obj: BannedReporter, form: Any, change: bool
    ) -> None:
        assert isinstance(request.user, User)
        ban = reporter_ban(user=obj.user, actor=request.user, reason=obj.reason)
        obj.pk = ban.pk

    def delete_model(self, request: HttpRequest, obj: BannedReporter) -> None:
        assert isinstance(request.user, User)
        reporter_unban(user=obj.user, actor=request.user, reason="admin")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[BannedReporter]) -> None:
        for obj in queryset.select_related("user"):
            self.delete_model(request, obj)


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin[Open311Client]):
    """Client apps; the raw API key is shown once, in a message, when the client is added."""

    list_display = ["name", "key_prefix", "contact_email", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "key_prefix"]
    readonly_fields = ["key_prefix", "created_at"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["name", "contact_email"]
        return ["name", "contact_email", "key_prefix", "is_active", "created_at"]

    def save_model(self, request: HttpRequest, obj: Open311Client, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        client, raw_key = open311_client_create(name=obj.name, contact_email=obj.contact_email)
        for field in Open311Client._meta.concrete_fields:
            setattr(obj, field.attname, getattr(client, field.attname))
        messages.warning(
            request,
            _("API key for %(name)s (shown only now, copy it): %(key)s")
            % {"name": client.name, "key": raw_key},
        )


class ComplaintEventInline(admin.TabularInline[ComplaintEvent, Complaint]):
    model = ComplaintEvent
    extra = 0
    fields = readonly_fields = (
        "created_at",
        "kind",
        "from_status",
        "to_status",
        "is_public",
        "agency",
        "message",
    )
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin[Complaint]):
    """Read-only: the workflow belongs to the staff workspace and its services."""

    list_display = [
        "reference",
        "category",
        "status",
        "privacy",
        "agency",
        "district",
        "submitted_at",
    ]
    list_filter = ["status", "privacy", "priority", "channel", "category"]
    list_select_related = ["category", "agency", "district"]
    search_fields = ["reference"]
    date_hierarchy = "submitted_at"
    fields = readonly_fields = (
        "reference",
        "category",
        "title",
        "description",
        "address",
        "latitude",
        "longitude",
        "district",
        "village",
        "privacy",
        "priority",
        "reporter_masked",
        "channel",
        "status",
        "sla_stage",
        "sla_due_at",
        "agency",
        "assigned_to",
        "rejection_reason",
        "duplicate_of",
        "is_hidden",
        "from_banned_reporter",
        "rating",
        "submitted_at",
        "resolved_at",
        "closed_at",
    )
    inlines = [ComplaintEventInline]

    @admin.display(description=_("reporter"))
    def reporter_masked(self, obj: Complaint) -> str:
        if obj.privacy != Privacy.PUBLIC:
            return str(_("Anonymous"))
        parts = (obj.reporter_name or "").split()
        if not parts:
            return "—"
        return parts[0] + (f" {parts[1][0]}." if len(parts) > 1 else "")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
