"""verify_integrity: exact counts, content checksums, file re-hashing, comparison exit codes."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kotapintar.accounts.models import User
from kotapintar.complaints.models import Complaint, Status
from kotapintar.complaints.tests.factories import (
    ComplaintFactory,
    ComplaintPhotoFactory,
    jpeg_upload,
)
from kotapintar.core.backup.integrity import (
    hashed_id,
    integrity_snapshot,
    snapshot_compare,
)
from kotapintar.core.models.files import StoredFile
from kotapintar.core.tests.test_uploads_samples import use_private_storage
from kotapintar.core.uploads import store_upload
from kotapintar.testing.factories import CitizenFactory

pytestmark = pytest.mark.django_db

NIK = "1271010101900001"


@pytest.fixture
def storage_dir(settings: Any, tmp_path: Path) -> Path:
    return use_private_storage(settings, tmp_path)


@pytest.fixture
def data(storage_dir: Path) -> dict[str, Any]:
    citizen = CitizenFactory(email="budi@contoh.id")
    citizen.nik = NIK
    citizen.phone = "081234567890"
    citizen.save()
    received = [ComplaintFactory(status=Status.RECEIVED, reporter=citizen) for _ in range(2)]
    disposed = ComplaintFactory(status=Status.DISPOSED, reporter=citizen)
    stored = store_upload(uploaded_file=jpeg_upload(), uploaded_by=citizen)
    ComplaintPhotoFactory(complaint=disposed, file=stored)
    return {"citizen": citizen, "received": received, "disposed": disposed, "file": stored}


def _run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_integrity", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def _save_snapshot(tmp_path: Path) -> Path:
    path = tmp_path / "before.json"
    code, _ = _run("--output", str(path))
    assert code == 0
    return path


def test_snapshot_counts_rows_statuses_accounts_and_files_exactly(data: dict[str, Any]) -> None:
    snapshot, problems = integrity_snapshot()

    complaints = snapshot["tables"]["complaints.complaint"]
    assert complaints["rows"] == 3
    assert complaints["status"] == {"didisposisikan": 1, "diterima": 2}
    assert complaints["table"] == "complaints_complaint"
    assert len(complaints["checksum"]) == 64
    assert snapshot["tables"]["complaints.complaintphoto"]["rows"] == 1
    assert snapshot["tables"]["core.storedfile"]["rows"] == 1
    assert snapshot["accounts"]["users"] == User.objects.count()
    assert snapshot["accounts"]["active"] == User.objects.filter(is_active=True).count()
    stored = data["file"]
    assert snapshot["files"] == {
        "checked": True,
        "count": 1,
        "total_bytes": stored.size,
        "missing": [],
        "mismatched": [],
    }
    assert problems == []


def test_checksum_reads_ciphertext_and_never_decrypts(data: dict[str, Any]) -> None:
    with mock.patch("kotapintar.core.crypto.decrypt", side_effect=AssertionError("decrypted")):
        first, _ = integrity_snapshot(check_files=False)
    second, _ = integrity_snapshot(check_files=False)
    assert first["tables"] == second["tables"]


def test_checksum_does_not_depend_on_row_order(data: dict[str, Any]) -> None:
    snapshot, _ = integrity_snapshot(check_files=False)
    with mock.patch(
        "kotapintar.core.backup.integrity._stream",
        side_effect=lambda qs, fields, chunk: reversed(
            list(qs.values_list(*fields).order_by("-pk"))
        ),
    ):
        reversed_snapshot, _ = integrity_snapshot(check_files=False)
    assert reversed_snapshot["tables"] == snapshot["tables"]
    assert reversed_snapshot["accounts"] == snapshot["accounts"]


def test_compare_with_identical_state_exits_0(data: dict[str, Any], tmp_path: Path) -> None:
    before = _save_snapshot(tmp_path)

    code, output = _run("--compare", str(before))

    assert code == 0
    assert "IDENTICAL" in output


def test_compare_detects_an_added_row(data: dict[str, Any], tmp_path: Path) -> None:
    before = _save_snapshot(tmp_path)
    ComplaintFactory(status=Status.RECEIVED, reporter=data["citizen"])

    code, output = _run("--compare", str(before))

    assert code == 1
    assert re.search(r"complaints\.complaint rows\s+3 -> 4", output)
    assert re.search(r"complaints\.complaint status=diterima\s+2 -> 3", output)


def test_compare_detects_a_removed_row(data: dict[str, Any], tmp_path: Path) -> None:
    before = _save_snapshot(tmp_path)
    data["received"][0].delete()

    code, output = _run("--compare", str(before))

    assert code == 1
    assert re.search(r"complaints\.complaint rows\s+3 -> 2", output)


def test_compare_detects_a_changed_row_without_updated_timestamp(
    data: dict[str, Any], tmp_path: Path
) -> None:
    before = _save_snapshot(tmp_path)
    # queryset.update() bypasses auto_now: only the content checksum can notice.
    Complaint.objects.filter(pk=data["received"][0].pk).update(title="Diubah diam-diam")

    code, output = _run("--compare", str(before))

    assert code == 1
    assert "complaints.complaint content checksum" in output
    assert "rows" not in output.split("DIFFERENT", 1)[1]


def test_compare_detects_a_status_change(data: dict[str, Any], tmp_path: Path) -> None:
    before = _save_snapshot(tmp_path)
    Complaint.objects.filter(pk=data["received"][0].pk).update(status=Status.REJECTED)

    code, output = _run("--compare", str(before))

    assert code == 1
    assert re.search(r"complaints\.complaint status=diterima\s+2 -> 1", output)
    assert re.search(r"complaints\.complaint status=ditolak\s+0 -> 1", output)


def test_compare_detects_a_changed_password_without_printing_it(
    data: dict[str, Any], tmp_path: Path
) -> None:
    before = _save_snapshot(tmp_path)
    citizen = data["citizen"]
    old_hash = User.objects.get(pk=citizen.pk).password
    citizen.set_password("kata-sandi-baru-123")
    citizen.save(update_fields=["password"])

    code, output = _run("--compare", str(before))

    assert code == 1
    assert "accounts password hashes / active flags  unchanged -> changed" in output
    assert old_hash not in output and citizen.password not in output


def test_compare_detects_a_changed_file(
    data: dict[str, Any], storage_dir: Path, tmp_path: Path
) -> None:
    before = _save_snapshot(tmp_path)
    stored = data["file"]
    path = storage_dir / stored.storage_name
    path.write_bytes(b"X" * stored.size)  # same size, other bytes

    code, output = _run("--compare", str(before))

    assert code == 1
    assert re.search(r"files mismatched\s+0 -> 1", output)
    assert f"stored file {stored.pk}: sha256" in output


def test_compare_detects_a_missing_file(
    data: dict[str, Any], storage_dir: Path, tmp_path: Path
) -> None:
    before = _save_snapshot(tmp_path)
    stored = data["file"]
    (storage_dir / stored.storage_name).unlink()

    code, output = _run("--compare", str(before))

    assert code == 1
    assert re.search(r"files missing\s+0 -> 1", output)
    assert f"stored file {stored.pk}: missing" in output


def test_missing_file_alone_exits_1_without_compare(
    data: dict[str, Any], storage_dir: Path
) -> None:
    (storage_dir / data["file"].storage_name).unlink()

    code, output = _run()

    assert code == 1
    assert "1 missing" in output


def test_no_files_skips_rehashing_but_still_counts(
    data: dict[str, Any], storage_dir: Path, tmp_path: Path
) -> None:
    (storage_dir / data["file"].storage_name).unlink()

    code, _output = _run("--no-files", "--output", str(tmp_path / "s.json"))

    assert code == 0
    assert json.loads((tmp_path / "s.json").read_text())["files"] == {"checked": False, "count": 1}


def test_ignore_skips_an_expected_table(data: dict[str, Any], tmp_path: Path) -> None:
    before = _save_snapshot(tmp_path)
    Complaint.objects.filter(pk=data["received"][0].pk).update(title="Diubah")

    code, _ = _run("--compare", str(before), "--ignore", "complaints.complaint")

    assert code == 0


def test_snapshot_file_has_no_personal_data(data: dict[str, Any], tmp_path: Path) -> None:
    path = _save_snapshot(tmp_path)
    text = path.read_text()

    # Checksums are hex; a NIK would be a 16-digit run that is not part of a hex string.
    assert not re.search(r"(?<![0-9a-f])\d{16}(?![0-9a-f])", text)
    assert NIK not in text
    assert "@" not in text
    assert "0812" not in text
    assert str(data["file"].pk) not in text
    assert data["file"].storage_name not in text
    assert data["citizen"].password not in text


def test_missing_file_is_listed_hashed_in_the_snapshot(
    data: dict[str, Any], storage_dir: Path
) -> None:
    stored: StoredFile = data["file"]
    (storage_dir / stored.storage_name).unlink()

    snapshot, problems = integrity_snapshot()

    assert snapshot["files"]["missing"] == [hashed_id(stored.pk)]
    assert [(p.file_id, p.problem) for p in problems] == [(str(stored.pk), "missing")]


def test_compare_refuses_a_file_that_is_not_a_snapshot(data: dict[str, Any]) -> None:
    snapshot, _ = integrity_snapshot(check_files=False)
    with pytest.raises(ValueError, match="format"):
        snapshot_compare({"format": "x"}, snapshot)


def test_every_concrete_model_of_every_app_is_discovered(data: dict[str, Any]) -> None:
    from django.apps import apps
    from django.db import connection

    snapshot, _ = integrity_snapshot(check_files=False)

    existing = set(connection.introspection.table_names())
    expected = {
        model._meta.label_lower
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed and model._meta.db_table in existing
    }
    assert set(snapshot["tables"]) == expected
    # Auto-created many-to-many tables and third-party apps are covered, not only ours.
    assert {"accounts.user_groups", "authtoken.token", "sessions.session"} <= set(
        snapshot["tables"]
    )
