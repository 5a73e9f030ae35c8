"""Template helpers of the public UMKM pages: ``{{ price|rupiah }}`` -> ``Rp1.500``."""

from __future__ import annotations

from typing import Any

from django import template

from kotapintar.umkm.rules import format_rupiah

register = template.Library()


@register.filter
def rupiah(value: Any) -> str:
    if value in (None, ""):
        return ""
    try:
        return format_rupiah(int(value))
    except (TypeError, ValueError):
        return ""


@register.filter
def grams(value: Any) -> str:
    """``1500`` -> ``1,5 kg``; ``250`` -> ``250 g``."""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return ""
    if amount >= 1000:
        kilos = f"{amount / 1000:.2f}".rstrip("0").rstrip(".").replace(".", ",")
        return f"{kilos} kg"
    return f"{amount} g"
