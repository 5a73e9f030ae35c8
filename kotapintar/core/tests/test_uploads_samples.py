"""Test files built in memory for the upload tests (no tests in this module)."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kotapintar.core.demo.samples import tiny_pdf

MB = 1024 * 1024

EXIF_ORIENTATION = 0x0112
EXIF_MAKE = 0x010F
EXIF_GPS_IFD = 0x8825


def use_private_storage(settings: Any, tmp_path: Path) -> Path:
    """Point the default storage at a temporary private folder."""
    location = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


def stored_paths(location: Path) -> list[str]:
    if not location.exists():
        return []
    return sorted(str(p.relative_to(location)) for p in location.rglob("*") if p.is_file())


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def jpeg_bytes(
    size: tuple[int, int] = (40, 20),
    *,
    orientation: int | None = None,
    gps: bool = False,
    split_colours: bool = False,
) -> bytes:
    """A JPEG; ``split_colours`` paints the left half red and the right half blue."""
    image = Image.new("RGB", size, (200, 200, 200))
    if split_colours:
        width, height = size
        image.paste((255, 0, 0), (0, 0, width // 2, height))
        image.paste((0, 0, 255), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[EXIF_MAKE] = "KameraUji"
    if orientation is not None:
        exif[EXIF_ORIENTATION] = orientation
    if gps:
        gps_ifd = exif.get_ifd(EXIF_GPS_IFD)
        gps_ifd[1] = "N"
        gps_ifd[2] = (3.0, 35.0, 22.0)  # Medan
        gps_ifd[3] = "E"
        gps_ifd[4] = (98.0, 40.0, 20.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95, exif=exif.tobytes(), comment=b"uji komentar")
    return buffer.getvalue()


def png_bytes(size: tuple[int, int] = (30, 20), mode: str = "RGB") -> bytes:
    image = Image.new(mode, size)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that declares ``width`` x ``height`` pixels (a decompression bomb header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


# A minimal one-page PDF; ``catalog_extra`` and ``extra_objects`` add active content.
pdf_bytes = tiny_pdf


def pdf_with_objects_in_object_stream(hidden_object: bytes) -> bytes:
    """A PDF 1.5 whose catalog and ``hidden_object`` (object 4) sit in a compressed object
    stream, located through a cross-reference stream: invisible to a raw byte scan."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>"
    members = [(1, catalog), (4, hidden_object)]
    header = b""
    body = b""
    for number, obj in members:
        header += b"%d %d " % (number, len(body))
        body += obj + b"\n"
    objstm_data = zlib.compress(header + body)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    offsets[2] = len(out)
    out += b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
    offsets[3] = len(out)
    out += b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\n"
    offsets[5] = len(out)
    out += (
        b"5 0 obj\n<< /Type /ObjStm /N 2 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(objstm_data))
        + objstm_data
        + b"\nendstream\nendobj\n"
    )
    xref_at = len(out)
    rows = [
        struct.pack(">BIH", 0, 0, 65535),  # 0: free
        struct.pack(">BIH", 2, 5, 0),  # 1: in object stream 5, index 0
        struct.pack(">BIH", 1, offsets[2], 0),
        struct.pack(">BIH", 1, offsets[3], 0),
        struct.pack(">BIH", 2, 5, 1),  # 4: in object stream 5, index 1
        struct.pack(">BIH", 1, offsets[5], 0),
        struct.pack(">BIH", 1, xref_at, 0),  # 6: the xref stream itself
    ]
    xref_data = zlib.compress(b"".join(rows))
    out += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode "
        b"/Length %d >>\nstream\n" % len(xref_data) + xref_data + b"\nendstream\nendobj\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


JS_ACTION = b"<< /Type /Action /S /JavaScript /JS (app.alert\\('hi'\\);) >>"
LAUNCH_ACTION = b"<< /Type /Action /S /Launch /F (cmd.exe) >>"
GOTO_ACTION = b"<< /Type /Action /S /GoTo /D [3 0 R /Fit] >>"

SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
ELF_HEADER = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
