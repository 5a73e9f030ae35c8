"""Template helpers of the complaint pages: ``{% load complaints_tags %}``."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from kotapintar.complaints.models import OPEN_STATUSES, Status

register = template.Library()

#: A symbol per status so that the status never depends on colour alone.
_STATUS_SYMBOLS = {
    Status.RECEIVED: "○",
    Status.VERIFIED: "◔",
    Status.DISPOSED: "◑",
    Status.IN_PROGRESS: "◕",
    Status.RESOLVED: "●",
    Status.CLOSED: "■",
    Status.REJECTED: "✕",
}


@register.simple_tag
def status_badge(status: str) -> SafeString:
    """``<span class="status status-diproses">◕ Diproses</span>``: text, symbol and colour."""
    try:
        value = Status(status)
    except ValueError:
        return format_html('<span class="status">{}</span>', status)
    group = "open" if value in OPEN_STATUSES else "closed"
    return format_html(
        '<span class="status status-{} status-{}"><span aria-hidden="true">{}</span> {}</span>',
        value.value,
        group,
        _STATUS_SYMBOLS.get(value, ""),
        value.label,
    )


@register.filter
def answer_text(value: Any) -> str:
    """An answer as text: lists joined with commas."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)
