"""Model fields for personal data."""

from __future__ import annotations

from typing import Any

from django.db import models

from kotapintar.core import crypto


class EncryptedTextField(models.TextField):
    """Stores the value encrypted; the Python value is the plaintext string.

    Encrypted values cannot be filtered on: pair the field with a ``*_hash`` CharField holding
    :func:`kotapintar.core.crypto.blind_index` of the normalised value for lookups.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))
