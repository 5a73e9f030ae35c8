from __future__ import annotations

from django.contrib import admin
from django.db import models

from kotapintar.agencies.models import Agency, ServiceUnit


class ServiceUnitInline(admin.TabularInline[ServiceUnit, Agency]):
    model = ServiceUnit
    extra = 0
    fields = ["code", "name", "kind", "district", "address", "opening_hours", "is_active"]
    autocomplete_fields = ["district"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ["name", "short_name", "kind", "district", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["district"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["district"]
    inlines = [ServiceUnitInline]
    # Officials type "pemkomedan.go.id": assume https, as Django 6 will.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
