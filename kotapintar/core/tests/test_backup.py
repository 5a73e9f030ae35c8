"""backup_data / restore_data: round trip, and a restore that refuses an incomplete backup.

These tests commit their data (``transaction=True``): ``pg_dump`` runs in another process and
the backup holds a transaction of its own. On PostgreSQL the round trip restores into a second
database that the test creates and drops; on SQLite into a temporary database file.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kotapintar.complaints.models import Complaint, Status
from kotapintar.complaints.tests.factories import (
    ComplaintFactory,
    ComplaintPhotoFactory,
    jpeg_upload,
)
from kotapintar.core.backup.archive import (
    DATABASE_PARTS,
    BackupError,
    backup_check,
    backup_restore,
    temporary_database,
)
from kotapintar.core.backup.integrity import integrity_snapshot
from kotapintar.core.tests.test_uploads_samples import stored_paths, use_private_storage
from kotapintar.core.uploads import store_upload
from kotapintar.testing.factories import DEFAULT_PASSWORD, CitizenFactory

pytestmark = pytest.mark.django_db(transaction=True)

NIK = "1271010101900001"


@pytest.fixture
def storage_dir(settings: Any, tmp_path: Path) -> Path:
    return use_private_storage(settings, tmp_path)


@pytest.fixture
def data(storage_dir: Path) -> dict[str, Any]:
    citizen = CitizenFactory(email="budi@contoh.id")
    citizen.nik = NIK
    citizen.save()
    received = ComplaintFactory(status=Status.RECEIVED, reporter=citizen)
    disposed = ComplaintFactory(status=Status.DISPOSED, reporter=citizen)
    stored = store_upload(uploaded_file=jpeg_upload(), uploaded_by=citizen)
    ComplaintPhotoFactory(complaint=disposed, file=stored)
    return {"citizen": citizen, "received": received, "disposed": disposed, "file": stored}


@pytest.fixture
def backup_dir(data: dict[str, Any], tmp_path: Path) -> Path:
    target = tmp_path / "backup"
    call_command("backup_data", "--to", str(target), stdout=io.StringIO())
    return target


def _database_part(backup_dir: Path) -> Path:
    return backup_dir / DATABASE_PARTS[connection.vendor]


def _restore(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("restore_data", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def _state(storage_dir: Path) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    snapshot, _ = integrity_snapshot()
    files = [(name, (storage_dir / name).read_bytes()) for name in stored_paths(storage_dir)]
    return snapshot["tables"], files


# --- backup ----------------------------------------------------------------------------------


def test_backup_writes_every_part_and_the_manifest_last(backup_dir: Path) -> None:
    names = sorted(p.name for p in backup_dir.iterdir())
    assert names == sorted(
        [_database_part(backup_dir).name, "files.tar", "snapshot.json", "manifest.json"]
    )
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert sorted(manifest["parts"]) == sorted(n for n in names if n != "manifest.json")
    assert manifest["database_vendor"] == connection.vendor
    newest_part = max((backup_dir / n).stat().st_mtime_ns for n in manifest["parts"])
    assert (backup_dir / "manifest.json").stat().st_mtime_ns >= newest_part
    snapshot = json.loads((backup_dir / "snapshot.json").read_text())
    assert snapshot["tables"]["complaints.complaint"]["status"] == {
        "didisposisikan": 1,
        "diterima": 1,
    }
    assert snapshot["files"]["count"] == 1
    assert backup_check(source=backup_dir) == manifest


def test_backup_refuses_a_folder_that_is_not_empty(data: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "used"
    target.mkdir()
    (target / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup_data", "--to", str(target), stdout=io.StringIO())
    assert [p.name for p in target.iterdir()] == ["old.txt"]


def test_snapshot_and_manifest_hold_no_personal_data(
    data: dict[str, Any], backup_dir: Path
) -> None:
    for name in ("snapshot.json", "manifest.json"):
        text = (backup_dir / name).read_text()
        assert not re.search(r"(?<![0-9a-f])\d{16}(?![0-9a-f])", text), name
        assert NIK not in text
        assert "@" not in text, name


# --- round trip ------------------------------------------------------------------------------


@pytest.fixture
def second_database(tmp_path: Path) -> Iterator[str]:
    """A second, empty database (PostgreSQL: created and dropped here; SQLite: a file)."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        name = f"{connection.settings_dict['NAME']}_restore"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
    else:
        name = str(tmp_path / "restored.sqlite3")
    settings_dict["NAME"] = name
    try:
        with temporary_database(settings_dict) as alias:
            yield alias
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_round_trip_into_an_empty_database_is_identical(
    data: dict[str, Any], backup_dir: Path, second_database: str, tmp_path: Path
) -> None:
    restored_files = tmp_path / "restored-files"
    storage = FileSystemStorage(location=restored_files)

    result = backup_restore(source=backup_dir, using=second_database, storage=storage)

    assert result.differences == []
    assert result.files_restored == 1
    expected = json.loads((backup_dir / "snapshot.json").read_text())
    found, problems = integrity_snapshot(using=second_database, storage=storage)
    assert problems == []
    assert found["tables"] == expected["tables"]
    assert found["accounts"] == expected["accounts"]
    assert found["files"] == expected["files"]
    restored = Complaint.objects.using(second_database).get(pk=data["received"].pk)
    assert restored.status == Status.RECEIVED
    assert restored.reporter.nik == NIK  # same keys: personal data still readable
    assert restored.reporter.check_password(DEFAULT_PASSWORD)  # old password still works


