"""Backups that can be checked before they are trusted, and restores that check first.

A backup folder holds::

    database.dump | database.sqlite3   pg_dump -Fc, or SQLite's online backup of the live file
    files.tar                          the private upload folder
    snapshot.json                      verify_integrity of exactly the dumped state
    manifest.json                      every part with its size and SHA-256, written LAST

A folder without ``manifest.json`` is an incomplete backup. ``backup_check`` verifies the
manifest, every part's size and SHA-256, and that the database part and the tar are readable;
``backup_restore`` runs it first and touches nothing when it fails (the lesson of OpenCRVS
#10682: a restore script wiped every database because one backup part was missing).

PostgreSQL: the snapshot and ``pg_dump`` read the same exported transaction snapshot, so
``snapshot.json`` describes exactly what is in the dump even while citizens keep submitting.
SQLite: the backup copy and the snapshot run inside one transaction that holds the write lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import connections, transaction
from django.db.utils import load_backend
from django.utils import timezone

from kotapintar.core.backup.integrity import (
    Difference,
    integrity_snapshot,
    snapshot_compare,
    snapshot_dumps,
    snapshot_models,
)

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "kotapintar-backup/1"
SNAPSHOT = "snapshot.json"
FILES = "files.tar"
DATABASE_PARTS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# Rows that ``migrate`` itself creates: a target holding only these counts as empty.
_MIGRATE_ONLY = {"contenttypes.contenttype", "auth.permission"}


class BackupError(Exception):
    """The backup cannot be made or is incomplete/corrupt; nothing was changed."""


@dataclass
class RestoreResult:
    differences: list[Difference] = field(default_factory=list)
    files_restored: int = 0


# --- helpers ---------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _vendor(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in DATABASE_PARTS:
        raise BackupError(f"Unsupported database vendor {vendor!r}.")
    return vendor


def _pg_env(using: str) -> dict[str, str]:
    """libpq environment for pg_dump/pg_restore: the password never appears in argv."""
    settings_dict = connections[using].settings_dict
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def _run(command: list[str], *, env: dict[str, str] | None = None) -> str:
    completed = subprocess.run(  # noqa: S603 - fixed executables, arguments are our own paths
        command, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise BackupError(f"{command[0]} failed: {completed.stderr.strip()[:2000]}")
    return completed.stdout


def storage_location(storage: Storage | None = None) -> Path:
    """The private upload folder (only local storage can be archived by ``backup_data``)."""
    storage = storage or default_storage
    if not isinstance(storage, FileSystemStorage):
        raise BackupError(
            "Uploads are on object storage (S3): back the bucket up with its own versioning or "
            "replication; backup_data archives only a local PRIVATE_MEDIA_ROOT."
        )
    return Path(storage.location)


# --- backup ----------------------------------------------------------------------------------


def backup_create(
    *, target: Path, using: str = "default", storage: Storage | None = None
) -> dict[str, Any]:
    """Write a complete backup into the new or empty folder ``target``; return the manifest."""
    vendor = _vendor(using)
    location = storage_location(storage)
    target.mkdir(parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise BackupError(f"{target} is not empty: use a new folder for every backup.")
    database_part = target / DATABASE_PARTS[vendor]
    if vendor == "postgresql":
        snapshot = _dump_postgresql(database_part, using=using, storage=storage)
    else:
        snapshot = _dump_sqlite(database_part, using=using, storage=storage)
    # Files after the database: an upload is stored before its row commits, so every file a
    # dumped row names is already on disk (newer files are harmless orphans).
    _archive_files(location, target / FILES)
    _fsync_write(target / SNAPSHOT, snapshot_dumps(snapshot))
    parts = {}
    for name in (database_part.name, FILES, SNAPSHOT):
        path = target / name
        parts[name] = {"size": path.stat().st_size, "sha256": _sha256(path)}
    manifest = {
        "format": MANIFEST_FORMAT,
        "created_at": timezone.now().isoformat(),
        "database_vendor": vendor,
        "parts": parts,
    }
    _fsync_write(target / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def _dump_postgresql(path: Path, *, using: str, storage: Storage | None) -> dict[str, Any]:
    connection = connections[using]
    env = _pg_env(using)
    if connection.in_atomic_block:
        raise BackupError("Run backup_data outside a transaction.")
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
        _run(["pg_dump", "-Fc", f"--snapshot={snapshot_id}", "-f", str(path)], env=env)
        snapshot, _problems = integrity_snapshot(using=using, storage=storage)
    return snapshot


def _dump_sqlite(path: Path, *, using: str, storage: Storage | None) -> dict[str, Any]:
    """SQLite's online backup copies a consistent state in one step; the snapshot is then taken
    from the copy itself, so it describes exactly what was saved."""
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("Run backup_data outside a transaction.")
    connection.ensure_connection()
    with contextlib_closing(sqlite3.connect(path)) as destination:
        connection.connection.backup(destination)
        # One self-contained file (no -wal/-shm next to it), readable in read-only mode.
        destination.execute("PRAGMA journal_mode=DELETE")
    settings_dict = {
        **connection.settings_dict,
        "NAME": f"file:{path}?mode=ro",
        "OPTIONS": {},
    }
    with temporary_database(settings_dict) as alias:
        snapshot, _problems = integrity_snapshot(using=alias, storage=storage)
    return snapshot


@contextmanager
def temporary_database(settings_dict: dict[str, Any]) -> Iterator[str]:
    """A connection to another database (e.g. a backup copy or a restore target) under a fresh
    alias for the duration of the block; ``settings.DATABASES`` is left alone."""
    alias = f"kotapintar_backup_{uuid.uuid4().hex[:8]}"
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    connections[alias] = wrapper
    try:
        yield alias
    finally:
        wrapper.close()
        del connections[alias]


def _archive_files(location: Path, path: Path) -> None:
    with tarfile.open(path, "w") as archive:
        if location.exists():
            for entry in sorted(location.rglob("*")):
                if entry.is_file() and not entry.is_symlink():
                    archive.add(entry, arcname=entry.relative_to(location).as_posix())
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


# --- check -----------------------------------------------------------------------------------


def backup_check(*, source: Path, using: str = "default") -> dict[str, Any]:
    """Raise ``BackupError`` unless every part of the backup is present, intact and readable.

    Reads only the backup folder; the target database and storage are not touched.
    """
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{MANIFEST} is missing: the backup in {source} is incomplete.")
    try:
        manifest = json.loads(manifest_path.read_text())
        parts: dict[str, dict[str, Any]] = manifest["parts"]
        vendor = manifest["database_vendor"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{MANIFEST} is unreadable: {exc}") from exc
    if manifest.get("format") != MANIFEST_FORMAT:
        raise BackupError(f"{MANIFEST} has an unknown format.")
    target_vendor = _vendor(using)
    if vendor != target_vendor:
        raise BackupError(f"The backup is of a {vendor} database; the target is {target_vendor}.")
    database_name = DATABASE_PARTS[vendor]
    for required in (database_name, FILES, SNAPSHOT):
        if required not in parts:
            raise BackupError(f"The manifest does not list {required}: the backup is incomplete.")
    for name, expected in parts.items():
        if PurePosixPath(name).name != name:
            raise BackupError(f"The manifest names an unsafe part {name!r}.")
        path = source / name
        if not path.is_file():
            raise BackupError(f"Part {name} is missing from {source}.")
        size = path.stat().st_size
        if size != expected.get("size"):
            raise BackupError(
                f"Part {name} has {size} bytes, the manifest says {expected['size']}."
            )
        if _sha256(path) != expected.get("sha256"):
            raise BackupError(f"Part {name} is corrupt: its SHA-256 differs from the manifest.")
    _check_database_part(source / database_name, vendor=vendor)
    _check_files_part(source / FILES)
    try:
        snapshot = json.loads((source / SNAPSHOT).read_text())
        if not isinstance(snapshot["tables"], dict):
            raise TypeError("tables")
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{SNAPSHOT} is unreadable: {exc}") from exc
    return manifest


def _check_database_part(path: Path, *, vendor: str) -> None:
    if vendor == "postgresql":
        try:
            listing = _run(["pg_restore", "--list", str(path)])
        except BackupError as exc:
            raise BackupError(f"{path.name} is not a readable pg_dump archive ({exc}).") from exc
        if "TABLE DATA" not in listing:
            raise BackupError(f"{path.name} holds no table data.")
        return
    try:
        with contextlib_closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as database:
            result = database.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path.name} is not a readable SQLite database: {exc}") from exc
    if result is None or result[0] != "ok":
        raise BackupError(f"{path.name} fails SQLite's integrity check.")


@contextmanager
def contextlib_closing(database: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    try:
        yield database
    finally:
        database.close()


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = archive.getmembers()
    for member in members:
        path = PurePosixPath(member.name)
        if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"{FILES} contains an unsafe entry; refusing to unpack it.")
    return members


def _check_files_part(path: Path) -> None:
    try:
        with tarfile.open(path, "r:") as archive:
            _safe_members(archive)
    except tarfile.TarError as exc:
        raise BackupError(f"{FILES} is not a readable tar archive: {exc}") from exc


# --- restore ---------------------------------------------------------------------------------


def target_contents(*, using: str = "default") -> dict[str, int]:
    """Rows per table that a restore would replace (tables ``migrate`` alone fills left out)."""
    counts = {}
    for model in snapshot_models(using=using):
        label = model._meta.label_lower
        if label in _MIGRATE_ONLY:
            continue
        rows = model._default_manager.db_manager(using).count()
        if rows:
            counts[label] = rows
    return counts


def backup_restore(
    *, source: Path, using: str = "default", storage: Storage | None = None
) -> RestoreResult:
    """Check the backup, then replace the database and unpack the files, then verify.

    Raises ``BackupError`` before changing anything when the backup is incomplete or corrupt.
    """
    manifest = backup_check(source=source, using=using)
    vendor = manifest["database_vendor"]
    location = storage_location(storage)
    database_part = source / DATABASE_PARTS[vendor]
    if vendor == "postgresql":
        connections[using].close()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "-d",
                connections[using].settings_dict["NAME"],
                str(database_part),
            ],
            env=_pg_env(using),
        )
    else:
        _restore_sqlite(database_part, using=using)
    result = RestoreResult()
    result.files_restored = _unpack_files(source / FILES, location)
    expected = json.loads((source / SNAPSHOT).read_text())
    found, _problems = integrity_snapshot(using=using, storage=storage)
    result.differences = snapshot_compare(expected, found)
    return result


def _restore_sqlite(path: Path, *, using: str) -> None:
    """Copy the backup into the live database through SQLite's backup API (atomic, WAL-safe)."""
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("Run restore_data outside a transaction.")
    connection.ensure_connection()
    with contextlib_closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as backup:
        backup.backup(connection.connection)


def _unpack_files(path: Path, location: Path) -> int:
    """Unpack into a staging folder next to the storage, then move files into place."""
    location.mkdir(parents=True, exist_ok=True)
    restored = 0
    with (
        tempfile.TemporaryDirectory(dir=location.parent, prefix=".restore-") as staging,
        tarfile.open(path, "r:") as archive,
    ):
        members = _safe_members(archive)
        archive.extractall(staging, members=members, filter="data")
        for member in members:
            if not member.isfile():
                continue
            destination = location / member.name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(Path(staging) / member.name, destination)
            restored += 1
    return restored
