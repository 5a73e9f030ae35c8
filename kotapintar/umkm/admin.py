"""Admin: UMKM configuration is editable here; the registry, products and orders are read-only.

Verification, curation, delisting and order status change only through the services (audited);
owner NIK, street address and phone are never shown in the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kotapintar.umkm.models import (
    Business,
    CertificationType,
    GovernmentPurchase,
    NibClaim,
    Order,
    Product,
    ProductCategory,
    Programme,
    ScaleThreshold,
    SearchQueryLog,
    SearchSynonym,
    UmkmPolicy,
)
from kotapintar.umkm.search import synonyms_invalidate


@admin.register(UmkmPolicy)
class UmkmPolicyAdmin(admin.ModelAdmin[UmkmPolicy]):
    """One row: no second one, never deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not UmkmPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScaleThreshold)
class ScaleThresholdAdmin(admin.ModelAdmin[ScaleThreshold]):
    list_display = ["scale", "rank", "max_capital", "max_turnover", "legal_basis"]


@admin.register(CertificationType)
class CertificationTypeAdmin(admin.ModelAdmin[CertificationType]):
    list_display = ["code", "name", "issuer", "validity_years", "is_active"]


@admin.register(ProductCategory)
class ProductCategoryAdmin(admin.ModelAdmin[ProductCategory]):
    list_display = ["name", "slug", "parent", "position", "pirt_allowed", "is_active"]
    list_filter = ["parent", "is_active"]
    search_fields = ["name", "slug"]


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin[SearchSynonym]):
    """After editing, run ``manage.py shell -c`` ``search_synonyms_changed`` to reindex."""

    list_display = ["term", "canonical"]
    search_fields = ["term", "canonical"]

    def save_model(self, request: HttpRequest, obj: SearchSynonym, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        synonyms_invalidate()

    def delete_model(self, request: HttpRequest, obj: SearchSynonym) -> None:
        super().delete_model(request, obj)
        synonyms_invalidate()


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Business)
class BusinessAdmin(ReadOnlyAdmin):
    list_display = ["name", "nib", "scale", "sector", "district", "verification_status"]
    list_filter = ["verification_status", "scale", "sector"]
    search_fields = ["name", "nib"]
    fields = [
        "name",
        "owner_name",
        "nib",
        "kbli",
        "sector",
        "district",
        "village",
        "founding_year",
        "employees",
        "capital",
        "annual_turnover",
        "scale",
        "verification_status",
        "rejection_reason",
        "verified_at",
        "is_active",
    ]


@admin.register(NibClaim)
class NibClaimAdmin(ReadOnlyAdmin):
    list_display = ["nib", "business_name", "status", "created_at"]
    list_filter = ["status"]
    fields = ["nib", "business_name", "owner_name", "status", "decision_note", "decided_at"]


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["name", "business", "category", "price", "stock", "status"]
    list_filter = ["status", "category"]
    search_fields = ["name"]
    fields = [
        "business",
        "category",
        "name",
        "description",
        "price",
        "stock",
        "minimum_order",
        "unit",
        "weight_grams",
        "tags",
        "status",
        "status_reason",
        "listed_at",
    ]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["reference", "business", "market", "status", "total", "created_at"]
    list_filter = ["status", "market"]
    search_fields = ["reference"]
    fields = ["reference", "business", "market", "status", "total", "respond_by", "created_at"]


@admin.register(GovernmentPurchase)
class GovernmentPurchaseAdmin(ReadOnlyAdmin):
    list_display = ["agency", "purchase_date", "supplier_name", "amount", "is_umk_or_cooperative"]
    list_filter = ["year", "kind", "is_umk_or_cooperative"]


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["name", "type", "start_date", "end_date", "quota"]
    list_filter = ["type"]


@admin.register(SearchQueryLog)
class SearchQueryLogAdmin(ReadOnlyAdmin):
    list_display = ["query", "created_at"]
    search_fields = ["query"]
