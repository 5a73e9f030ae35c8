"""Integrity snapshot of the whole database and the stored files, and a comparison of two.

A snapshot holds no personal data: row counts, counts per ``status`` value, checksums, and
hashed identifiers of stored files that are missing or damaged. Two snapshots taken before
and after a migration, a restore or a rollback must be identical.

Checksum per table ("content checksum")
    Every local concrete column of every row (foreign keys as their id) is encoded in a
    canonical, database-independent form (UTC ISO timestamps, ``Decimal`` normalised, UUIDs
    as hex, JSON with sorted keys) and hashed with SHA-256. The row hashes are **added**
    modulo 2**256, so the result does not depend on row order or on the database's collation,
    and one pass streams the table in primary-key order with ``iterator(chunk_size=...)``.
    Encrypted columns (any field with its own ``from_db_value`` outside Django, e.g.
    ``EncryptedTextField``) are read as stored (the ciphertext, cast to text): nothing is
    decrypted. This is more work than hashing the primary key and an ``updated_at`` column,
    but it also catches a changed status, officer assignment or SLA clock in tables that have
    no ``updated_at``, and a row edited with ``queryset.update()`` (which skips ``auto_now``).
    Cost, measured on the shared development machine: about 36 s of hashing per million rows
    of eleven columns on one core, plus the database read; memory stays flat (streamed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.storage import Storage, default_storage
from django.db import connections, models
from django.db.models import Count, F, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from kotapintar.core.models.files import StoredFile

SNAPSHOT_FORMAT = "kotapintar-integrity/1"
CHECKSUM_METHOD = "sha256-rows-sum-mod-2^256/v1"
_MODULUS = 2**256
_FILE_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Difference:
    subject: str
    expected: str
    found: str

    def __str__(self) -> str:
        return f"{self.subject}: expected {self.expected}, found {self.found}"


# --- Discovery -----------------------------------------------------------------------------


def snapshot_models(*, using: str = "default") -> list[type[models.Model]]:
    """Concrete, managed models of every installed app whose table exists, one per table."""
    existing = set(connections[using].introspection.table_names())
    seen: set[str] = set()
    found: list[type[models.Model]] = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        if meta.db_table in seen or meta.db_table not in existing:
            continue
        seen.add(meta.db_table)
        found.append(model)
    return sorted(found, key=lambda m: m._meta.label_lower)


def _reads_ciphertext(field: models.Field[Any, Any]) -> bool:
    """A field that converts what the database returns outside Django (e.g. decryption)."""
    return hasattr(field, "from_db_value") and not type(field).__module__.startswith("django.")


# --- Canonical encoding and checksums --------------------------------------------------------


def _canonical(value: Any) -> str:
    if value is None:
        return "\x00"
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, int | str):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value.total_seconds())
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return str(value)


def _row_digest(row: Iterable[Any]) -> int:
    encoded = json.dumps([_canonical(v) for v in row], ensure_ascii=False, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(encoded.encode()).digest(), "big")


class RowChecksum:
    """Order-independent checksum: the sum of the rows' SHA-256 values modulo 2**256."""

    def __init__(self) -> None:
        self.total = 0
        self.rows = 0

    def add(self, row: Iterable[Any]) -> None:
        self.total = (self.total + _row_digest(row)) % _MODULUS
        self.rows += 1

    def hexdigest(self) -> str:
        return f"{self.total:064x}"


def _stream(
    queryset: models.QuerySet[Any, Any], fields: list[str], chunk_size: int
) -> Iterator[Any]:
    return queryset.values_list(*fields).order_by("pk").iterator(chunk_size=chunk_size)


