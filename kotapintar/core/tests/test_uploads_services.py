"""store_upload and friends: re-encoding, metadata stripping, private storage, rollback."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import Resolver404, resolve
from PIL import Image

from kotapintar.core.models.files import StoredFile
from kotapintar.core.tests.test_uploads_samples import (
    EXIF_GPS_IFD,
    EXIF_MAKE,
    EXIF_ORIENTATION,
    HTML_PAGE,
    JS_ACTION,
    jpeg_bytes,
    pdf_bytes,
    png_bytes,
    png_header_only,
    stored_paths,
    upload,
)
from kotapintar.core.tests.test_uploads_samples import (
    use_private_storage as _use_private_storage,
)
from kotapintar.core.uploads import (
    UploadRejected,
    store_upload,
    stored_file_delete,
    stored_file_orphans_delete,
)
from kotapintar.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def storage_dir(settings: Any, tmp_path: Path) -> Path:
    return _use_private_storage(settings, tmp_path)


def _open_stored(storage_dir: Path, stored: StoredFile) -> bytes:
    return (storage_dir / stored.storage_name).read_bytes()


def test_jpeg_is_stored_without_gps_or_any_metadata(storage_dir: Path) -> None:
    original = jpeg_bytes((60, 40), gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(EXIF_GPS_IFD)  # precondition

    stored = store_upload(uploaded_file=upload("rumah.jpg", original), uploaded_by=None)

    data = _open_stored(storage_dir, stored)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    exif = image.getexif()
    assert dict(exif) == {}
    assert exif.get_ifd(EXIF_GPS_IFD) == {}
    assert EXIF_MAKE not in exif
    assert b"KameraUji" not in data
    assert b"uji komentar" not in data
    assert not {"exif", "icc_profile", "comment", "xmp"} & set(image.info)


def test_exif_orientation_is_applied_before_stripping(storage_dir: Path) -> None:
    # Stored sideways (40 wide: left red, right blue); orientation 6 says "turn clockwise".
    original = jpeg_bytes((40, 20), orientation=6, split_colours=True)

    stored = store_upload(uploaded_file=upload("miring.jpg", original), uploaded_by=None)

    image = Image.open(io.BytesIO(_open_stored(storage_dir, stored))).convert("RGB")
    assert image.size == (20, 40)
    assert (stored.width, stored.height) == (20, 40)
    top_r, _, top_b = cast(tuple[int, int, int], image.getpixel((10, 5)))
    bottom_r, _, bottom_b = cast(tuple[int, int, int], image.getpixel((10, 35)))
    assert top_r > 200 and top_b < 60  # the left (red) edge is now at the top
    assert bottom_b > 200 and bottom_r < 60
    assert EXIF_ORIENTATION not in image.getexif()


def test_longest_side_is_capped(storage_dir: Path, settings: Any) -> None:
    settings.UPLOAD_IMAGE_MAX_SIDE = 100
    stored = store_upload(
        uploaded_file=upload("besar.png", png_bytes((400, 200))), uploaded_by=None
    )
    image = Image.open(io.BytesIO(_open_stored(storage_dir, stored)))
    assert image.size == (100, 50)
    assert (stored.width, stored.height) == (100, 50)


def test_large_jpeg_is_capped_and_stays_jpeg(storage_dir: Path, settings: Any) -> None:
    settings.UPLOAD_IMAGE_MAX_SIDE = 300
    stored = store_upload(uploaded_file=upload("f.jpg", jpeg_bytes((1600, 1200))), uploaded_by=None)
    image = Image.open(io.BytesIO(_open_stored(storage_dir, stored)))
    assert (image.format, image.size) == ("JPEG", (300, 225))


def test_png_stays_png_and_keeps_transparency(storage_dir: Path) -> None:
    stored = store_upload(
        uploaded_file=upload("logo.png", png_bytes((8, 8), "RGBA")), uploaded_by=None
    )
    image = Image.open(io.BytesIO(_open_stored(storage_dir, stored)))
    assert (image.format, image.mode, stored.content_type) == ("PNG", "RGBA", "image/png")
    assert image.getpixel((0, 0)) == (0, 0, 0, 0)


def test_row_records_hashes_sizes_and_a_random_private_name(storage_dir: Path) -> None:
    user = UserFactory()
    original = jpeg_bytes((60, 40), gps=True)

    stored = store_upload(uploaded_file=upload("../../KTP budi.jpg", original), uploaded_by=user)

    data = _open_stored(storage_dir, stored)
    stored.refresh_from_db()
    assert stored.uploaded_by == user
    assert stored.original_name == "KTP budi.jpg"
    assert (stored.kind, stored.content_type) == ("image", "image/jpeg")
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.original_sha256 == hashlib.sha256(original).hexdigest()
    assert stored.original_size == len(original)
    assert stored.original_storage_name == ""
    assert stored.storage_name.startswith("uploads/")
    assert stored.storage_name.endswith(".jpg")
    assert "budi" not in stored.storage_name and "KTP" not in stored.storage_name
    assert len(Path(stored.storage_name).stem) == 32
    assert stored_paths(storage_dir) == [stored.storage_name]


def test_two_uploads_of_the_same_file_get_different_names(storage_dir: Path) -> None:
    first = store_upload(uploaded_file=upload("a.pdf", pdf_bytes()), uploaded_by=None)
    second = store_upload(uploaded_file=upload("a.pdf", pdf_bytes()), uploaded_by=None)
    assert first.storage_name != second.storage_name
    assert first.pk != second.pk
    assert first.sha256 == second.sha256


def test_pdf_named_jpg_is_stored_as_pdf_with_the_right_extension(storage_dir: Path) -> None:
    original = pdf_bytes()
    stored = store_upload(
        uploaded_file=upload("akta.jpg", original, "image/jpeg"), uploaded_by=None
    )
    assert (stored.kind, stored.content_type, stored.page_count) == ("pdf", "application/pdf", 1)
    assert stored.storage_name.endswith(".pdf")
    assert stored.original_name == "akta.jpg"
    assert stored.download_name == "akta.pdf"
    assert _open_stored(storage_dir, stored) == original  # PDFs are stored as received
    assert stored.sha256 == stored.original_sha256 == hashlib.sha256(original).hexdigest()


def test_keep_original_keeps_the_untouched_image_as_a_second_private_object(
    storage_dir: Path,
) -> None:
    original = jpeg_bytes((60, 40), gps=True)
    stored = store_upload(
        uploaded_file=upload("diduga-palsu.jpg", original), uploaded_by=None, keep_original=True
    )
    assert stored.original_storage_name.startswith("originals/")
    assert (storage_dir / stored.original_storage_name).read_bytes() == original
    assert stored.original_sha256 == hashlib.sha256(original).hexdigest()
    assert stored.sha256 != stored.original_sha256
    assert stored_paths(storage_dir) == sorted([stored.storage_name, stored.original_storage_name])


def test_keep_original_of_a_pdf_points_at_the_stored_object(storage_dir: Path) -> None:
    stored = store_upload(
        uploaded_file=upload("kk.pdf", pdf_bytes()), uploaded_by=None, keep_original=True
    )
    assert stored.original_storage_name == stored.storage_name
    assert stored_paths(storage_dir) == [stored.storage_name]


@pytest.mark.parametrize(
    ("name", "data", "kwargs", "code"),
    [
        ("kosong.jpg", b"", {}, "empty"),
        ("halaman.jpg", HTML_PAGE, {}, "type_not_allowed"),
        ("bom.png", png_header_only(20_000, 20_000), {}, "image_too_many_pixels"),
        (
            "js.pdf",
            pdf_bytes(catalog_extra=b"/OpenAction 4 0 R", extra_objects=(JS_ACTION,)),
            {},
            "pdf_active_content",
        ),
        ("akta.pdf", pdf_bytes(), {"allowed_kinds": frozenset({"image"})}, "type_not_allowed"),
        ("kecil.png", png_bytes((10, 10)), {"min_image_side": 50}, "image_too_small"),
        ("besar.png", png_bytes((10, 10)), {"max_bytes": 20}, "too_large"),
    ],
)
def test_rejected_upload_stores_nothing(
    storage_dir: Path, name: str, data: bytes, kwargs: dict[str, Any], code: str
) -> None:
    with pytest.raises(UploadRejected) as excinfo:
        store_upload(uploaded_file=upload(name, data), uploaded_by=None, **kwargs)
    assert excinfo.value.code == code
    assert StoredFile.objects.count() == 0
    assert stored_paths(storage_dir) == []


def test_failed_row_insert_removes_the_objects_already_written(
    storage_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_create(**kwargs: Any) -> StoredFile:
        raise RuntimeError("database went away")

    monkeypatch.setattr(StoredFile.objects, "create", broken_create)
    with pytest.raises(RuntimeError):
        store_upload(
            uploaded_file=upload("a.jpg", jpeg_bytes()), uploaded_by=None, keep_original=True
        )
    assert stored_paths(storage_dir) == []


def test_rolled_back_upload_leaves_an_orphan_that_the_sweep_deletes(storage_dir: Path) -> None:
    kept = store_upload(uploaded_file=upload("tetap.pdf", pdf_bytes()), uploaded_by=None)
    with pytest.raises(RuntimeError), transaction.atomic():
        store_upload(
            uploaded_file=upload("batal.jpg", jpeg_bytes()), uploaded_by=None, keep_original=True
        )
        raise RuntimeError("the application could not be saved")
    assert list(StoredFile.objects.all()) == [kept]
    orphans = sorted(set(stored_paths(storage_dir)) - {kept.storage_name})
    assert len(orphans) == 2  # the re-encoded image and the kept original

    # Young orphans are left alone: their transaction may still be in flight.
    assert stored_file_orphans_delete(older_than=timedelta(hours=1)) == []
    assert len(stored_paths(storage_dir)) == 3

    assert sorted(stored_file_orphans_delete(older_than=timedelta(0), dry_run=True)) == orphans
    assert len(stored_paths(storage_dir)) == 3
    assert sorted(stored_file_orphans_delete(older_than=timedelta(0))) == orphans
    assert stored_paths(storage_dir) == [kept.storage_name]


def test_cleanup_orphan_files_command_deletes_orphans(storage_dir: Path) -> None:
    (storage_dir / "uploads" / "2020" / "01").mkdir(parents=True)
    (storage_dir / "uploads" / "2020" / "01" / "yatim.jpg").write_bytes(b"x")
    (storage_dir / "lain.txt").write_bytes(b"not ours")  # outside our prefixes: untouched
    out = io.StringIO()
    call_command("cleanup_orphan_files", "--older-than-hours", "0", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 orphaned object(s)."
    assert stored_paths(storage_dir) == ["lain.txt"]


def test_stored_file_delete_removes_objects_only_after_commit(
    storage_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    stored = store_upload(
        uploaded_file=upload("a.jpg", jpeg_bytes()), uploaded_by=None, keep_original=True
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        stored_file_delete(stored_file=stored)
    assert StoredFile.objects.count() == 0
    assert len(stored_paths(storage_dir)) == 2  # not yet committed
    for callback in callbacks:
        callback()
    assert stored_paths(storage_dir) == []


def test_default_storage_is_private_and_outside_the_static_folders(settings: Any) -> None:
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    for static_dir in [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]:
        assert not private.is_relative_to(Path(static_dir).resolve())
    if settings.STORAGE_BACKEND == "local":
        assert settings.STORAGES["default"]["OPTIONS"]["location"] == str(
            settings.PRIVATE_MEDIA_ROOT
        )
    # No URL serves storage names directly; files go out only through core:file.
    for name in ("/uploads/2020/01/x.jpg", "/originals/2020/01/x.jpg", "/media/uploads/x.jpg"):
        with pytest.raises(Resolver404):
            resolve(name)
