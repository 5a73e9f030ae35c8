"""Core models: the append-only, hash-chained audit log (DESIGN §5).

Rows are written only by :func:`kotapintar.core.audit.audit_record`, which serialises appends
by locking the single :class:`AuditChainHead` row. Each entry's ``entry_hash`` is the SHA-256
of a canonical JSON of its content plus the previous entry's hash, so an edited or removed row
breaks the chain that ``manage.py verify_audit_chain`` walks.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditLogImmutableError(Exception):
    """Raised on any attempt to change or delete audit entries."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Blocks bulk writes: the only way in is ``audit_record``, and nothing goes out."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutableError("Audit entries cannot be updated.")

    def delete(self) -> NoReturn:
        raise AuditLogImmutableError("Audit entries cannot be deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutableError("Audit entries cannot be updated.")

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutableError("Audit entries are appended one by one with audit_record.")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutableError("Audit entries cannot be updated.")


AuditEntryManager = models.Manager.from_queryset(AuditEntryQuerySet)


class AuditEntry(models.Model):
    created_at = models.DateTimeField(_("time"), db_index=True)
    # SET_NULL keeps the entry when an account is deleted; ``actor_label`` and ``actor_role``
    # are copies taken at the time and are what the hash covers (the FK is not hashed).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True, default="")
    actor_role = models.CharField(_("role"), max_length=40, blank=True, default="")
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, default="")
    object_id = models.CharField(_("object id"), max_length=64, blank=True, default="")
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, default="")
    summary = models.TextField(_("summary"), blank=True, default="")
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    entry_hash = models.CharField(_("entry hash"), max_length=64, unique=True)

    objects = AuditEntryManager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="core_audit_object_idx"),
            models.Index(fields=["actor", "created_at"], name="core_audit_actor_idx"),
            models.Index(fields=["action", "created_at"], name="core_audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or self.pk is not None:
            raise AuditLogImmutableError("Audit entries cannot be updated.")
        if not self.prev_hash or self.entry_hash != self.compute_hash():
            raise AuditLogImmutableError("Audit entries are appended with audit_record only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutableError("Audit entries cannot be deleted.")

    def canonical_payload(self) -> dict[str, Any]:
        """The hashed content: everything but the surrogate id and the (nullable) actor FK."""
        created_at = self.created_at
        return {
            "created_at": created_at.astimezone(UTC).isoformat(timespec="microseconds")
            if created_at
            else None,
            "actor_label": self.actor_label,
            "actor_role": self.actor_role,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "ip_address": self.ip_address,
            "request_id": self.request_id,
            "summary": self.summary,
            "before": self.before,
            "after": self.after,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        canonical = json.dumps(
            _canonical_numbers(self.canonical_payload()),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical_numbers(value: Any) -> Any:
    # PostgreSQL's jsonb gives 1e16 back as 10000000000000000 and may do likewise with other
    # whole floats: hash whole numbers in one spelling so the hash survives the round trip.
    if isinstance(value, dict):
        return {k: _canonical_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical_numbers(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class AuditChainHead(models.Model):
    """The single row locked (SELECT ... FOR UPDATE) to serialise appends to the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_entry_id = models.BigIntegerField(null=True, blank=True)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    entry_count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_single")]

    def __str__(self) -> str:
        return f"{self.entry_count} entries"
