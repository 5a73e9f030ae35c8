"""Image decoding with a decompression-bomb guard, and metadata-free re-encoding."""

from __future__ import annotations

import io
import struct
from typing import Any

from django.conf import settings
from PIL import Image, ImageOps

from kotapintar.core.uploads.validation import corrupt_error, too_many_pixels_error

_EXIF_ORIENTATION = 0x0112
# Orientations 5-8 turn the image by 90 degrees: width and height swap.
_TRANSPOSED_ORIENTATIONS = frozenset({5, 6, 7, 8})
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, struct.error, EOFError, IndexError, KeyError)


def decode_image(data: bytes, format_name: str) -> tuple[Image.Image, int, int]:
    """Decode fully and apply the EXIF orientation.

    Returns the oriented image and its full-size width and height (the image itself may be
    decoded at a reduced scale when it will be shrunk anyway). Pixel count is checked from
    the header, before any pixel is decoded.
    """
    max_pixels = settings.UPLOAD_MAX_IMAGE_PIXELS
    try:
        # Only the sniffed format's decoder may run: no format confusion.
        image = Image.open(io.BytesIO(data), formats=[format_name])
    except Image.DecompressionBombError:
        raise too_many_pixels_error(max_pixels) from None
    except (Image.UnidentifiedImageError, *_DECODE_ERRORS):
        raise corrupt_error() from None
    try:
        width, height = image.size
        if width < 1 or height < 1:
            raise corrupt_error()
        if width * height > max_pixels:
            raise too_many_pixels_error(max_pixels)
        try:
            orientation = int(image.getexif().get(_EXIF_ORIENTATION, 1))
        except _DECODE_ERRORS:
            orientation = 1
        if orientation in _TRANSPOSED_ORIENTATIONS:
            width, height = height, width
        if image.format in ("JPEG", "MPO"):
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the result is shrunk anyway:
            # memory stays proportional to the stored size, not to the camera's.
            side = settings.UPLOAD_IMAGE_MAX_SIDE
            image.draft(image.mode, (side, side))
        image.load()
    except Image.DecompressionBombError:
        image.close()
        raise too_many_pixels_error(max_pixels) from None
    except _DECODE_ERRORS:
        image.close()
        raise corrupt_error() from None
    except BaseException:
        image.close()
        raise
    try:
        oriented = ImageOps.exif_transpose(image)
    except _DECODE_ERRORS:
        oriented = image.copy()  # unreadable EXIF: keep the pixels as they are
    if oriented is not image:
        image.close()
    return oriented, width, height


def encode_image(image: Image.Image, format_name: str) -> tuple[bytes, int, int]:
    """Re-encode without any metadata, longest side capped. Returns bytes, width, height."""
    side = settings.UPLOAD_IMAGE_MAX_SIDE
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    if format_name in ("JPEG", "MPO"):
        target = "JPEG"
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
    else:
        target = "PNG"
    # A fresh ``info``: Pillow copies some entries (ICC profile, comment) from it on save.
    # Only PNG transparency is pixel data rather than metadata.
    kept: dict[str | tuple[int, int], Any] = (
        {"transparency": image.info["transparency"]} if "transparency" in image.info else {}
    )
    image.info = kept
    buffer = io.BytesIO()
    if target == "JPEG":
        image.save(buffer, "JPEG", quality=85, optimize=True)
    else:
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue(), image.width, image.height