def table_snapshot(
    model: type[models.Model], *, using: str = "default", chunk_size: int = 2000
) -> dict[str, Any]:
    """Row count, content checksum and (when the model has ``status``) counts per status."""
    queryset = model._default_manager.db_manager(using).all()
    names: list[str] = []
    casts: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if _reads_ciphertext(field):
            alias = f"_integrity_raw_{field.attname}"
            casts[alias] = Cast(F(field.attname), output_field=TextField())
            names.append(alias)
        else:
            names.append(field.attname)
    if casts:
        queryset = queryset.annotate(**casts)
    checksum = RowChecksum()
    for row in _stream(queryset, names, chunk_size):
        checksum.add(row)
    result: dict[str, Any] = {
        "table": model._meta.db_table,
        "rows": checksum.rows,
        "checksum": checksum.hexdigest(),
    }
    status_field = next((f for f in model._meta.concrete_fields if f.name == "status"), None)
    if status_field is not None:
        counts = (
            model._default_manager.db_manager(using)
            .values_list("status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        result["status"] = {
            ("null" if value is None else str(value)): n for value, n in sorted(counts, key=str)
        }
    return result


def accounts_snapshot(*, using: str = "default", chunk_size: int = 2000) -> dict[str, Any]:
    """Accounts and their credentials: a login after a migration must work with the same
    password. The checksum covers pk, password hash and ``is_active``; none are written out."""
    user_model = get_user_model()
    queryset = user_model._default_manager.db_manager(using).all()
    checksum = RowChecksum()
    active = 0
    for pk, password, is_active in _stream(queryset, ["pk", "password", "is_active"], chunk_size):
        checksum.add((pk, password, is_active))
        active += bool(is_active)
    return {"users": checksum.rows, "active": active, "credentials_checksum": checksum.hexdigest()}


def hashed_id(value: Any) -> str:
    """A stored file's id as written into snapshots: hashed, so the file is not addressable."""
    return hashlib.sha256(str(value).encode()).hexdigest()[:24]


def _file_digest(storage: Storage, name: str) -> tuple[int, str] | None:
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        return None
    digest = hashlib.sha256()
    size = 0
    with handle:
        while chunk := handle.read(_FILE_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


@dataclass
class FileProblem:
    file_id: str
    problem: str  # "missing" | "size" | "sha256" (with "original " prefix for kept originals)


def files_check(
    *, using: str = "default", storage: Storage | None = None, chunk_size: int = 500
) -> tuple[dict[str, Any], list[FileProblem]]:
    """Re-hash every ``StoredFile`` object (and kept original) in storage against its row."""
    storage = storage or default_storage
    problems: list[FileProblem] = []
    total_bytes = 0
    count = 0
    fields = [
        "pk",
        "storage_name",
        "size",
        "sha256",
        "original_storage_name",
        "original_size",
        "original_sha256",
    ]
    queryset = StoredFile._default_manager.db_manager(using).all()
    for pk, name, size, sha, original_name, original_size, original_sha in _stream(
        queryset, fields, chunk_size
    ):
        count += 1
        objects = [("", name, size, sha)]
        if original_name and original_name != name:
            objects.append(("original ", original_name, original_size, original_sha))
        for prefix, object_name, expected_size, expected_sha in objects:
            found = _file_digest(storage, object_name)
            if found is None:
                problems.append(FileProblem(str(pk), f"{prefix}missing"))
                continue
            total_bytes += found[0]
            if found[0] != expected_size:
                problems.append(FileProblem(str(pk), f"{prefix}size"))
            elif found[1] != expected_sha:
                problems.append(FileProblem(str(pk), f"{prefix}sha256"))
    summary = {
        "checked": True,
        "count": count,
        "total_bytes": total_bytes,
        "missing": sorted(hashed_id(p.file_id) for p in problems if p.problem.endswith("missing")),
        "mismatched": sorted(
            hashed_id(p.file_id) for p in problems if not p.problem.endswith("missing")
        ),
    }
    return summary, problems


def integrity_snapshot(
    *,
    using: str = "default",
    check_files: bool = True,
    storage: Storage | None = None,
    chunk_size: int = 2000,
) -> tuple[dict[str, Any], list[FileProblem]]:
    """The snapshot (JSON-ready, no personal data) and the list of file problems (with ids,
    for the operator's terminal only)."""
    tables = {
        model._meta.label_lower: table_snapshot(model, using=using, chunk_size=chunk_size)
        for model in snapshot_models(using=using)
    }
    problems: list[FileProblem] = []
    if check_files:
        files, problems = files_check(using=using, storage=storage)
    else:
        files = {
            "checked": False,
            "count": StoredFile._default_manager.db_manager(using).count(),
        }
    snapshot = {
        "format": SNAPSHOT_FORMAT,
        "created_at": timezone.now().astimezone(dt.UTC).isoformat(),
        "database_vendor": connections[using].vendor,
        "checksum_method": CHECKSUM_METHOD,
        "tables": tables,
        "accounts": accounts_snapshot(using=using, chunk_size=chunk_size),
        "files": files,
    }
    return snapshot, problems


# --- Comparison ------------------------------------------------------------------------------


def _compare_value(out: list[Difference], subject: str, expected: Any, found: Any) -> None:
    if expected != found:
        out.append(Difference(subject, str(expected), str(found)))


def snapshot_compare(
    before: dict[str, Any], after: dict[str, Any], *, ignore: Iterable[str] = ()
) -> list[Difference]:
    """Every difference between two snapshots (empty when identical).

    ``ignore`` lists model labels (``sessions.session``) whose changes are expected.
    """
    if before.get("format") != SNAPSHOT_FORMAT or after.get("format") != SNAPSHOT_FORMAT:
        raise ValueError("not a Kota Pintar integrity snapshot (format)")
    if before.get("checksum_method") != after.get("checksum_method"):
        raise ValueError("the snapshots use different checksum methods")
    skipped = {label.lower() for label in ignore}
    out: list[Difference] = []
    tables_before: dict[str, Any] = before["tables"]
    tables_after: dict[str, Any] = after["tables"]
    for label in sorted(set(tables_before) | set(tables_after)):
        if label in skipped:
            continue
        old, new = tables_before.get(label), tables_after.get(label)
        if old is None or new is None:
            present = old or new or {}
            if present.get("rows", 0):
                _compare_value(
                    out,
                    f"{label} table",
                    "present" if old else "absent",
                    "present" if new else "absent",
                )
            continue
        _compare_value(out, f"{label} rows", old["rows"], new["rows"])
        if old["rows"] == new["rows"]:
            _compare_value(out, f"{label} content checksum", old["checksum"], new["checksum"])
        old_status: dict[str, int] = old.get("status", {})
        new_status: dict[str, int] = new.get("status", {})
        for value in sorted(set(old_status) | set(new_status)):
            _compare_value(
                out,
                f"{label} status={value}",
                old_status.get(value, 0),
                new_status.get(value, 0),
            )
    old_accounts, new_accounts = before["accounts"], after["accounts"]
    _compare_value(out, "accounts users", old_accounts["users"], new_accounts["users"])
    _compare_value(out, "accounts active", old_accounts["active"], new_accounts["active"])
    if old_accounts["credentials_checksum"] != new_accounts["credentials_checksum"]:
        out.append(Difference("accounts password hashes / active flags", "unchanged", "changed"))
    old_files, new_files = before["files"], after["files"]
    _compare_value(out, "files count", old_files["count"], new_files["count"])
    if old_files.get("checked") and new_files.get("checked"):
        _compare_value(out, "files total bytes", old_files["total_bytes"], new_files["total_bytes"])
        for key in ("missing", "mismatched"):
            lost = sorted(set(new_files[key]) - set(old_files[key]))
            if lost or len(new_files[key]) != len(old_files[key]):
                _compare_value(out, f"files {key}", len(old_files[key]), len(new_files[key]))
    return out


def snapshot_dumps(snapshot: dict[str, Any]) -> str:
    return json.dumps(snapshot, indent=2, sort_keys=True) + "\n"
