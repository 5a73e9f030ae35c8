"""Filters of the Dinas workspace templates: ``{{ amount|rupiah }}`` -> ``Rp1.500.000``,
``{{ share|percent_id }}`` -> ``42,50%``."""

from __future__ import annotations

from django import template

from kotapintar.umkm.exports import format_money, format_percent

register = template.Library()


@register.filter
def rupiah(value: object) -> str:
    if value is None or value == "":
        return ""
    return format_money(int(value))  # type: ignore[call-overload]


@register.filter
def percent_id(value: object) -> str:
    if value is None or value == "":
        return ""
    return format_percent(float(value)) + "%"  # type: ignore[arg-type]
