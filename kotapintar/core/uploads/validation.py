"""Judge an upload by its content: JPEG, PNG or PDF, proven by a real parse.

The client's file name and content type are never trusted: a PDF named ``.jpg`` is a PDF (and
is accepted if the caller allows PDFs, stored with a ``.pdf`` name); HTML, SVG, executables and
anything else are refused whatever they are called.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image

from kotapintar.core.logging import mask_text

logger = logging.getLogger(__name__)

IMAGE = "image"
PDF = "pdf"
DEFAULT_ALLOWED_KINDS: frozenset[str] = frozenset({IMAGE, PDF})

_MB = 1024 * 1024


class UploadRejected(ValidationError):
    """An upload that is not accepted. ``code`` is one of:

    ``empty``, ``too_large``, ``type_not_allowed``, ``image_too_many_pixels``,
    ``image_too_small``, ``pdf_active_content``, ``corrupt``.
    """

    def __init__(self, message: Any, *, code: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(message, code=code, params=params)


@dataclass(frozen=True)
class SniffResult:
    """What the content turned out to be."""

    kind: str  # "image" or "pdf"
    format: str  # "JPEG", "PNG" or "PDF"
    content_type: str
    extension: str  # ".jpg", ".png" or ".pdf": the extension the stored file gets
    size: int  # bytes received
    sha256: str  # of the bytes received
    width: int | None = None  # images: after applying the EXIF orientation
    height: int | None = None
    page_count: int | None = None  # PDFs


@dataclass(frozen=True)
class _Format:
    name: str
    kind: str
    content_type: str
    extension: str


_JPEG = _Format("JPEG", IMAGE, "image/jpeg", ".jpg")
_PNG = _Format("PNG", IMAGE, "image/png", ".png")
_PDF = _Format("PDF", PDF, "application/pdf", ".pdf")


def format_megabytes(limit: int) -> str:
    """5242880 -> "5", 2621440 -> "2.5" (for messages that state a limit)."""
    return f"{limit / _MB:.1f}".removesuffix(".0")


def too_large_error(limit: int) -> UploadRejected:
    return UploadRejected(
        _("The file is too large. The limit per file is %(limit)s MB."),
        code="too_large",
        params={"limit": format_megabytes(limit)},
    )


def type_not_allowed_error(allowed_kinds: Iterable[str]) -> UploadRejected:
    kinds = frozenset(allowed_kinds)
    if kinds == {IMAGE}:
        message = _("This file type is not accepted. Upload a JPEG or PNG image.")
    elif kinds == {PDF}:
        message = _("This file type is not accepted. Upload a PDF document.")
    else:
        message = _("This file type is not accepted. Upload a JPEG or PNG image or a PDF document.")
    return UploadRejected(message, code="type_not_allowed")


def corrupt_error() -> UploadRejected:
    return UploadRejected(
        _(
            "The file could not be read. It may be damaged or password-protected; "
            "please upload it again."
        ),
        code="corrupt",
    )


def too_many_pixels_error(max_pixels: int) -> UploadRejected:
    return UploadRejected(
        _("The image dimensions are too large. The limit is %(limit)s megapixels."),
        code="image_too_many_pixels",
        params={"limit": f"{max_pixels / 1_000_000:g}"},
    )


def sniff_format(head: bytes) -> _Format | None:
    """The format named by the leading magic bytes, or None. The parse must confirm it."""
    if head.startswith(b"\xff\xd8\xff"):
        return _JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _PNG
    # Strict: the header must be at offset 0 (readers tolerate junk before it, which is how
    # HTML/PDF polyglots are made).
    if head.startswith(b"%PDF-"):
        return _PDF
    return None


def clean_original_name(name: str | None) -> str:
    """The uploader's file name made safe for display and ``Content-Disposition``.

    Only the last path component is kept, control and bidi-override characters are removed
    and NIK/KK-like numbers and phone numbers are masked (people name scans after their NIK).
    It is never used to build a storage path.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if ch.isprintable())
    text = mask_text(text).strip().lstrip(".").strip()
    if not text:
        return "berkas"
    if len(text) > 150:
        suffix = PurePosixPath(text).suffix[:10]
        text = text[: 150 - len(suffix)] + suffix
    return text


@dataclass
class Inspection:
    """The result of inspecting an upload, with what storing needs (internal)."""

    result: SniffResult
    data: bytes
    image: Image.Image | None


def validate_upload(
    uploaded_file: UploadedFile,
    *,
    allowed_kinds: frozenset[str] = DEFAULT_ALLOWED_KINDS,
    max_bytes: int | None = None,
    min_image_side: int = 0,
) -> SniffResult:
    """Check an upload without storing it; raise ``UploadRejected`` when it is not accepted."""
    inspection = inspect_upload(
        uploaded_file,
        allowed_kinds=allowed_kinds,
        max_bytes=max_bytes,
        min_image_side=min_image_side,
    )
    if inspection.image is not None:
        inspection.image.close()
    return inspection.result


