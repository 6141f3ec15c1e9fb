"""Accepting a photo: check by content, refuse bombs, strip EXIF (GPS!), resize, re-encode.

Every photo is stored in two sizes, named `<key>-thumb.webp` (at most 400 px wide and 30 KB,
for catalog cards) and `<key>-large.webp` (at most 1200 px wide, for the listing page). The
original is never kept, and the WebP files are written with no metadata at all, so nothing the
camera put in (location, time, serial number) can leak. Names are random, never the uploader's.
"""

from __future__ import annotations

import io
import logging
import secrets
import warnings
from dataclasses import dataclass, field

from flask_babel import gettext as _
from PIL import (  # noqa: F401 (registers them)
    Image,
    ImageOps,
    JpegImagePlugin,
    MpoImagePlugin,
    PngImagePlugin,
    UnidentifiedImageError,
    WebPImagePlugin,
)

from ..db import after_commit
from ..errors import ValidationFailed
from .storage import storage

# The only decoders Pillow may run on an upload (many phones' JPEGs open as MPO, via JPEG's).
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_PIXELS = 40_000_000  # a 40-megapixel phone camera; anything larger is refused unread
SIZES = {"thumb": (400, 30_000), "large": (1200, 250_000)}  # width, byte budget
_QUALITIES = (80, 70, 60, 50, 40)
log = logging.getLogger(__name__)


def _refuse(field_name: str) -> ValidationFailed:
    message = _("This file is not a photo we can use. Send a JPEG, PNG or WebP picture.")
    return ValidationFailed(message, {field_name: message})


@dataclass
class PreparedPhoto:
    """A checked, cleaned photo in every size, not yet stored."""

    key: str
    files: dict[str, bytes] = field(default_factory=dict)

    def store(self) -> None:
        target = storage()
        for name, data in self.files.items():
            target.put(name, data)


def _open(data: bytes) -> Image.Image:
    """Decode the upload, or raise. The size is checked before any
    pixel is decoded; Pillow's own bomb check is turned into a refusal, not a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
        width, height = image.size
        if width < 1 or height < 1 or width * height > MAX_PIXELS:
            raise ValueError("image too large")
        if image.format in ("JPEG", "MPO"):
            # Let the JPEG decoder scale down by 1/2..1/8 while decoding: less memory and time.
            image.draft("RGB", (SIZES["large"][0], SIZES["large"][0]))
        image.load()
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """Upright RGB with transparency laid on white, and no metadata carried over."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit and float greyscale: bring into 8 bits before converting.
        flat = image.point(lambda v: v / 256).convert("L").convert("RGB")
    else:
        flat = image.convert("RGB")
    flat.info = {}
    return flat


def _webp(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "WEBP", quality=quality, method=4)
    return out.getvalue()


def _encode(image: Image.Image, width: int, budget: int) -> bytes:
    """WebP no wider than `width` and no bigger than `budget` bytes: lower the quality first,
    then the size (a very busy picture may need both)."""
    copy = image.copy()
    copy.thumbnail((width, width * 2), Image.Resampling.LANCZOS)
    for quality in _QUALITIES:
        data = _webp(copy, quality)
        if len(data) <= budget:
            return data
    while len(data) > budget and copy.width > 16:
        scale = max(0.5, min(0.9, (budget / len(data)) ** 0.5))
        copy = copy.resize((max(1, int(copy.width * scale)), max(1, int(copy.height * scale))), Image.Resampling.LANCZOS)
        data = _webp(copy, _QUALITIES[-1])
    return data


def prepare_photo(data: bytes, field_name: str = "photos") -> PreparedPhoto:
    """Check and clean one upload; nothing is stored yet. Raises ValidationFailed."""
    try:
        image = _flatten(_open(data))
        key = secrets.token_urlsafe(18)
        files = {f"{key}-{size}.webp": _encode(image, w, budget) for size, (w, budget) in SIZES.items()}
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse(field_name) from exc
    except Exception as exc:  # a malformed file can make a decoder fail in many ways: refuse it
        log.info("photo refused: %s: %s", type(exc).__name__, exc)
        raise _refuse(field_name) from exc
    return PreparedPhoto(key, files)


def accept_photos(uploads: list[bytes], field_name: str = "photos") -> list[str]:
    """Check every upload first (one bad file refuses them all), and store the photos only when
    the request's transaction commits, so a refused form leaves no file behind."""
    prepared = [prepare_photo(data, field_name) for data in uploads]
    for photo in prepared:
        after_commit(photo.store)
    return [photo.key for photo in prepared]


def save_photo(data: bytes, field_name: str = "photos") -> str:
    """Check, clean and store one photo at once (demo data, scripts); returns its key."""
    photo = prepare_photo(data, field_name)
    photo.store()
    return photo.key
