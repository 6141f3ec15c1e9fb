"""The shared page cache of the public catalog: fresh after every listing change, never
personal, one entry per language, ETag/304 for repeat visits, and bounded."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from flask import render_template_string, request_started

from marketplace import db as tx
from marketplace.access import public
from marketplace.catalog import services as catalog
from marketplace.catalog.cache import Page, PageKey, PageStore, shared_page
from marketplace.catalog.models import Listing
from marketplace.extensions import db as _db
from marketplace.timeutil import freeze

from . import test_query_count as measured
from .conftest import sign_in
from .test_query_count import built, recording

engine = measured.engine  # fixtures shared with the query-count tests
own_contexts = measured.own_contexts

SIGNED_IN = 'action="/signout"'  # the header's sign-out form, in any language
SIGNED_OUT = 'href="/signin"'
TITLE = {"ja": "朝獲れ秋鮭", "en": "Morning chum salmon"}


@pytest.fixture
def world(app, make):
    with built(app):
        seller = make.seller("浜丸水産")
        listing = make.listing(
            seller, title=dict(TITLE), photo_keys=["cachephoto0abcdefghijklmnop"]
        )
        buyer = make.user("customer")
        return SimpleNamespace(
            listing_id=listing.id,
            seller_id=seller.id,
            buyer=SimpleNamespace(email=buyer.email),
            pages=[
                "/",
                "/catalog",
                "/catalog?kind=catch",
                f"/listings/{listing.id}",
                f"/sellers/{seller.id}",
            ],
        )


def change(app, listing_id: int, **data) -> None:
    with built(app):
        catalog.update_listing(_db.session.get(Listing, listing_id), data)
        tx.commit()


def test_a_repeat_anonymous_visit_is_one_query_and_a_304_with_the_etag(
    app, engine, own_contexts, client, world
):
    for url in world.pages:
        with recording(engine) as cold:
            first = client.get(url)
        with recording(engine) as warm:
            again = client.get(url)
        assert first.status_code == again.status_code == 200
        assert again.data == first.data
        assert len(warm) == 1 and "catalog_state" in warm[0], (url, warm)
        assert "catalog_state" in cold[0] and 2 <= len(cold) < 6, (url, cold)
        assert first.headers["ETag"] and first.headers["ETag"] == again.headers["ETag"]
        assert first.headers["Cache-Control"] == "no-cache"
        assert {"Cookie", "Accept-Language"} <= set(first.vary)
        assert "Set-Cookie" not in first.headers

        revisit = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert revisit.status_code == 304 and revisit.data == b""
        stale = client.get(url, headers={"If-None-Match": '"something-else"'})
        assert stale.status_code == 200 and stale.data == first.data


def test_a_listing_change_shows_on_the_very_next_request(app, own_contexts, client, world):
    for url in world.pages:
        assert "Morning chum salmon" in client.get(url, headers={"Accept-Language": "en"}).get_data(
            as_text=True
        )
    etag = client.get("/catalog", headers={"Accept-Language": "en"}).headers["ETag"]

    change(
        app,
        world.listing_id,
        title={"ja": "夕獲れ秋鮭", "en": "Evening chum salmon"},
        price_jpy=2100,
    )
    for url in world.pages:
        page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert "Evening chum salmon" in page and "Morning chum salmon" not in page, url
    changed = client.get("/catalog", headers={"Accept-Language": "en", "If-None-Match": etag})
    assert changed.status_code == 200 and "¥2,100" in changed.get_data(as_text=True)

    with built(app):
        catalog.change_status(_db.session.get(Listing, world.listing_id), "pause")
        tx.commit()
    assert client.get(f"/listings/{world.listing_id}").status_code == 404
    assert "Evening chum salmon" not in client.get(
        "/catalog", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)


def test_listings_leave_the_cached_catalog_when_they_expire(app, own_contexts, client, make):
    start = datetime(2026, 11, 25, 3, 0, 0)
    freeze(start)
    with built(app):
        make.listing(
            title={"en": "Short-lived squid"},
            available_until=(start + timedelta(seconds=50)).isoformat() + "Z",
        )
    assert "Short-lived squid" in client.get("/catalog").get_data(as_text=True)
    freeze(start + timedelta(seconds=30))  # same minute: the cached page, still right
    assert "Short-lived squid" in client.get("/catalog").get_data(as_text=True)
    freeze(start + timedelta(seconds=61))  # expired, and nothing bumped the version
    assert "Short-lived squid" not in client.get("/catalog").get_data(as_text=True)


def test_a_signed_in_visitor_never_gets_the_shared_anonymous_page(app, own_contexts, client, world):
    for url in world.pages:
        assert SIGNED_IN not in client.get(url).get_data(as_text=True)  # the shared pages, warm
    sign_in(client, world.buyer)
    for url in world.pages:
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert SIGNED_IN in page and SIGNED_OUT not in page, url
        assert response.headers["Cache-Control"] == "private, no-cache"
        assert "ETag" not in response.headers


def test_a_signed_in_render_never_enters_the_shared_cache(app, own_contexts, client, world):
    member = app.test_client()
    sign_in(member, world.buyer)
    for url in world.pages:
        assert SIGNED_IN in member.get(url).get_data(as_text=True)  # rendered first, cold
    for url in world.pages:
        page = client.get(url).get_data(as_text=True)
        assert SIGNED_IN not in page and SIGNED_OUT in page, url


def test_a_flashed_message_is_shown_once_and_never_shared(app, own_contexts, client, world):
    other = app.test_client()
    for visitor in (client, other):
        visitor.set_cookie("lang", "en")
        visitor.get("/")  # warm: the shared home page is stored
    sign_in(client, world.buyer)
    signed_out = client.post("/signout", follow_redirects=True)
    assert "You are signed out." in signed_out.get_data(as_text=True)
    assert signed_out.headers["Cache-Control"] == "private, no-cache"
    assert "You are signed out." not in client.get("/").get_data(as_text=True)
    assert "You are signed out." not in other.get("/").get_data(as_text=True)


def test_languages_do_not_mix(app, own_contexts, client, world):
    for _round in range(2):  # the second round comes from the store, through the WSGI layer
        for url in world.pages:
            english = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
            japanese = client.get(url, headers={"Accept-Language": "ja"}).get_data(as_text=True)
            assert "Morning chum salmon" in english and "朝獲れ秋鮭" not in english, url
            assert "朝獲れ秋鮭" in japanese and "Morning chum salmon" not in japanese, url
            assert 'lang="en"' in english and 'lang="ja"' in japanese
    client.set_cookie("lang", "en")
    for _round in range(2):
        chosen = client.get("/catalog", headers={"Accept-Language": "ja"}).get_data(as_text=True)
        assert "Morning chum salmon" in chosen
        asked = app.test_client().get("/catalog?lang=ja").get_data(as_text=True)
        assert "朝獲れ秋鮭" in asked


def test_repeat_visits_are_answered_before_flask_with_the_same_headers(
    app, own_contexts, client, world
):
    dispatched = []

    def count(sender, **extra):
        dispatched.append(1)

    first = client.get("/catalog")
    with request_started.connected_to(count, app):
        again = client.get("/catalog")
        head = client.head("/catalog")
        revisit = client.get("/catalog", headers={"If-None-Match": first.headers["ETag"]})
    assert dispatched == []  # the WSGI layer answered all three
    assert again.data == first.data and head.data == b""
    assert head.headers["Content-Length"] == str(len(first.data))
    assert revisit.status_code == 304 and revisit.data == b""
    for name in (
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "ETag",
        "Vary",
        "Cache-Control",
    ):
        assert again.headers[name] == first.headers[name], name
        assert revisit.headers[name] == first.headers[name], name
    assert again.headers.get_all("Date") == [] or len(again.headers.get_all("Date")) == 1

    with request_started.connected_to(count, app):
        client.get("/catalog?kind=catch")  # a page not stored yet
        client.set_cookie("remember_token", "anything")
        client.get("/catalog")  # might sign someone in: Flask decides
    assert len(dispatched) == 2


def test_a_render_that_makes_a_csrf_token_is_personal(app, own_contexts, client):
    # A later public page with a form (e.g. "add to cart") must not share one visitor's token.
    view = public(shared_page(lambda: render_template_string('<input value="{{ csrf_token() }}">')))
    app.add_url_rule("/test-form-page", "test_form_page", view)
    first, second = client.get("/test-form-page"), app.test_client().get("/test-form-page")
    assert first.headers["Cache-Control"] == second.headers["Cache-Control"] == "private, no-cache"
    assert "ETag" not in first.headers
    assert first.data != second.data


def test_cache_off_renders_every_time(app, engine, own_contexts, client, world):
    app.config["CATALOG_PAGE_CACHE_SIZE"] = 0
    client.get("/catalog")
    with recording(engine) as statements:
        response = client.get("/catalog")
    assert not any("catalog_state" in s for s in statements) and len(statements) >= 2
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_the_page_store_is_bounded_and_keeps_recent_pages():
    store = PageStore(2)
    keys = {
        name: PageKey(1, None, "ja", "http", None, "shop", "", f"/{name}", "") for name in "abc"
    }
    pages = {name: Page(name.encode(), name, "text/html") for name in "abc"}
    store.put(keys["a"], pages["a"])
    store.put(keys["b"], pages["b"])
    assert store.get(keys["a"]) is pages["a"]  # a is now the most recent
    store.put(keys["c"], pages["c"])
    assert len(store) == 2
    assert store.get(keys["b"]) is None and not store.holds_path("/b")
    assert store.get(keys["a"]) is pages["a"] and store.get(keys["c"]) is pages["c"]
    assert store.holds_path("/a") and store.holds_path("/c")


def test_other_requests_do_not_read_the_catalog_version(app, engine, own_contexts, client, world):
    client.get("/catalog")
    client.get("/catalog")  # the store holds /catalog, the locale is known
    with recording(engine) as statements:
        with client.get("/static/css/app.css") as stylesheet:
            assert stylesheet.status_code == 200
        client.get("/signin")
    assert not any("catalog_state" in s for s in statements)
