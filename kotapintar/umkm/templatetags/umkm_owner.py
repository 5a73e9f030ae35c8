"""Template helpers of the owner's pages: ``{{ amount|owner_rupiah }}`` -> ``Rp1.500``."""

from __future__ import annotations

from typing import Any

from django import template

from kotapintar.umkm.rules import format_rupiah

register = template.Library()


@register.filter
def owner_rupiah(value: Any) -> str:
    if value in (None, ""):
        return ""
    try:
        return format_rupiah(int(value))
    except (TypeError, ValueError):
        return ""
