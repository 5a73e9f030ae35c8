"""Content sniffing and validation (reference tests T7, T8 decompression bomb)."""

from __future__ import annotations

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils.translation import override

from kotapintar.core.tests.test_uploads_samples import (
    ELF_HEADER,
    GOTO_ACTION,
    HTML_PAGE,
    JS_ACTION,
    LAUNCH_ACTION,
    MB,
    SVG_WITH_SCRIPT,
    jpeg_bytes,
    pdf_bytes,
    pdf_with_objects_in_object_stream,
    png_bytes,
    png_header_only,
    upload,
)
from kotapintar.core.uploads import SecureFileField, UploadRejected, validate_upload
from kotapintar.core.uploads.validation import clean_original_name, format_megabytes


def _rejection(data: bytes, name: str = "berkas.jpg", **kwargs: object) -> UploadRejected:
    with pytest.raises(UploadRejected) as excinfo:
        validate_upload(upload(name, data), **kwargs)
    return excinfo.value


def test_jpeg_is_accepted_with_its_oriented_dimensions() -> None:
    result = validate_upload(upload("foto.jpg", jpeg_bytes((40, 20), orientation=6)))
    assert (result.kind, result.format, result.content_type, result.extension) == (
        "image",
        "JPEG",
        "image/jpeg",
        ".jpg",
    )
    assert (result.width, result.height) == (20, 40)


def test_png_is_accepted() -> None:
    data = png_bytes((30, 20))
    result = validate_upload(upload("scan.png", data))
    assert (result.kind, result.content_type, result.width, result.height) == (
        "image",
        "image/png",
        30,
        20,
    )
    assert result.size == len(data)


def test_pdf_is_accepted_with_its_page_count() -> None:
    result = validate_upload(upload("akta.pdf", pdf_bytes()))
    assert (result.kind, result.content_type, result.extension, result.page_count) == (
        "pdf",
        "application/pdf",
        ".pdf",
        1,
    )


def test_client_content_type_and_extension_are_ignored() -> None:
    """A PNG sent as ``document.pdf`` with a PDF content type is still a PNG."""
    result = validate_upload(SimpleUploadedFile("document.pdf", png_bytes(), "application/pdf"))
    assert result.content_type == "image/png"
    assert result.extension == ".png"


def test_pdf_named_jpg_is_judged_a_pdf_and_accepted_where_pdfs_are_allowed() -> None:
    result = validate_upload(upload("ktp.jpg", pdf_bytes(), "image/jpeg"))
    assert (result.kind, result.extension) == ("pdf", ".pdf")


def test_pdf_named_jpg_is_rejected_where_only_images_are_allowed() -> None:
    error = _rejection(pdf_bytes(), "ktp.jpg", allowed_kinds=frozenset({"image"}))
    assert error.code == "type_not_allowed"
    with override("en"):
        assert error.messages == ["This file type is not accepted. Upload a JPEG or PNG image."]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("foto.jpg", HTML_PAGE),
        ("gambar.svg", SVG_WITH_SCRIPT),
        ("gambar.jpg", SVG_WITH_SCRIPT),
        ("program.png", ELF_HEADER),
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 60),
        ("animasi.png", b"GIF89a" + b"\x00" * 20),
        ("catatan.pdf", b"hello %PDF-1.4 not at the start"),
    ],
)
def test_anything_but_jpeg_png_pdf_is_rejected_whatever_its_name(name: str, data: bytes) -> None:
    error = _rejection(data, name)
    assert error.code == "type_not_allowed"
    with override("en"):
        assert error.messages == [
            "This file type is not accepted. Upload a JPEG or PNG image or a PDF document."
        ]


def test_zero_byte_file_is_rejected_as_empty() -> None:
    error = _rejection(b"", "kosong.jpg")
    assert error.code == "empty"
    with override("en"):
        assert error.messages == ["The file is empty."]