def inspect_upload(
    uploaded_file: UploadedFile,
    *,
    allowed_kinds: frozenset[str] = DEFAULT_ALLOWED_KINDS,
    max_bytes: int | None = None,
    min_image_side: int = 0,
) -> Inspection:
    limit = settings.UPLOAD_MAX_FILE_BYTES
    if max_bytes is not None:
        limit = min(limit, max_bytes)
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise too_large_error(limit)
    # Read at most one byte over the limit: the declared size is not trusted either.
    uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    uploaded_file.seek(0)
    if not data:
        raise UploadRejected(_("The file is empty."), code="empty")
    if len(data) > limit:
        raise too_large_error(limit)

    fmt = sniff_format(data[:16])
    if fmt is None or fmt.kind not in allowed_kinds:
        raise type_not_allowed_error(allowed_kinds)

    sha256 = hashlib.sha256(data).hexdigest()
    if fmt.kind == PDF:
        page_count = inspect_pdf(data)
        result = SniffResult(
            kind=PDF,
            format=fmt.name,
            content_type=fmt.content_type,
            extension=fmt.extension,
            size=len(data),
            sha256=sha256,
            page_count=page_count,
        )
        return Inspection(result=result, data=data, image=None)

    from kotapintar.core.uploads.images import decode_image

    image, width, height = decode_image(data, fmt.name)
    if min_image_side and min(width, height) < min_image_side:
        image.close()
        raise UploadRejected(
            _("The image is too small. Its shorter side must be at least %(min)s pixels."),
            code="image_too_small",
            params={"min": min_image_side},
        )
    result = SniffResult(
        kind=IMAGE,
        format=fmt.name,
        content_type=fmt.content_type,
        extension=fmt.extension,
        size=len(data),
        sha256=sha256,
        width=width,
        height=height,
    )
    return Inspection(result=result, data=data, image=image)


# --- PDF ------------------------------------------------------------------------------------

# Names that make a PDF do something when opened or carry other files. Links (/URI) and
# in-document jumps (/GoTo) are ordinary and allowed.
_ACTIVE_KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/Launch",
        "/EmbeddedFiles",
        "/EmbeddedFile",
        "/EF",
        "/RichMedia",
        "/XFA",
        "/AA",
    }
)
_ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToE",
        "/GoToR",
        "/RichMediaExecute",
        "/Rendition",
        "/Movie",
        "/Sound",
    }
)
# Scanned in the raw bytes too (catches objects no reference reaches). Names may be written
# with #xx escapes (/J#61vaScript) to dodge naive scanners, so they are decoded first.
_RAW_ACTIVE_NAMES = frozenset(
    {
        "JS",
        "JavaScript",
        "Launch",
        "EmbeddedFile",
        "EmbeddedFiles",
        "RichMedia",
        "XFA",
        "SubmitForm",
        "ImportData",
    }
)
_RAW_NAME = re.compile(rb"/([A-Za-z0-9#]{2,40})")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# A walk budget: a hostile PDF must not keep a worker busy.
_PDF_MAX_OBJECTS = 200_000


class _PdfActiveContent(Exception):
    pass


def pdf_active_content_error() -> UploadRejected:
    return UploadRejected(
        _(
            "The PDF contains scripts, embedded files or automatic actions, which are not "
            'allowed. Save it again as a plain PDF (for example with "Print to PDF") and '
            "upload it again."
        ),
        code="pdf_active_content",
    )


def inspect_pdf(data: bytes) -> int:
    """Parse the PDF, refuse active content; return the page count."""
    if _raw_active_names(data):
        raise pdf_active_content_error()
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            # Password-protected: it cannot be checked, and the officer cannot open it.
            raise corrupt_error()
        page_count = len(reader.pages)
        _walk_pdf(reader.trailer)
    except UploadRejected:
        raise
    except _PdfActiveContent:
        raise pdf_active_content_error() from None
    except Exception as exc:  # pypdf raises many kinds of errors on hostile input
        logger.info("PDF upload refused as unreadable: %s", type(exc).__name__)
        raise corrupt_error() from None
    if page_count < 1:
        raise corrupt_error()
    return page_count


def _raw_active_names(data: bytes) -> bool:
    for match in _RAW_NAME.finditer(data):
        raw = match.group(1)
        if b"#" in raw:
            raw = _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)
        if raw.decode("latin-1") in _RAW_ACTIVE_NAMES:
            return True
    return False


def _walk_pdf(root: Any) -> None:
    """Visit every object reachable from the trailer (object streams included)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    stack: list[Any] = [root]
    seen: set[tuple[int, int]] = set()
    visited = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            obj = obj.get_object()
        visited += 1
        if visited > _PDF_MAX_OBJECTS:
            raise ValueError("PDF too complex")
        if isinstance(obj, DictionaryObject):
            for key, value in dict.items(obj):
                if key in _ACTIVE_KEYS:
                    raise _PdfActiveContent
                if key == "/S" and _resolve(value) in _ACTIVE_ACTIONS:
                    raise _PdfActiveContent
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(list.__iter__(obj))


def _resolve(value: Any) -> Any:
    from pypdf.generic import IndirectObject

    return value.get_object() if isinstance(value, IndirectObject) else value
