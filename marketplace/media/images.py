"""Accepting a photo: check by content, refuse bombs, strip EXIF (GPS!), resize, re-encode.

Every photo is stored in two sizes, named `<key>-thumb.webp` (400 px wide, at most 30 KB, for
catalog cards) and `<key>-large.webp` (1200 px, for the listing page). The original is never
kept, so nothing it carried (location, camera serial) can leak.
"""

from __future__ import annotations

import io
import secrets
import warnings

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import ValidationFailed
from .storage import storage

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}
MAX_PIXELS = 40_000_000  # a 40-megapixel phone camera; anything larger is refused
SIZES = {"thumb": (400, 30_000), "large": (1200, 250_000)}


def _refuse(field: str) -> ValidationFailed:
    message = _("This file is not a photo we can use. Send a JPEG, PNG or WebP picture.")
    return ValidationFailed(message, {field: message})


def _open(data: bytes, field: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ALLOWED_FORMATS:
                raise _refuse(field)
            width, height = image.size
            if width * height > MAX_PIXELS or width < 1 or height < 1:
                raise _refuse(field)
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, ValueError, SyntaxError) as exc:
        raise _refuse(field) from exc
    return image


def _encode(image: Image.Image, width: int, budget: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((width, width * 2))
    for quality in (80, 70, 60, 50, 40, 30):
        out = io.BytesIO()
        copy.save(out, "WEBP", quality=quality, method=4)
        if out.tell() <= budget:
            break
    return out.getvalue()


def save_photo(data: bytes, field: str = "photos") -> str:
    """Check, clean and store an uploaded photo; returns its key."""
    image = _open(data, field)
    image = ImageOps.exif_transpose(image)  # keep the orientation, then drop all metadata
    image = image.convert("RGB")
    key = secrets.token_urlsafe(18)
    store = storage()
    for size, (width, budget) in SIZES.items():
        store.put(f"{key}-{size}.webp", _encode(image, width, budget))
    return key