def test_file_over_the_limit_is_rejected_with_the_limit_in_the_message() -> None:
    error = _rejection(b"\x89PNG\r\n\x1a\n" + b"\x00" * MB, max_bytes=MB // 2)
    assert error.code == "too_large"
    with override("en"):
        assert error.messages == ["The file is too large. The limit per file is 0.5 MB."]


@override_settings(UPLOAD_MAX_FILE_BYTES=5 * MB)
def test_declared_size_is_not_trusted_the_bytes_read_are_counted() -> None:
    uploaded = upload("besar.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (5 * MB))
    uploaded.size = 10  # a lying size
    with pytest.raises(UploadRejected) as excinfo:
        validate_upload(uploaded)
    assert excinfo.value.code == "too_large"
    with override("en"):
        assert excinfo.value.messages == ["The file is too large. The limit per file is 5 MB."]


def test_decompression_bomb_png_is_rejected_before_decoding() -> None:
    data = png_header_only(20_000, 20_000)
    assert len(data) < 200
    error = _rejection(data, "bom.png")
    assert error.code == "image_too_many_pixels"
    with override("en"):
        assert error.messages == ["The image dimensions are too large. The limit is 40 megapixels."]


@override_settings(UPLOAD_MAX_IMAGE_PIXELS=1_000_000)
def test_image_over_the_configured_pixel_limit_is_rejected() -> None:
    error = _rejection(png_header_only(2_000, 1_000), "besar.png")
    assert error.code == "image_too_many_pixels"


def test_image_smaller_than_the_minimum_side_is_rejected() -> None:
    error = _rejection(png_bytes((300, 100)), "kecil.png", min_image_side=200)
    assert error.code == "image_too_small"
    with override("en"):
        assert error.messages == [
            "The image is too small. Its shorter side must be at least 200 pixels."
        ]


def test_truncated_image_is_rejected_as_corrupt() -> None:
    data = jpeg_bytes((200, 200))
    error = _rejection(data[: len(data) // 2], "potong.jpg")
    assert error.code == "corrupt"


def test_png_magic_without_a_valid_png_is_rejected_as_corrupt() -> None:
    error = _rejection(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "rusak.png")
    assert error.code == "corrupt"


def test_pdf_header_without_a_parsable_pdf_is_rejected_as_corrupt() -> None:
    error = _rejection(b"%PDF-1.7\nthis is not a pdf at all\n", "rusak.pdf")
    assert error.code == "corrupt"


@pytest.mark.parametrize(
    "data",
    [
        pdf_bytes(catalog_extra=b"/OpenAction 4 0 R", extra_objects=(JS_ACTION,)),
        pdf_bytes(catalog_extra=b"/Names << /JavaScript 4 0 R >>", extra_objects=(JS_ACTION,)),
        pdf_bytes(catalog_extra=b"/OpenAction 4 0 R", extra_objects=(LAUNCH_ACTION,)),
        pdf_bytes(catalog_extra=b"/OpenAction << /S /J#61vaScript /J#53 (x) >>"),
        pdf_bytes(
            catalog_extra=b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>",
            extra_objects=(b"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>",),
        ),
        pdf_bytes(catalog_extra=b"/AA << /WC << /S /GoTo /D [3 0 R /Fit] >> >>"),
        pdf_with_objects_in_object_stream(JS_ACTION),
    ],
    ids=["open-action-js", "names-js", "launch", "hex-escaped-js", "embedded-file", "aa", "objstm"],
)
def test_pdf_with_active_content_is_rejected(data: bytes) -> None:
    error = _rejection(data, "dokumen.pdf")
    assert error.code == "pdf_active_content"


def test_pdf_with_a_plain_goto_open_action_is_accepted() -> None:
    data = pdf_bytes(catalog_extra=b"/OpenAction 4 0 R", extra_objects=(GOTO_ACTION,))
    assert validate_upload(upload("dokumen.pdf", data)).page_count == 1
    assert validate_upload(upload("d.pdf", pdf_with_objects_in_object_stream(GOTO_ACTION)))


def test_validation_leaves_the_file_readable_from_the_start() -> None:
    uploaded = upload("scan.png", png_bytes())
    validate_upload(uploaded)
    assert uploaded.read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\budi\\KTP.jpg", "KTP.jpg"),
        ("ktp_1271011708850001.jpg", "ktp_1271********0001.jpg"),
        ("scan\u202egpj.exe", "scangpj.exe"),
        ("...", "berkas"),
        ("", "berkas"),
        (None, "berkas"),
        ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
    ],
)
def test_original_name_is_sanitised(given: str | None, expected: str) -> None:
    assert clean_original_name(given) == expected


def test_megabyte_formatting_of_limits() -> None:
    assert [format_megabytes(b) for b in (5 * MB, 20 * MB, int(2.5 * MB))] == ["5", "20", "2.5"]


class _DocumentForm(forms.Form):
    document = SecureFileField(allowed_kinds=frozenset({"pdf"}))


def test_secure_file_field_shows_the_rejection_in_the_form() -> None:
    form = _DocumentForm(files={"document": upload("akta.pdf", png_bytes())})
    with override("en"):
        assert not form.is_valid()
        assert form.errors.get_json_data() == {
            "document": [
                {
                    "message": "This file type is not accepted. Upload a PDF document.",
                    "code": "type_not_allowed",
                }
            ]
        }


def test_secure_file_field_accepts_a_valid_file_and_hints_the_browser() -> None:
    form = _DocumentForm(files={"document": upload("akta.pdf", pdf_bytes())})
    assert form.is_valid()
    assert 'accept="application/pdf,.pdf"' in str(form["document"])
