"""``SecureFileField``: the upload rules in a form, so the form shows the reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from kotapintar.core.uploads.validation import DEFAULT_ALLOWED_KINDS, IMAGE, PDF, validate_upload

_ACCEPT = {IMAGE: "image/jpeg,image/png,.jpg,.jpeg,.png", PDF: "application/pdf,.pdf"}


class SecureFileField(forms.FileField):
    """A file field that accepts only what ``store_upload`` would accept.

    The ``accept`` attribute is a hint for the browser's file picker; the check is on the
    content. Store the cleaned file with ``store_upload`` using the same arguments.
    """

    def __init__(
        self,
        *,
        allowed_kinds: frozenset[str] = DEFAULT_ALLOWED_KINDS,
        max_bytes: int | None = None,
        min_image_side: int = 0,
        **kwargs: Any,
    ) -> None:
        self.allowed_kinds = frozenset(allowed_kinds)
        self.max_bytes = max_bytes
        self.min_image_side = min_image_side
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs["accept"] = ",".join(_ACCEPT[kind] for kind in sorted(self.allowed_kinds))
        return attrs

    def clean(self, data: Any, initial: Any = None) -> Any:
        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):
            validate_upload(
                value,
                allowed_kinds=self.allowed_kinds,
                max_bytes=self.max_bytes,
                min_image_side=self.min_image_side,
            )
        return value
