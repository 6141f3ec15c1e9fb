"""Bad input never makes a 500: forms, search and filters, cursors, sign-up (with Hypothesis);
text is escaped and cleaned; a database error mid-request leaves nothing half-made."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from marketplace.accounts.models import User
from marketplace.catalog.models import Listing, ListingPhoto
from marketplace.extensions import db as _db

from ..conftest import sign_in

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LISTING = {"kind": "catch", "species": "秋鮭", "unit": "kg", "quantity": "5", "price_jpy": "1800",
           "temperature": "chilled"}

NASTY_NUMBERS = [
    "-1", "-0.1", "0", "0.0", "NaN", "nan", "Infinity", "-Infinity", "inf", "1e9", "1E3", "1,5",
    "１２", "1_000", "0x10", "9" * 400, "1.05", "0.01", "100001", "", " ", "1.5.1", "+3", "٣",
    "1e-7", "Ⅻ", "\x00", "' OR '1'='1", "<script>",
]
SQLISH = [
    "' OR 1=1 --", "'; DROP TABLE listings; --", "\" OR \"\"=\"", "1) UNION SELECT password_hash FROM users--",
    "%", "_", "\\", "%' AND 1=1 AND '%'='", "' || (SELECT 1) || '", "*/ SELECT /*", "\x00",
]
addresses = (f"10.9.{n // 250}.{n % 250}" for n in itertools.count())

texts = st.one_of(
    st.text(max_size=300),
    st.sampled_from(NASTY_NUMBERS + SQLISH),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
)


@pytest.fixture
def seller(make, client):
    user = make.seller()
    sign_in(client, user)
    return user


def listed(page: str) -> set[str]:
    """The listing ids a catalog page shows (filter menus also name species, so look at links)."""
    return set(re.findall(r'href="/listings/(\d+)"', page))


def assert_no_crash(response):
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]


# --- the seller's listing form -------------------------------------------------------------


@pytest.mark.parametrize("name", ["quantity", "price_jpy", "min_order", "tier1_min", "tier1_price"])
def test_nasty_numbers_are_refused_or_sane(client, db, seller, name):
    for value in NASTY_NUMBERS:
        data = {**LISTING, name: value}
        if name == "tier1_min":
            data["tier1_price"] = "1500"
        if name == "tier1_price":
            data["tier1_min"] = "2"
        response = client.post("/sell/listings/new", data=data)
        assert response.status_code in (302, 422), (name, value, response.status_code)
    for listing in db.session.query(Listing):
        assert 0 < listing.quantity_available <= Decimal(100000)
        assert listing.quantity_available % Decimal("0.1") == 0
        assert 1 <= listing.price_jpy <= 10_000_000
        assert listing.min_order > 0


def test_bad_quantities_say_what_to_fix(client, db, seller):
    for value in ["-1", "0", "NaN", "Infinity", "1e9", "1,5", "9" * 100, "", "0.05"]:
        response = client.post("/sell/listings/new", data={**LISTING, "quantity": value},
                               headers={"Accept-Language": "en"})
        assert response.status_code == 422, value
        page = response.get_data(as_text=True)
        assert re.search(r'<p class="error" id="quantity-error">[^<]+</p>', page), value
        assert 'value="' + value.replace(",", ",") + '"' in page or not value  # kept what was typed
    assert db.session.query(Listing).count() == 0


@FUZZ
@given(fields=st.fixed_dictionaries({}, optional={
    name: texts for name in (
        "kind", "species", "unit", "quantity", "price_jpy", "temperature", "min_order", "caught_at",
        "landing_port", "method", "available_until", "best_before", "title", "description",
        "tier1_min", "tier1_price")
}))
def test_any_listing_form_is_answered_without_a_crash(client, db, seller, fields):
    response = client.post("/sell/listings/new", data=fields)
    assert_no_crash(response)
    assert response.status_code in (200, 302, 422)  # 200: the form shown again with its errors


@FUZZ
@given(fields=st.fixed_dictionaries({"quantity": texts, "price_jpy": texts, "title": texts,
                                     "description": texts, "available_until": texts}))
def test_any_edit_is_answered_without_a_crash(client, db, seller, make, fields):
    listing = make.listing(seller)
    response = client.post(f"/sell/listings/{listing.id}/edit", data={**LISTING, **fields})
    assert_no_crash(response)
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).quantity_available >= 0


def test_html_in_text_is_escaped_on_the_listing_page(client, db, seller):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = client.post("/sell/listings/new", data={
        **LISTING, "title": "Salmon " + evil, "description": "Fresh " + evil,
        "landing_port": "枝幸" + evil, "method": "定置網" + evil, "species": "Sake" + evil})
    assert response.status_code == 302
    listing = db.session.query(Listing).one()
    for url in (f"/listings/{listing.id}", "/catalog", "/", f"/sellers/{seller.id}",
                f"/sell/listings/{listing.id}/edit", "/sell"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page, url
    page = client.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_html_in_the_seller_profile_is_escaped(client, db, make):
    applicant = make.seller("x", approved=False)
    sign_in(client, applicant)
    evil = "<script>alert(1)</script>"
    response = client.post("/sell/apply", data={"kind": "fisher", "name": "丸" + evil, "boat_name": evil,
                                                "home_port": "枝幸", "story": evil})
    assert response.status_code == 302
    admin = make.admin()
    client.post("/signout")
    sign_in(client, admin)
    assert "<script>alert(1)" not in client.get("/admin/applications").get_data(as_text=True)


INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c",
             "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\u2060"]


def test_zero_width_and_bidi_characters_are_stripped(client, db, seller):
    title = "Sal" + "".join(INVISIBLE) + "mon ¥100" + "\u202e0001"
    response = client.post("/sell/listings/new", data={**LISTING, "title": title, "species": "Ke\u200bta",
                                                       "description": "a\u202eb"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 302
    listing = db.session.query(Listing).one()
    stored = " ".join([*listing.title.values(), *listing.description.values(), listing.species_name])
    assert not any(c in stored for c in INVISIBLE)
    assert listing.title["en"] == "Salmon ¥1000001"
    page = client.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert not any(c in page for c in INVISIBLE)


@FUZZ
@given(title=st.text(alphabet=st.sampled_from(INVISIBLE + list("ab 鮭")), min_size=1, max_size=30))
def test_no_invisible_character_survives_in_a_title(client, db, seller, title):
    response = client.post("/sell/listings/new", data={**LISTING, "title": title})
    assert_no_crash(response)
    for listing in db.session.query(Listing):
        assert not any(c in "".join(listing.title.values()) for c in INVISIBLE)


# --- catalog search, filters and cursors ------------------------------------------------------


@pytest.fixture
def catalog(make):
    seller = make.seller()
    return [make.listing(seller, species=name) for name in ("秋鮭", "ホタテ", "毛ガニ")]


@pytest.mark.parametrize("name", ["q", "species", "port", "kind", "temperature", "cursor", "lang"])
def test_sql_and_huge_values_in_catalog_params_are_harmless(client, catalog, name):
    odd_bytes = "\ud800".encode("utf-8", "surrogatepass").decode("latin-1")
    for value in [*(v for v in SQLISH if v != "_"), "x" * 100_000, "鮭" * 5000, odd_bytes]:
        response = client.get("/catalog", query_string={name: value})
        assert response.status_code == 200, (name, value[:40])
        if name == "q" and value != "\x00":  # nothing searchable in a lone NUL: everything shows
            assert listed(response.get_data(as_text=True)) == set(), value[:40]


def test_like_wildcards_are_literal_in_search(client, catalog):
    assert listed(client.get("/catalog?q=ホタテ").get_data(as_text=True)) == {str(catalog[1].id)}
    assert len(listed(client.get("/catalog").get_data(as_text=True))) == 3
    for wildcard in ("%", "%%", "\\", "%ホ%", "ホ_テ", "_ホタテ", "ホ%"):
        page = client.get("/catalog", query_string={"q": wildcard}).get_data(as_text=True)
        assert listed(page) == set(), wildcard


@FUZZ
@given(params=st.dictionaries(
    st.sampled_from(["q", "species", "port", "kind", "temperature", "cursor", "lang", "page", "sort"]),
    texts, max_size=5))
def test_any_catalog_query_is_a_page(client, catalog, params):
    for url in ("/catalog", "/", f"/sellers/{catalog[0].seller_id}"):
        response = client.get(url, query_string=params)
        assert response.status_code == 200, (url, params)


def test_cursor_garbage_is_ignored(client, catalog):
    for cursor in ["-1", "0", "99999999999999999999", "99999999999", "1e3", "abc", "１", "²", "١٢",
                   "1; DROP", "", "%00"]:
        for url in ("/catalog", f"/sellers/{catalog[0].seller_id}"):
            assert client.get(url, query_string={"cursor": cursor}).status_code == 200, (url, cursor)


def test_odd_ids_in_paths_are_404(client):
    for path in ["/listings/99999999999999999999999", "/sellers/99999999999999999999999",
                 "/listings/-1", "/listings/1%00", "/media/%00", "/lang/%00",
                 "/sell/listings/99999999999999999999999/edit"]:
        assert client.get(path).status_code in (404, 302), path


# --- sign-up ---------------------------------------------------------------------------------


@FUZZ
@given(fields=st.fixed_dictionaries({}, optional={
    "email": st.one_of(texts, st.emails()),
    "password": texts,
    "display_name": texts,
    "role": st.one_of(texts, st.sampled_from(["customer", "seller", "restaurant", "admin"])),
}))
def test_any_sign_up_is_answered_without_a_crash(app, db, fields):
    client = app.test_client()
    response = client.post("/signup", data=fields, environ_base={"REMOTE_ADDR": next(addresses)})
    assert_no_crash(response)
    assert response.status_code in (200, 302)
    assert db.session.query(User).filter_by(role="admin").count() == 0


def test_nobody_signs_up_as_admin(client, db):
    response = client.post("/signup", data={"email": "me@example.jp", "password": "long enough pass",
                                            "role": "admin"})
    assert response.status_code == 200
    assert db.session.query(User).count() == 0


def test_bad_email_addresses_are_refused(client, db):
    for email in ["a@b", "no-at-sign", "x@example.jp\r\nBcc: all@example.jp", "<script>@example.jp",
                  "a" * 300 + "@example.jp"]:
        response = client.post("/signup", data={"email": email, "password": "long enough pass",
                                                "role": "customer"})
        assert response.status_code == 200, email
    assert db.session.query(User).count() == 0


# --- a database error mid-request ---------------------------------------------------------


@pytest.fixture
def failing_insert(db):
    """Make the database refuse inserts into one table, as a full disk or a lost connection
    would, part-way through a request's transaction."""
    engine = db.engine
    state = {"table": None, "fired": 0}

    def refuse(conn, cursor, statement, parameters, context, executemany):
        if state["table"] and statement.lstrip().upper().startswith(f"INSERT INTO {state['table'].upper()}"):
            state["fired"] += 1
            raise RuntimeError(f"simulated database failure on {state['table']}")

    event.listen(engine, "before_cursor_execute", refuse)
    yield state
    event.remove(engine, "before_cursor_execute", refuse)


