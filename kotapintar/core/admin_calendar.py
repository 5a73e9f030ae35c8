"""Admin for the working-day calendar (imported by ``kotapintar.core.admin``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from kotapintar.core.calendar import calendar_invalidate
from kotapintar.core.models.calendar import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin[CalendarDay]):
    list_display = ("date", "kind", "name", "updated_at")
    list_filter = ("kind",)
    search_fields = ("name",)
    date_hierarchy = "date"
    ordering = ("-date",)

    # Every admin write replaces the calendar's cache version, so the next working-day
    # computation (in any process sharing the cache) sees the change.
    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        calendar_invalidate()

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        super().delete_model(request, obj)
        calendar_invalidate()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        super().delete_queryset(request, queryset)
        calendar_invalidate()
