"""Audit log: services (append), selectors (read, verify) and helpers.

Usage, inside the caller's transaction, next to the change it records::

    audit_record(actor=request.user, action="complaint.submit", obj=complaint,
                 after={"status": complaint.status}, request=request)

``before``/``after`` are stored masked: NIK/KK/phone keys are masked, secrets redacted and any
16-digit run in a string masked (:func:`mask_personal_data`).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest
from django.utils import timezone

from kotapintar.core.logging import mask_text, request_id_var
from kotapintar.core.models.audit import GENESIS_HASH, AuditChainHead, AuditEntry
from kotapintar.core.personal_data import mask_identity_number, mask_phone

_ACTION = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
_KEY_TOKENS = re.compile(r"[a-z0-9]+")
# Key tokens (split on "_", "-", ".") that mark personal data or secrets in before/after.
_IDENTITY_KEYS = frozenset({"nik", "kk"})
_PHONE_KEYS = frozenset({"phone", "telepon", "hp", "handphone", "msisdn", "whatsapp", "wa"})
_SECRET_KEYS = frozenset(
    {"password", "pin", "otp", "token", "secret", "hash", "authorization", "cookie", "key"}
)
REDACTED = "[redacted]"
SYSTEM_ACTOR_LABEL = "system"


# --- Helpers ------------------------------------------------------------------------------------


def mask_personal_data(data: Any) -> Any:
    """A JSON-ready copy of ``data`` with personal data masked and secrets redacted.

    Keys naming a NIK/KK (``nik``, ``mother_nik``, ``no_kk``) or a phone are masked; keys
    naming secrets (password, PIN, OTP, tokens, blind-index hashes) are redacted; any 16-digit
    run or phone number inside other strings is masked too.
    """
    normalised = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return _mask(normalised, key_tokens=frozenset())


def _mask(value: Any, *, key_tokens: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {str(k): _mask(v, key_tokens=_tokens(str(k))) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, key_tokens=key_tokens) for v in value]
    if value is None or value == "" or isinstance(value, bool):
        return value
    if key_tokens & _SECRET_KEYS:
        return REDACTED
    if key_tokens & _IDENTITY_KEYS:
        return mask_identity_number(str(value))
    if key_tokens & _PHONE_KEYS:
        return mask_phone(str(value))
    if isinstance(value, str):
        # PostgreSQL's jsonb cannot store NUL characters.
        return mask_text(value).replace("\x00", "")
    if isinstance(value, int) and len(str(abs(value))) >= 15:
        return mask_text(str(value))
    return value


def _tokens(key: str) -> frozenset[str]:
    return frozenset(_KEY_TOKENS.findall(key.lower()))


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's IP: ``REMOTE_ADDR``, or the proxy's ``X-Forwarded-For`` when trusted.

    With ``TRUST_X_FORWARDED_FOR`` the last address is used: the one our own proxy appended
    (earlier ones are whatever the client sent).
    """
    if request is None:
        return None
    candidates = []
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            candidates.append(forwarded.split(",")[-1].strip())
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for candidate in candidates:
        normalised = _normalise_ip(candidate)
        if normalised:
            return normalised
    return None


def _normalise_ip(value: str) -> str | None:
    # One spelling per address, so that the hash computed before saving matches the value
    # read back from PostgreSQL's inet column.
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return address.compressed


def _actor_fields(actor: AbstractBaseUser | AnonymousUser | None) -> tuple[Any, str, str]:
    if actor is None:
        return None, SYSTEM_ACTOR_LABEL, ""
    if not actor.is_authenticated or actor.pk is None:
        return None, "anonymous", "anonymous"
    role = str(getattr(actor, "role", "") or "")
    # Staff are named (accountability); citizens only by id (their e-mail is personal data).
    if role and role != "citizen":
        label = f"{actor.get_username()} (#{actor.pk})"
    else:
        label = f"#{actor.pk}"
    return actor, label[:200], role


def _lock_chain_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # First entry ever: create the head row; a concurrent creator makes one of us wait
        # on the primary key and then read the committed row.
        try:
            with transaction.atomic():
                AuditChainHead.objects.create(pk=1)
        except IntegrityError:
            pass
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


# --- Services -----------------------------------------------------------------------------------