def test_restore_command_replaces_a_changed_target_with_yes(
    data: dict[str, Any], backup_dir: Path, storage_dir: Path
) -> None:
    # After the backup: a new row, a changed status, and a lost file.
    ComplaintFactory(status=Status.RECEIVED, reporter=data["citizen"])
    Complaint.objects.filter(pk=data["received"].pk).update(status=Status.REJECTED)
    (storage_dir / data["file"].storage_name).unlink()

    code, output = _restore("--from", str(backup_dir), "--yes")

    assert code == 0, output
    assert "IDENTICAL" in output
    assert Complaint.objects.count() == 2
    assert Complaint.objects.get(pk=data["received"].pk).status == Status.RECEIVED
    assert (storage_dir / data["file"].storage_name).read_bytes()
    call_command(
        "verify_integrity", "--compare", str(backup_dir / "snapshot.json"), stdout=io.StringIO()
    )


def test_restore_without_yes_lists_what_it_would_wipe_and_changes_nothing(
    backup_dir: Path, storage_dir: Path
) -> None:
    ComplaintFactory(status=Status.RECEIVED)
    before = _state(storage_dir)

    code, output = _restore("--from", str(backup_dir))

    assert code == 3
    assert "complaints.complaint: 3 rows" in output
    assert "--yes" in output
    assert _state(storage_dir) == before


# --- refusals: the target is left exactly as it was -------------------------------------------


def _assert_refused(backup_dir: Path, storage_dir: Path, message: str) -> None:
    ComplaintFactory(status=Status.RECEIVED)  # the target differs from the backup
    before = _state(storage_dir)

    code, output = _restore("--from", str(backup_dir), "--yes")

    assert code == 2, output
    assert "REFUSED" in output
    assert message in output
    assert "Nothing was changed" in output
    assert _state(storage_dir) == before


def test_restore_refuses_when_the_files_part_is_missing(
    backup_dir: Path, storage_dir: Path
) -> None:
    (backup_dir / "files.tar").unlink()
    _assert_refused(backup_dir, storage_dir, "Part files.tar is missing")


def test_restore_refuses_a_truncated_database_dump(backup_dir: Path, storage_dir: Path) -> None:
    part = _database_part(backup_dir)
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    _assert_refused(backup_dir, storage_dir, f"Part {part.name} has")


def test_restore_refuses_a_part_with_a_wrong_checksum(backup_dir: Path, storage_dir: Path) -> None:
    snapshot = backup_dir / "snapshot.json"
    data = bytearray(snapshot.read_bytes())
    data[10] = ord("X") if data[10] != ord("X") else ord("Y")
    snapshot.write_bytes(bytes(data))  # same size, other bytes
    _assert_refused(backup_dir, storage_dir, "Part snapshot.json is corrupt")


def test_restore_refuses_without_a_manifest(backup_dir: Path, storage_dir: Path) -> None:
    (backup_dir / "manifest.json").unlink()
    _assert_refused(backup_dir, storage_dir, "manifest.json is missing")


def test_restore_refuses_a_manifest_that_leaves_out_a_part(
    backup_dir: Path, storage_dir: Path
) -> None:
    manifest_path = backup_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    del manifest["parts"]["files.tar"]
    manifest_path.write_text(json.dumps(manifest))
    _assert_refused(backup_dir, storage_dir, "does not list files.tar")


def test_restore_refuses_an_unreadable_dump_even_with_a_matching_manifest(
    backup_dir: Path, storage_dir: Path
) -> None:
    part = _database_part(backup_dir)
    part.write_bytes(b"not a database dump at all" * 100)
    manifest_path = backup_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["parts"][part.name] = {
        "size": part.stat().st_size,
        "sha256": hashlib.sha256(part.read_bytes()).hexdigest(),
    }
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(BackupError):
        backup_check(source=backup_dir)
    _assert_refused(backup_dir, storage_dir, part.name)
