"""Model fields for personal data."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull

from kotapintar.core import crypto


class EncryptedTextField(models.TextField):
    """Stores the value encrypted; the Python value is the plaintext string.

    Encrypted values cannot be filtered on (every encryption of the same value differs): pair
    the field with a ``*_hash`` CharField holding
    :func:`kotapintar.core.personal_data.identity_blind_index` (or
    :func:`kotapintar.core.crypto.blind_index` of the normalised value) for lookups. Only
    ``isnull`` and ``exact`` against ``""`` are allowed; any other lookup raises instead of
    silently matching nothing.
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

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        return None  # Django raises FieldError("Unsupported lookup ...")

    def get_transform(self, lookup_name: str) -> Any:
        return None

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if self.unique or getattr(self, "db_index", False):
            errors.append(
                checks.Error(
                    "An encrypted field cannot be unique or indexed (ciphertexts always differ).",
                    hint="Put unique/db_index on the blind-index (*_hash) field instead.",
                    obj=self,
                    id="kotapintar.E001",
                )
            )
        return errors


class _EmptyOnlyExact(Exact):
    """``field=""`` ("not given") is meaningful on ciphertext; any other value is not."""

    def get_prep_lookup(self) -> Any:
        if self.rhs != "":
            raise FieldError(
                "Encrypted fields cannot be filtered by value; filter on the blind index."
            )
        return super().get_prep_lookup()