@transaction.atomic
def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
    summary: str = "",
) -> AuditEntry:
    """Append one entry to the audit chain, inside the caller's transaction.

    ``actor`` ``None`` means the system (a task or command). ``action`` is
    ``"<area>.<verb>"``, e.g. ``"complaint.submit"``. ``summary`` is plain English for the
    audit reader and must not contain personal data (16-digit runs are masked anyway).
    """
    if not _ACTION.match(action):
        raise ValueError("action must look like 'area.verb' (lowercase, dot-separated).")
    if obj is not None:
        if obj.pk is None:
            raise ValueError("Audit an object after it has been saved.")
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    actor_obj, actor_label, actor_role = _actor_fields(actor)
    request_id = request_id_var.get()

    head = _lock_chain_head()
    entry = AuditEntry(
        created_at=timezone.now(),
        actor=actor_obj,
        actor_label=actor_label,
        actor_role=actor_role,
        action=action,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id)[:64],
        ip_address=client_ip(request),
        request_id="" if request_id == "-" else request_id[:64],
        summary=mask_text(summary),
        before=None if before is None else mask_personal_data(before),
        after=None if after is None else mask_personal_data(after),
        prev_hash=head.last_hash,
    )
    entry.entry_hash = entry.compute_hash()
    entry.save()
    head.last_entry_id = entry.pk
    head.last_hash = entry.entry_hash
    head.entry_count += 1
    head.save(update_fields=["last_entry_id", "last_hash", "entry_count"])
    return entry


@transaction.atomic
def audit_personal_data_read(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    obj: models.Model,
    fields: Iterable[str],
    request: HttpRequest | None,
) -> AuditEntry:
    """Record that ``actor`` (an officer) saw the unmasked ``fields`` of ``obj`` (T18)."""
    names = sorted(set(fields))
    if not names:
        raise ValueError("Name the personal-data fields that were shown.")
    return audit_record(
        actor=actor,
        action="personal_data.read",
        obj=obj,
        after={"fields": names},
        request=request,
        summary="Personal data read: " + ", ".join(names),
    )


# --- Selectors ----------------------------------------------------------------------------------


def can_view_audit_log(user: AbstractBaseUser | AnonymousUser) -> bool:
    """City administrators only: the officers being audited never see or touch the log."""
    return bool(
        user.is_authenticated
        and user.is_active
        and getattr(user, "is_staff", False)
        and getattr(user, "role", None) == "city_admin"
    )


def audit_entries_for_object(*, obj: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("id")


def audit_entries_by_actor(*, actor: AbstractBaseUser) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(actor_id=actor.pk).order_by("id")


@dataclass(frozen=True)
class ChainVerification:
    ok: bool
    checked: int
    broken_entry_id: int | None = None
    reason: str = ""


def audit_chain_verify(*, batch_size: int = 1000) -> ChainVerification:
    """Walk the chain in id order, in batches; report the first broken link.

    Entries appended while the walk runs (after the head snapshot) are not checked.
    """
    head = AuditChainHead.objects.filter(pk=1).first()
    last_id = head.last_entry_id if head else None
    expected_prev = GENESIS_HASH
    checked = 0
    cursor = 0
    entries = AuditEntry.objects.order_by("id")
    if last_id is not None:
        entries = entries.filter(id__lte=last_id)
    elif entries.exists():
        first = entries.first()
        assert first is not None
        return ChainVerification(
            False, 0, first.pk, "entries exist that the chain head does not account for"
        )
    while True:
        batch = list(entries.filter(id__gt=cursor)[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.prev_hash != expected_prev:
                return ChainVerification(
                    False,
                    checked,
                    entry.pk,
                    "previous-hash link broken (an earlier entry was removed or altered)",
                )
            if entry.compute_hash() != entry.entry_hash:
                return ChainVerification(
                    False, checked, entry.pk, "content does not match its hash (entry altered)"
                )
            expected_prev = entry.entry_hash
            checked += 1
            cursor = entry.pk
    if head is not None and (head.last_hash != expected_prev or head.entry_count != checked):
        return ChainVerification(
            False,
            checked,
            head.last_entry_id,
            "the newest entries are missing (chain ends before the recorded head)",
        )
    return ChainVerification(True, checked)


# --- Database-level guard -------------------------------------------------------------------

_PG_TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id')
       AND NEW.actor_id IS NULL THEN
        -- The only change allowed: ON DELETE SET NULL of the actor (not part of the hash).
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'core_auditentry is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
"""

_PG_TRUNCATE_TRIGGER_SQL = """
DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;
CREATE TRIGGER core_auditentry_no_truncate
    BEFORE TRUNCATE ON core_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_append_only();
"""

PG_DROP_TRIGGERS_SQL = """
DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_append_only();
"""


def install_audit_triggers(
    connection: BaseDatabaseWrapper, *, guard_truncate: bool = False
) -> bool:
    """Install PostgreSQL triggers refusing UPDATE/DELETE on the audit table (idempotent).

    For a migration: ``RunPython(lambda apps, se: install_audit_triggers(se.connection))``.
    Returns ``False`` (and does nothing) on other databases. ``guard_truncate`` also refuses
    TRUNCATE; leave it off where tests flush the database with TRUNCATE (pytest-django's
    ``transaction=True`` tests); in production also revoke TRUNCATE from the app's role.
    """
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(_PG_TRIGGER_SQL)
        if guard_truncate:
            cursor.execute(_PG_TRUNCATE_TRIGGER_SQL)
    return True
