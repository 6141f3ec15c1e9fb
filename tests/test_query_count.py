"""The public catalog pages issue a small, constant number of SQL statements however many
listings there are (QUALITY.md: under 6 per page), and signing in adds only the user load."""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask.globals import app_ctx
from sqlalchemy import event

from marketplace.extensions import db as _db

from .conftest import sign_in

LIMIT = 6  # "under 6 per page"
SPECIES = ["秋鮭", "ホタテ", "毛ガニ", "ウニ", "するめ"]
PORTS = ["枝幸", "稚内", "紋別"]


@pytest.fixture
def app_overrides():
    # Measure the real rendering cost: with the page cache on, a repeat visit costs 1 statement.
    return {"CATALOG_PAGE_CACHE_SIZE": 0}


@pytest.fixture
def engine(app):
    return _db.engine


@pytest.fixture
def own_contexts(app):
    """Under gunicorn every request has its own app context, so its own `g` and DB session.
    conftest keeps one app context open for the whole test, and the test client reuses it,
    carrying `g` (the signed-in user, a CSRF token) and loaded objects from one request into
    the next. Step out of it while these tests make requests; build data inside `built()`."""
    outer = app_ctx._get_current_object()
    outer.pop()
    try:
        yield
    finally:
        outer.push()


@contextmanager
def built(app):
    with app.app_context():
        yield


@contextmanager
def recording(engine):
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def populate(make, count: int) -> dict:
    """`count` live listings from several sellers, with photos and price tiers on some."""
    sellers = [make.seller(f"Seller {n}", boat_name=f"Boat {n}") for n in range(4)]
    listings = []
    for n in range(count):
        kind = "product" if n % 3 == 0 else "catch"
        data = {
            "kind": kind,
            "species": SPECIES[n % len(SPECIES)],
            "unit": "piece" if kind == "product" else "kg",
            "price_jpy": 1000 + n * 10,
            "quantity": "12",
            "landing_port": PORTS[n % len(PORTS)],
            "temperature": ("chilled", "frozen", "ambient")[(n // 2) % 3],
            "title": {"ja": f"出品 {n}", "en": f"Listing {n}"},
            "photo_keys": [f"photo{n:04d}{p}abcdefghijklmnop" for p in range(n % 3)],
        }
        if n % 2:
            data["price_tiers"] = [
                {"min_quantity": "5", "price_jpy": 900},
                {"min_quantity": "10", "price_jpy": 800},
            ]
        listings.append(make.listing(sellers[n % len(sellers)], **data))
    return {"sellers": sellers, "listings": listings}


def page_urls(world: dict) -> dict[str, str]:
    listing = world["listings"][1]  # has a photo and price tiers
    return {
        "home": "/",
        "catalog": "/catalog",
        "catalog, filtered": "/catalog?kind=catch&temperature=chilled",
        "catalog, species and port": "/catalog?species=秋鮭&port=枝幸",
        "catalog, search": "/catalog?q=listing",
        "catalog, next page": f"/catalog?cursor={listing.id + 1}",
        "listing": f"/listings/{listing.id}",
        "seller": f"/sellers/{world['sellers'][1].id}",
    }


def world_urls(app, make, count: int) -> dict[str, str]:
    with built(app):
        return page_urls(populate(make, count))


def statements_per_page(client, engine, urls: dict[str, str]) -> dict[str, list[str]]:
    pages = {}
    for name, url in urls.items():
        with recording(engine) as statements:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        if name.startswith(("home", "catalog", "seller")):  # pages with cards: not empty
            assert 'class="card"' in response.get_data(as_text=True), name
        pages[name] = statements
    return pages


def count_pages(client, engine, urls: dict[str, str]) -> dict[str, int]:
    return {name: len(s) for name, s in statements_per_page(client, engine, urls).items()}


def test_small_and_large_catalogs_issue_the_same_few_queries(
    app, engine, own_contexts, client, make
):
    small = count_pages(client, engine, world_urls(app, make, 3))
    # Grow to 43 listings from 8 sellers, and look at the same kinds of pages again.
    large = count_pages(client, engine, world_urls(app, make, 40))
    assert small == large, (small, large)
    for name, count in large.items():
        assert count < LIMIT, (name, count)


def test_listing_page_query_count_does_not_grow_with_photos_or_tiers(
    app, engine, own_contexts, client, make
):
    with built(app):
        seller = make.seller()
        plain = make.listing(seller)
        rich = make.listing(
            seller,
            photo_keys=[f"richphoto{p}abcdefghijklmnop" for p in range(4)],
            price_tiers=[
                {"min_quantity": str(q), "price_jpy": 1800 - q * 10} for q in (2, 5, 10, 20)
            ],
        )
        assert [t.min_quantity for t in rich.price_tiers][0] == Decimal("2")
        urls = {"plain": f"/listings/{plain.id}", "rich": f"/listings/{rich.id}"}
    counts = count_pages(client, engine, urls)
    assert counts["plain"] == counts["rich"] < LIMIT


def test_signing_in_adds_only_the_user_load(app, engine, own_contexts, client, make):
    urls = world_urls(app, make, 12)
    anonymous = statements_per_page(client, engine, urls)
    with built(app):
        buyer = make.user("customer")
        sign_in(client, SimpleNamespace(email=buyer.email))
    signed_in = statements_per_page(client, engine, urls)
    for name, statements in signed_in.items():
        assert 'action="/signout"' in client.get(urls[name]).get_data(as_text=True)
        extra = list(statements)
        for statement in anonymous[name]:
            extra.remove(statement)
        assert len(extra) == 1, (name, extra)
        assert "FROM users" in extra[0], (name, extra)
        assert len(statements) < LIMIT, (name, len(statements))
