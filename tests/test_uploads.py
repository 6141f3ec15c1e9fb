"""Photos through the seller's listing form and the seller application: checked by content,
size-limited, bombs refused, EXIF (GPS!) stripped, resized, stored under random names."""

from __future__ import annotations

import io
import os
import re
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from marketplace.accounts.models import SellerProfile
from marketplace.catalog.models import Listing, ListingPhoto

from .conftest import sign_in

GPS_IFD = 0x8825
ORIENTATION = 0x0112
LISTING = {
    "kind": "catch", "species": "ホタテ", "unit": "kg", "quantity": "12.5", "price_jpy": "2400",
    "temperature": "chilled",
}
APPLICATION = {"kind": "fisher", "name": "第三 浜丸", "boat_name": "浜丸", "home_port": "枝幸"}
REFUSED = "This file is not a photo we can use. Send a JPEG, PNG or WebP picture."
TOO_LARGE = "That upload is too large. Photos may be at most 12 MB."


# --- files to upload ------------------------------------------------------------------------


def jpeg(size=(800, 600), colour=(30, 90, 140), *, exif=None, noise=False, **save) -> bytes:
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)) if noise else Image.new("RGB", size, colour)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif or Image.Exif(), **save)
    return out.getvalue()


def png(size=(300, 200), mode="RGB", colour=None, **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour if colour is not None else 100).save(out, "PNG", **save)
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (40, 40), 3).save(out, "GIF")
    return out.getvalue()


