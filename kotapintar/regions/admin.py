"""Admin: the Kemendagri code tables are read-only (they come from load_regions); boundaries
(the city box, imported polygons) can be corrected by hand."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kotapintar.regions.models import District, Province, Regency, RegionBoundary, Village
from kotapintar.regions.services import boundary_delete, boundary_save


class ReadOnlyRegionAdmin(admin.ModelAdmin[Any]):
    search_fields = ["code", "name"]
    show_full_result_count = False  # ~84,000 villages: skip the extra COUNT(*)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Province)
class ProvinceAdmin(ReadOnlyRegionAdmin):
    list_display = ["code", "name"]


@admin.register(Regency)
class RegencyAdmin(ReadOnlyRegionAdmin):
    list_display = ["code", "name", "province"]
    list_select_related = ["province"]
    list_filter = ["province"]


@admin.register(District)
class DistrictAdmin(ReadOnlyRegionAdmin):
    list_display = ["code", "name", "regency"]
    list_select_related = ["regency"]


@admin.register(Village)
class VillageAdmin(ReadOnlyRegionAdmin):
    list_display = ["code", "name", "kind", "district"]
    list_select_related = ["district"]
    list_filter = ["kind"]


class RegionBoundaryForm(forms.ModelForm[RegionBoundary]):
    class Meta:
        model = RegionBoundary
        fields = ["level", "regency", "village", "min_lat", "max_lat", "min_lon", "max_lon"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        village, regency = data.get("village"), data.get("regency")
        if (
            village is not None
            and regency is not None
            and village.district.regency_id != regency.code
        ):
            self.add_error("village", _("This kelurahan/desa is not in the chosen regency/city."))
        for low, high in (("min_lat", "max_lat"), ("min_lon", "max_lon")):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self.add_error(high, _("The upper bound must not be below the lower bound."))
        return data


@admin.register(RegionBoundary)
class RegionBoundaryAdmin(admin.ModelAdmin[RegionBoundary]):
    form = RegionBoundaryForm
    list_display = ["__str__", "level", "regency", "has_polygon", "source", "updated_at"]
    list_filter = ["level"]
    list_select_related = ["regency", "village"]
    search_fields = ["regency__name", "village__name", "village__code"]
    raw_id_fields = ["village"]
    readonly_fields = ["source", "updated_at"]

    @admin.display(boolean=True, description=_("polygon"))
    def has_polygon(self, obj: RegionBoundary) -> bool:
        return bool(obj.geometry)

    def get_readonly_fields(
        self, request: HttpRequest, obj: RegionBoundary | None = None
    ) -> list[str] | tuple[Any, ...]:
        # With an imported polygon the box is derived from it: editing only the box would
        # cut the polygon off. Re-import the file instead.
        if obj is not None and obj.geometry:
            return [
                "level",
                "regency",
                "village",
                "min_lat",
                "max_lat",
                "min_lon",
                "max_lon",
                "source",
                "updated_at",
            ]
        return self.readonly_fields

    def save_model(
        self, request: HttpRequest, obj: RegionBoundary, form: Any, change: bool
    ) -> None:
        boundary_save(boundary=obj)

    def delete_model(self, request: HttpRequest, obj: RegionBoundary) -> None:
        boundary_delete(boundary=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for boundary in queryset:
            boundary_delete(boundary=boundary)