def test_a_database_error_mid_listing_leaves_no_half_made_listing(app, client, db, seller, failing_insert):
    from ..test_uploads import jpeg, media_files

    failing_insert["table"] = "listing_photos"  # the listing row goes in first, then this fails
    data = {**LISTING, "photos": [(__import__("io").BytesIO(jpeg()), "a.jpg")]}
    response = client.post("/sell/listings/new", data=data, content_type="multipart/form-data",
                           headers={"Accept-Language": "en"})
    assert failing_insert["fired"] == 1
    assert response.status_code == 500
    assert re.search(r"Reference: [0-9a-f]{8}", response.get_data(as_text=True))
    assert "simulated" not in response.get_data(as_text=True)  # no internals shown
    failing_insert["table"] = None
    _db.session.remove()
    assert db.session.query(Listing).count() == 0
    assert db.session.query(ListingPhoto).count() == 0
    assert media_files(app) == []
    # and the next request works normally
    assert client.post("/sell/listings/new", data=LISTING).status_code == 302


def test_a_database_error_mid_sign_up_leaves_no_account(client, db, failing_insert):
    failing_insert["table"] = "seller_profiles"  # the user row goes in first, then this fails
    response = client.post("/signup", data={"email": "half@example.jp", "password": "long enough pass",
                                            "role": "seller"})
    assert failing_insert["fired"] == 1
    assert response.status_code == 500
    failing_insert["table"] = None
    _db.session.remove()
    assert db.session.query(User).filter_by(email="half@example.jp").count() == 0
    with client.session_transaction() as session:
        assert "_user_id" not in session
