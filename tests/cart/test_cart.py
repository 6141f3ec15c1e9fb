"""The cart through HTTP: one cart across sellers, quantities checked (steps, minimum order,
what is left), unavailable listings, surviving the session, merging on sign-in, and a header
count that never reaches the shared page cache."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from marketplace import db as tx
from marketplace.cart.models import Cart, CartItem
from marketplace.catalog import services as catalog
from marketplace.extensions import db as _db

from ..conftest import sign_in
from ..test_query_count import own_contexts as own_contexts  # noqa: F401  (a fixture: requests in their own app contexts)
from .conftest import add

EN = {"Accept-Language": "en"}


def cart_rows() -> dict[int, Decimal]:
    _db.session.expire_all()
    return {item.listing_id: item.quantity for item in _db.session.scalars(select(CartItem))}


def test_a_guest_fills_one_cart_from_two_sellers(client, shop):
    assert add(client, shop.salmon, "1.5").status_code == 302
    response = add(client, shop.squid, "2", headers=EN, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Added to your cart: Dried squid, now 2 pcs." in page
    assert cart_rows() == {shop.salmon.id: Decimal("1.5"), shop.squid.id: Decimal("2")}
    # Both sellers, each with their own shipping: 1.5 kg × ¥2,000 + ¥1,500 chilled;
    # 2 × ¥1,200 + ¥900 ambient.
    assert "浜丸水産" in page and "北の干物屋" in page
    assert "¥4,500" in page and "¥3,300" in page and "¥7,800" in page
    assert "Go to checkout" in page
    assert _db.session.scalar(select(Cart)).token is not None  # a guest cart


def test_adding_again_adds_up(client, shop):
    add(client, shop.salmon, "1.0")
    add(client, shop.salmon, "0.5")
    assert cart_rows() == {shop.salmon.id: Decimal("1.5")}


@pytest.mark.parametrize(
    ("listing", "typed", "message"),
    [
        ("salmon", "1.25", "Use steps of 0.1 kg."),
        ("salmon", "1,5", "Enter a number such as 2.5 (use a dot, not a comma)."),
        ("salmon", "-1", "Enter a number such as 2.5 (use a dot, not a comma)."),
        ("salmon", "NaN", "Enter a number such as 2.5 (use a dot, not a comma)."),
        ("salmon", "0", "Enter a quantity above zero."),
        ("squid", "1.5", "Use whole pieces."),
        ("salmon", "0.3", "The minimum order of Morning chum salmon is 0.5 kg."),
        ("salmon", "3.5", "Only 3 kg of Morning chum salmon is left."),
        ("squid", "6", "Only 5 pcs of Dried squid is left."),
    ],
)
def test_a_refused_quantity_says_why_naming_the_item_and_keeps_what_was_typed(client, shop, listing, typed, message):
    response = add(client, getattr(shop, listing), typed, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert f'value="{typed}"' in page
    assert cart_rows() == {}


def test_the_sum_must_fit_what_is_left(client, shop):
    add(client, shop.salmon, "2.0")
    response = add(client, shop.salmon, "1.5", headers=EN)
    assert response.status_code == 422
    assert "Only 3 kg of Morning chum salmon is left." in response.get_data(as_text=True)
    assert cart_rows() == {shop.salmon.id: Decimal("2.0")}


def test_change_and_remove(client, shop):
    add(client, shop.salmon, "1.0")
    add(client, shop.squid, "1")
    assert client.post(f"/cart/items/{shop.salmon.id}", data={"quantity": "2.5"}).status_code == 302
    assert cart_rows() == {shop.salmon.id: Decimal("2.5"), shop.squid.id: Decimal("1")}

    refused = client.post(f"/cart/items/{shop.salmon.id}", data={"quantity": "9"}, headers=EN)
    assert refused.status_code == 422
    assert "Only 3 kg of Morning chum salmon is left." in refused.get_data(as_text=True)
    assert 'value="9"' in refused.get_data(as_text=True)
    assert cart_rows()[shop.salmon.id] == Decimal("2.5")

    assert client.post(f"/cart/items/{shop.salmon.id}", data={"quantity": "0"}).status_code == 302
    assert client.post(f"/cart/items/{shop.squid.id}/remove").status_code == 302
    assert cart_rows() == {}
    assert "Your cart is empty." in client.get("/cart", headers=EN).get_data(as_text=True)


def test_nobody_changes_another_cart(app, client, shop):
    add(client, shop.salmon, "1.0")
    stranger = app.test_client()
    add(stranger, shop.squid, "1")
    assert stranger.post(f"/cart/items/{shop.salmon.id}", data={"quantity": "2"}).status_code == 404
    assert stranger.post(f"/cart/items/{shop.salmon.id}/remove").status_code == 404
    assert app.test_client().post(f"/cart/items/{shop.salmon.id}/remove").status_code == 404
    assert cart_rows() == {shop.salmon.id: Decimal("1.0"), shop.squid.id: Decimal("1")}


def test_a_listing_no_longer_on_sale_shows_as_unavailable_and_is_left_out(client, shop):
    add(client, shop.salmon, "1.0")
    add(client, shop.squid, "2")
    catalog.change_status(shop.salmon, "pause")
    tx.commit()
    page = client.get("/cart", headers=EN).get_data(as_text=True)
    assert "Morning chum salmon is no longer on sale. It is not included in your order." in page
    assert "¥3,300" in page and "¥5,000" not in page  # only the squid is priced
    assert "Go to checkout" in page
    checkout = client.get("/checkout", headers=EN)
    assert checkout.status_code == 200
    assert "Total ¥3,300" in checkout.get_data(as_text=True)


def test_a_line_that_no_longer_fits_must_be_changed_first(client, shop, make):
    add(client, shop.salmon, "2.5")
    catalog.update_listing(shop.salmon, {"quantity": "2.0"})
    tx.commit()
    page = client.get("/cart", headers=EN).get_data(as_text=True)
    assert "Only 2 kg of Morning chum salmon is left." in page
    assert "Please change the marked items first." in page and "Go to checkout" not in page
    response = client.get("/checkout", headers=EN)
    assert response.status_code == 302 and response.headers["Location"] == "/cart"


def test_add_from_the_listing_page_of_an_anonymous_visitor_goes_through_a_confirm_step(client, shop):
    listing_page = client.get(f"/listings/{shop.salmon.id}", headers=EN).get_data(as_text=True)
    assert 'action="/cart/add"' in listing_page and 'method="get"' in listing_page
    assert "csrf_token" not in listing_page
    step = client.get(f"/cart/add?listing_id={shop.salmon.id}&quantity=1.2", headers=EN)
    assert step.status_code == 200
    page = step.get_data(as_text=True)
    assert 'action="/cart/items"' in page and 'value="1.2"' in page and "Morning chum salmon" in page
    assert cart_rows() == {}  # a GET changes nothing
    missing = client.get("/cart/add?listing_id=999999&quantity=1", headers=EN)
    assert missing.status_code == 302 and missing.headers["Location"] == "/cart"


@pytest.mark.parametrize("listing_id", ["²", "١", "0", "-1", "99999999999999999999", "1e3", "", "abc"])
def test_odd_listing_ids_are_a_clear_no_never_a_crash(client, shop, listing_id):
    """'²'.isdigit() is True, yet int('²') fails: ids from a form are ASCII digits or nothing."""
    added = add(client, SimpleNamespace(id=listing_id), "1", headers=EN)
    assert 400 <= added.status_code < 500 or added.status_code == 302, added.status_code
    assert client.get("/cart", headers=EN).status_code == 200
    confirm = client.get(f"/cart/add?listing_id={listing_id}&quantity=1", headers=EN)
    assert confirm.status_code == 302 and confirm.headers["Location"] == "/cart"


def test_a_guest_cart_outlives_the_browser_session(app, client, shop):
    response = add(client, shop.salmon, "1.0")
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" in cookie and "HttpOnly" in cookie  # a lasting cookie, not a browser-session one
    # A new browser process with the same stored cookie still has the cart.
    returning = app.test_client()
    returning.set_cookie("session", client.get_cookie("session").value)
    assert "朝獲れ秋鮭" in returning.get("/cart").get_data(as_text=True)


def test_an_account_cart_is_kept_across_sign_ins(client, shop, make):
    buyer = make.user("restaurant")
    sign_in(client, buyer)
    add(client, shop.squid, "3")
    client.post("/signout")
    assert "するめ" not in client.get("/cart").get_data(as_text=True)
    sign_in(client, buyer)
    assert "するめ" in client.get("/cart").get_data(as_text=True)
    assert _db.session.scalar(select(Cart)).user_id == buyer.id


def test_signing_in_merges_the_guest_cart_into_the_account(client, shop, make):
    buyer = make.user("restaurant")
    sign_in(client, buyer)
    add(client, shop.salmon, "1.0")
    client.post("/signout")
    add(client, shop.salmon, "0.5")  # as a guest now
    add(client, shop.squid, "2")
    assert _db.session.query(Cart).count() == 2
    sign_in(client, buyer)
    assert cart_rows() == {shop.salmon.id: Decimal("1.5"), shop.squid.id: Decimal("2")}
    carts = _db.session.scalars(select(Cart)).all()
    assert [cart.user_id for cart in carts] == [buyer.id]  # the guest cart is gone
    assert "(2)" in client.get("/catalog").get_data(as_text=True)  # the header count


def test_a_merge_never_blocks_signing_in_and_shows_what_to_change(client, shop, make):
    buyer = make.user("customer")
    sign_in(client, buyer)
    add(client, shop.salmon, "2.0")
    client.post("/signout")
    add(client, shop.salmon, "2.0")
    sign_in(client, buyer)
    assert cart_rows() == {shop.salmon.id: Decimal("4.0")}
    page = client.get("/cart", headers=EN).get_data(as_text=True)
    assert "Only 3 kg of Morning chum salmon is left." in page


@pytest.fixture
def ids(shop):
    return SimpleNamespace(salmon=SimpleNamespace(id=shop.salmon.id), squid=SimpleNamespace(id=shop.squid.id))


def test_a_guest_with_a_cart_gets_the_shared_page_without_a_count(app, ids, own_contexts):
    """The header count is personal: a shared catalog page never carries one."""
    guest, stranger = app.test_client(), app.test_client()
    add(guest, ids.salmon, "1.0")
    assert '<span class="cart-count">(1)</span>' in guest.get("/cart").get_data(as_text=True)
    for visitor in (guest, stranger, guest):
        for url in ("/catalog", f"/listings/{ids.salmon.id}"):
            response = visitor.get(url)
            assert response.status_code == 200
            assert 'href="/cart">' in response.get_data(as_text=True)
            assert "cart-count" not in response.get_data(as_text=True), url
    assert guest.get("/catalog").data == stranger.get("/catalog").data


def test_a_signed_in_buyer_sees_the_count_on_every_page(app, ids, own_contexts, make):
    with app.app_context():
        buyer = SimpleNamespace(email=make.user("restaurant").email)
    member = app.test_client()
    sign_in(member, buyer)
    add(member, ids.salmon, "1.0")
    add(member, ids.squid, "1")
    listing_page = member.get(f"/listings/{ids.squid.id}").get_data(as_text=True)
    assert '<span class="cart-count">(2)</span>' in listing_page
    assert 'action="/cart/items" method="post"' in listing_page  # straight into the cart
    anonymous = app.test_client().get(f"/listings/{ids.squid.id}").get_data(as_text=True)
    assert "cart-count" not in anonymous and "csrf_token" not in anonymous