def png_bomb(width=20000, height=20000) -> bytes:
    """A few hundred bytes that declare 400 megapixels: decoding it would take 1.2 GB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    rows = zlib.compress(b"\x00" * (width * 3 + 1) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    exif[0x0132] = "2024:11:02 04:31:00"  # DateTime
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (45.0, 12.0, 31.5)  # the fishing ground
    gps[3], gps[4] = "E", (142.0, 33.0, 7.25)
    return exif


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script></svg>'
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
BAD_FILES = {
    "text": (b"just some words, not a picture\n" * 20, "notes.jpg"),
    "pdf": (PDF, "licence.pdf"),
    "svg-with-script": (SVG, "fish.svg"),
    "svg-named-jpeg": (SVG, "fish.jpg"),
    "html": (b"<html><script>alert(1)</script></html>", "fish.png"),
    "gif": (gif(), "fish.gif"),
    "truncated-jpeg": (jpeg(noise=True)[:6000], "cut.jpg"),
    "jpeg-header-only": (jpeg()[:200], "cut.jpg"),
    "png-bomb": (png_bomb(), "bomb.png"),
    "empty": (b"\xff\xd8", "empty.jpg"),
}


# --- helpers ----------------------------------------------------------------------------------


@pytest.fixture
def seller(make, client):
    user = make.seller()
    sign_in(client, user)
    return user


def media_files(app) -> list[Path]:
    root = Path(app.config["MEDIA_ROOT"])
    return sorted(root.iterdir()) if root.exists() else []


def multipart(client, url, fields: dict, files: list[tuple[str, bytes, str]]):
    """POST a multipart form encoded in memory (the test client would otherwise spool big bodies
    to a temporary file that it never closes)."""
    values = MultiDict(fields)
    for field_name, body, filename in files:
        values.add(field_name, FileStorage(io.BytesIO(body), filename=filename, content_type="image/jpeg"))
    boundary, body = encode_multipart(values)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}",
                       headers={"Accept-Language": "en"})


def post_listing(client, *files, **fields):
    return multipart(client, "/sell/listings/new", {**LISTING, **fields},
                     [("photos", body, name) for body, name in files])


def stored(app, db, listing_id=None):
    db.session.expire_all()
    listing = db.session.get(Listing, listing_id) if listing_id else db.session.query(Listing).one()
    return listing, [photo.key for photo in listing.photos]


def open_stored(app, name) -> tuple[Image.Image, bytes]:
    data = (Path(app.config["MEDIA_ROOT"]) / name).read_bytes()
    image = Image.open(io.BytesIO(data))
    image.load()
    return image, data


def assert_nothing_stored(app, db):
    assert media_files(app) == []
    assert db.session.query(Listing).count() == 0
    assert db.session.query(ListingPhoto).count() == 0


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_a_file_that_is_not_an_allowed_photo_is_refused_and_nothing_stored(app, db, client, seller, kind):
    response = post_listing(client, BAD_FILES[kind])
    assert response.status_code == 422
    assert REFUSED in response.get_data(as_text=True)
    assert_nothing_stored(app, db)


def test_one_bad_photo_among_good_ones_refuses_the_lot(app, db, client, seller):
    response = post_listing(client, (jpeg(), "a.jpg"), BAD_FILES["pdf"], (jpeg(), "b.jpg"))
    assert response.status_code == 422
    assert_nothing_stored(app, db)


def test_a_good_photo_on_a_form_that_fails_leaves_no_file(app, db, client, seller):
    response = post_listing(client, (jpeg(), "a.jpg"), price_jpy="")
    assert response.status_code == 422
    assert_nothing_stored(app, db)


def test_a_body_over_12_mb_is_a_413_with_a_clear_message(app, db, client, seller):
    big = jpeg() + os.urandom(12 * 1024 * 1024)
    response = post_listing(client, (big, "huge.jpg"))
    assert response.status_code == 413
    assert TOO_LARGE in response.get_data(as_text=True)
    assert_nothing_stored(app, db)


def test_a_huge_text_field_is_refused_too(app, db, client, seller):
    response = multipart(client, "/sell/listings/new", {**LISTING, "description": "鮭" * (4 * 1024 * 1024)}, [])
    assert response.status_code == 413
    assert_nothing_stored(app, db)


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "P+transparency", "RGBA", "CMYK", "I;16", "webp"])
def test_every_kind_of_pixels_is_stored_as_rgb(app, db, client, seller, mode):
    out = io.BytesIO()
    if mode == "CMYK":
        Image.new(mode, (120, 80)).save(out, "JPEG")
    elif mode == "webp":
        Image.new("RGBA", (120, 80), (10, 20, 30, 128)).save(out, "WEBP")
    elif mode == "P+transparency":
        Image.new("P", (120, 80), 5).save(out, "PNG", transparency=5)
    else:
        Image.new(mode, (120, 80)).save(out, "PNG")
    assert post_listing(client, (out.getvalue(), "odd.png")).status_code == 302
    _listing, keys = stored(app, db)
    assert open_stored(app, f"{keys[0]}-thumb.webp")[0].mode == "RGB"


def test_a_transparent_png_is_laid_on_white(app, db, client, seller):
    body = png(mode="RGBA", colour=(0, 0, 0, 0))
    assert post_listing(client, (body, "clear.png")).status_code == 302
    _listing, keys = stored(app, db)
    image, _data = open_stored(app, f"{keys[0]}-large.webp")
    assert all(c > 240 for c in image.convert("RGB").getpixel((10, 10)))


# --- what is kept -----------------------------------------------------------------------------


def test_exif_and_gps_are_stripped(app, db, client, seller):
    body = jpeg(exif=gps_exif())
    assert Image.open(io.BytesIO(body)).getexif().get_ifd(GPS_IFD), "the upload carries GPS"
    assert post_listing(client, (body, "boat.jpg")).status_code == 302
    _listing, keys = stored(app, db)
    for size in ("thumb", "large"):
        image, data = open_stored(app, f"{keys[0]}-{size}.webp")
        assert image.format == "WEBP"
        assert not image.getexif()
        assert not {"exif", "xmp", "icc_profile"} & set(image.info)
        for marker in (b"Exif", b"EXIF", b"XMP", b"GPS", b"PhoneMaker", b"2024:11:02"):
            assert marker not in data, (size, marker)


def test_sizes_and_weights(app, db, client, seller):
    """A busy 12-megapixel-like photo still makes a thumbnail under 30 KB."""
    body = jpeg((1600, 1200), noise=True, quality=90)
    assert post_listing(client, (body, "busy.jpg")).status_code == 302
    _listing, keys = stored(app, db)
    thumb, thumb_data = open_stored(app, f"{keys[0]}-thumb.webp")
    large, _large_data = open_stored(app, f"{keys[0]}-large.webp")
    assert len(thumb_data) <= 30_000
    assert thumb.width <= 400
    assert large.width <= 1200
    assert abs(large.width / large.height - 4 / 3) < 0.02  # proportions kept


def test_an_ordinary_photo_keeps_its_full_display_sizes(app, db, client, seller):
    assert post_listing(client, (jpeg((3000, 2000)), "sea.jpg")).status_code == 302
    _listing, keys = stored(app, db)
    assert open_stored(app, f"{keys[0]}-thumb.webp")[0].size == (400, 267)
    assert open_stored(app, f"{keys[0]}-large.webp")[0].size == (1200, 800)


def test_a_small_photo_is_not_enlarged(app, db, client, seller):
    assert post_listing(client, (png((300, 200)), "small.png")).status_code == 302
    _listing, keys = stored(app, db)
    assert open_stored(app, f"{keys[0]}-large.webp")[0].size == (300, 200)


def test_exif_orientation_is_applied(app, db, client, seller):
    """A phone held upright writes a landscape picture plus 'rotate 90° clockwise' (6)."""
    image = Image.new("RGB", (600, 300), (220, 20, 20))  # red on the left ...
    image.paste((20, 20, 220), (300, 0, 600, 300))  # ... blue on the right
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    assert post_listing(client, (out.getvalue(), "upright.jpg")).status_code == 302
    _listing, keys = stored(app, db)
    large, _data = open_stored(app, f"{keys[0]}-large.webp")
    assert large.size == (300, 600)  # portrait now
    top, bottom = large.convert("RGB").getpixel((150, 50)), large.convert("RGB").getpixel((150, 550))
    assert top[0] > 150 and top[2] < 100, top  # red went to the top
    assert bottom[2] > 150 and bottom[0] < 100, bottom


def test_file_names_are_random_never_the_uploaders(app, db, client, seller):
    body = jpeg()
    post_listing(client, (body, "../../etc/passwd.jpg"))
    post_listing(client, (body, "../../etc/passwd.jpg"))
    keys = [photo.key for photo in db.session.query(ListingPhoto).order_by(ListingPhoto.id)]
    assert len(keys) == 2 and keys[0] != keys[1]
    for key in keys:
        assert re.fullmatch(r"[A-Za-z0-9_-]{24}", key)
    names = [path.name for path in media_files(app)]
    assert len(names) == 4
    assert all("passwd" not in name and name.endswith(".webp") for name in names)


def test_photos_are_served_as_webp_with_nosniff(app, db, client, seller):
    post_listing(client, (jpeg(), "a.jpg"))
    _listing, keys = stored(app, db)
    client.post("/signout")
    for size in ("thumb", "large"):
        with client.get(f"/media/{keys[0]}-{size}.webp") as response:
            assert response.status_code == 200
            assert response.headers["Content-Type"] == "image/webp"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert "immutable" in response.headers["Cache-Control"]


@pytest.mark.parametrize("name", ["..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "short.webp",
                                  "aaaaaaaaaaaaaaaaaaaaaaaa-thumb.html", "aaaaaaaaaaaaaaaaaaaaaaaa-thumb.webp"])
def test_media_names_outside_the_store_are_404(client, name):
    assert client.get(f"/media/{name}").status_code == 404


def test_adding_photos_on_edit_checks_them_too(app, db, client, seller, make):
    listing = make.listing(seller)
    url = f"/sell/listings/{listing.id}/edit"
    response = multipart(client, url, LISTING, [("photos", BAD_FILES["svg-with-script"][0], "x.svg")])
    assert response.status_code == 422
    assert media_files(app) == []
    assert multipart(client, url, LISTING, [("photos", jpeg(exif=gps_exif()), "x.jpg")]).status_code == 302
    _listing, keys = stored(app, db, listing.id)
    assert len(keys) == 1 and len(media_files(app)) == 2


# --- the seller application's photo ----------------------------------------------------------


@pytest.fixture
def applicant(make, client):
    user = make.seller("Applicant", approved=False)
    sign_in(client, user)
    return user


def post_application(client, body, name="me.jpg"):
    return multipart(client, "/sell/apply", APPLICATION, [("photo", body, name)])


def _photo_key(db, user) -> str | None:
    db.session.expire_all()
    return db.session.get(SellerProfile, user.id).photo_key


@pytest.mark.parametrize("kind", ["svg-with-script", "pdf", "png-bomb", "truncated-jpeg", "gif"])
def test_the_application_photo_is_checked(app, db, client, applicant, kind):
    response = post_application(client, *BAD_FILES[kind])
    assert response.status_code == 422
    assert REFUSED in response.get_data(as_text=True)
    assert _photo_key(db, applicant) is None
    assert media_files(app) == []


def test_the_application_photo_over_12_mb_is_a_413(app, db, client, applicant):
    response = post_application(client, jpeg() + os.urandom(13 * 1024 * 1024))
    assert response.status_code == 413
    assert TOO_LARGE in response.get_data(as_text=True)
    assert _photo_key(db, applicant) is None
    assert media_files(app) == []


def test_the_application_photo_is_cleaned_and_stored(app, db, client, applicant):
    assert post_application(client, jpeg((1600, 1200), exif=gps_exif())).status_code == 302
    key = _photo_key(db, applicant)
    assert key and re.fullmatch(r"[A-Za-z0-9_-]{24}", key)
    image, data = open_stored(app, f"{key}-large.webp")
    assert image.width == 1200 and b"GPS" not in data and not image.getexif()
