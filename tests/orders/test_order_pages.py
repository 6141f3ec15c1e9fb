"""The order pages through the test client, with real payments against localstripe: a seller
packs (captures the weighed amount), prints the slip, ships, delivers, cancels and refunds; a
buyer sees and cancels their orders; the tracking page shows no money; the cooperative sees
every order. Other people's orders are 404."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from marketplace import db as tx
from marketplace.config import ROOT
from marketplace.orders import checkout as checkouts
from marketplace.orders import payment
from marketplace.orders.models import Order, Refund
from marketplace.timeutil import tokyo_today

from ..conftest import sign_in

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REQUEST_KEY = re.compile(r'name="request_key"[^>]*value="([^"]+)"')
MONEY = re.compile(r"¥|円|JP¥|\bJPY\b|authoris", re.IGNORECASE)


@pytest.fixture
def csrf_on():
    """Ask for CSRF protection on (as in production) in the test that uses this."""
    return True


@pytest.fixture
def app_overrides(localstripe, request):
    return {"STRIPE_API_BASE": localstripe, "WTF_CSRF_ENABLED": "csrf_on" in request.fixturenames}


@pytest.fixture
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def paid_orders(items, buyer=None, gift_message=None) -> list[Order]:
    """Check out and pay with a real (localstripe) card: one paid order per seller."""
    data = {
        "items": [{"listing_id": listing.id, "quantity": quantity} for listing, quantity in items],
        "email": buyer.email if buyer else "guest@example.com",
        "ship_to": {
            "name": "山田 花子", "postal_code": "060-0001", "prefecture": "北海道", "city": "札幌市中央区",
            "address_line1": "北1条西2-1", "phone": "090-1234-5678",
        },
        "delivery": {"date": (tokyo_today() + timedelta(days=2)).isoformat(), "slot": "am"},
    }
    if gift_message:
        data["gift_message"] = gift_message
    made = checkouts.create_checkout(buyer=buyer, guest_key=None if buyer else "guest-pages", data=data, locale="en")
    tx.commit()
    payment.ensure_setup_intent(made)
    tx.commit()
    assert payment.pay(made, "pm_card_visa").status == "paid"
    return list(made.orders)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def reload(db, order: Order) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order.id)


@pytest.fixture
def shop(make):
    """Two fishers; a buyer with a paid order of 2.0 kg salmon (¥2,000/kg, chilled) from the first."""
    fisher = make.seller(name="浜丸", home_port="枝幸")
    other = make.seller(name="汐見丸")
    buyer = make.user("customer")
    salmon = make.listing(fisher, species="秋鮭", unit="kg", price_jpy=2000, quantity="10", temperature="chilled")
    order = paid_orders([(salmon, "2.0")], buyer=buyer, gift_message="お誕生日おめでとう")[0]
    return {"fisher": fisher, "other": other, "buyer": buyer, "salmon": salmon, "order": order}


# --- the seller ------------------------------------------------------------------------------


def test_seller_sees_orders_grouped_newest_first(english, make, shop):
    fisher, salmon = shop["fisher"], shop["salmon"]
    frozen = make.listing(fisher, species="ホタテ", unit="piece", price_jpy=300, quantity="50", temperature="frozen")
    newer = paid_orders([(frozen, "10")], buyer=make.user("customer"))[0]
    packed = paid_orders([(salmon, "1.0")])[0]
    sign_in(english, fisher)
    english.post(f"/sell/orders/{packed.id}/pack", data={})
    page = text(english.get("/sell/orders"))
    assert page.index("To weigh and pack today") < page.index(newer.number) < page.index(shop["order"].number)
    assert page.index("To ship") < page.index(packed.number)
    assert "山田 花子" in page and "北海道" in page
    assert "Frozen" in page and "Chilled" in page
    assert "ホタテ 10 pcs" in page and "秋鮭 2 kg" in page


def test_order_page_shows_lines_address_amounts_and_the_pack_form(english, shop):
    order = shop["order"]
    sign_in(english, shop["fisher"])
    page = text(english.get(f"/sell/orders/{order.id}"))
    assert order.number in page and "〒060-0001" in page and "北1条西2-1" in page and "09012345678" in page
    assert "¥5,900" in page  # authorised: 4,000 × 1.1 + 1,500 shipping
    field = re.search(r'<input[^>]*name="line_(\d+)"[^>]*>', page).group(0)
    assert 'value="2.0"' in field and 'inputmode="decimal"' in field
    assert "History" in page and "お誕生日おめでとう" in page


def test_pack_captures_the_weighed_amount(english, db, shop, stripe_client, mailbox):
    order = shop["order"]
    line = order.lines[0]
    sign_in(english, shop["fisher"])
    response = english.post(f"/sell/orders/{order.id}/pack", data={f"line_{line.id}": "1.8"}, follow_redirects=True)
    page = text(response)
    assert response.status_code == 200
    assert "Packed. ¥5,100 was charged for what you weighed." in page
    order = reload(db, order)
    assert order.status == "packed" and order.captured_jpy == 5100 and order.lines[0].quantity_actual == Decimal("1.8")
    assert stripe_client.v1.payment_intents.retrieve(order.payment_intent_id).status == "succeeded"
    assert "Charged" in page and "¥5,100" in page
    assert 'name="tracking_number"' in page  # next: ship


def test_pack_above_the_authorisation_says_the_authorised_amount_was_charged(english, db, shop):
    order = shop["order"]
    sign_in(english, shop["fisher"])
    page = text(english.post(f"/sell/orders/{order.id}/pack", data={f"line_{order.lines[0].id}": "2.5"}, follow_redirects=True))
    assert "The weighed total is ¥6,500, more than the card authorisation: the authorised ¥5,900 was charged." in page
    assert reload(db, order).captured_jpy == 5900


def test_pack_with_a_comma_shows_a_translated_error_and_keeps_the_input(client, db, shop):
    order = shop["order"]
    line = order.lines[0]
    sign_in(client, shop["fisher"])
    response = client.post(f"/sell/orders/{order.id}/pack", data={f"line_{line.id}": "1,8"}, headers={"Accept-Language": "ja"})
    assert response.status_code == 422
    page = text(response)
    english = "Enter a number such as 2.5 (use a dot, not a comma)."
    with force_locale("ja"):
        japanese = _(english)
    assert japanese != english and japanese in page
    assert re.search(rf'name="line_{line.id}"[^>]*value="1,8"', page)
    assert 'aria-invalid="true"' in page and "error-summary" in page
    assert reload(db, order).status == "paid"


def test_packing_slip(english, shop):
    order = shop["order"]
    sign_in(english, shop["fisher"])
    page = text(english.get(f"/sell/orders/{order.id}/slip"))
    assert order.number in page and "〒060-0001" in page and "山田 花子" in page
    assert "要冷蔵" in page and "要冷凍" not in page
    assert "秋鮭" in page and "2 kg" in page and "お誕生日おめでとう" in page
    assert "¥" not in page.split("<main", 1)[1]  # no prices: it can go in a gift box
    assert "@media print" in (ROOT / "static/css/app.css").read_text(encoding="utf-8")


def test_ship_with_a_tracking_number_then_deliver(english, db, shop, mailbox):
    order = shop["order"]
    sign_in(english, shop["fisher"])
    english.post(f"/sell/orders/{order.id}/pack", data={})
    # A carrier other than local needs a number: the form says so and keeps the choice.
    response = english.post(f"/sell/orders/{order.id}/ship", data={"carrier": "sagawa", "tracking_number": ""})
    assert response.status_code == 422
    assert "Enter the tracking number." in text(response)
    assert re.search(r'<option selected value="sagawa">|<option value="sagawa" selected', text(response))
    response = english.post(f"/sell/orders/{order.id}/ship", data={"carrier": "yamato", "tracking_number": "4321-9876-5555"}, follow_redirects=True)
    page = text(response)
    assert "Shipped. The buyer was e-mailed the tracking link." in page
    assert "https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01=4321-9876-5555" in page
    assert reload(db, order).status == "shipped"
    assert any("4321-9876-5555" in m.get_content() for m in mailbox.to(shop["buyer"].email))
    page = text(english.post(f"/sell/orders/{order.id}/deliver", data={}, follow_redirects=True))
    assert "Marked as delivered." in page and reload(db, order).status == "delivered"
    # A second click is refused politely, not with an error page.
    response = english.post(f"/sell/orders/{order.id}/deliver", data={})
    assert response.status_code == 409 and "cannot be changed that way" in text(response)


def test_cancel_has_a_confirm_step_and_voids_the_authorisation(english, db, shop, stripe_client):
    order, salmon = shop["order"], shop["salmon"]
    sign_in(english, shop["fisher"])
    confirm = text(english.get(f"/sell/orders/{order.id}/cancel"))
    assert "Cancel order" in confirm and "the buyer is not charged" in confirm
    assert reload(db, order).status == "paid"  # looking is not cancelling
    response = english.post(f"/sell/orders/{order.id}/cancel", data={"reason": ""})
    assert response.status_code == 422 and "Say why the order is cancelled." in text(response)
    page = text(english.post(f"/sell/orders/{order.id}/cancel", data={"reason": "時化で出漁できません"}, follow_redirects=True))
    assert "The order is cancelled; the buyer's card was not charged." in page
    order = reload(db, order)
    assert order.status == "cancelled" and order.cancel_reason == "時化で出漁できません"
    assert stripe_client.v1.payment_intents.retrieve(order.payment_intent_id).status == "canceled"
    db.session.refresh(salmon)
    assert salmon.quantity_available == Decimal("10")


def test_cancel_after_packing_refunds_the_capture(english, db, shop):
    order = shop["order"]
    sign_in(english, shop["fisher"])
    english.post(f"/sell/orders/{order.id}/pack", data={})
    assert "¥5,500 charged will be refunded" in text(english.get(f"/sell/orders/{order.id}/cancel"))
    page = text(english.post(f"/sell/orders/{order.id}/cancel", data={"reason": "傷み"}, follow_redirects=True))
    assert "The order is cancelled; ¥5,500 was refunded to the buyer." in page
    assert reload(db, order).refunded_jpy == 5500


def test_two_clicks_on_refund_make_one_refund(english, db, shop):
    order = shop["order"]
    sign_in(english, shop["fisher"])
    english.post(f"/sell/orders/{order.id}/pack", data={})
    page = text(english.get(f"/sell/orders/{order.id}"))
    key = REQUEST_KEY.search(page).group(1)
    assert len(key) >= 24
    form = {"amount_jpy": "800", "reason": "身割れ", "request_key": key}
    first = english.post(f"/sell/orders/{order.id}/refund", data=form)
    second = english.post(f"/sell/orders/{order.id}/refund", data=form)
    assert first.status_code == second.status_code == 302
    order = reload(db, order)
    assert order.refunded_jpy == 800 and Refund.query.filter_by(order_id=order.id).count() == 1
    page = text(english.get(f"/sell/orders/{order.id}"))
    assert "¥800" in page and "Up to ¥4,700 can be refunded." in page
    assert REQUEST_KEY.search(page).group(1) != key  # a new form, a new key


def test_refund_more_than_is_left_or_not_a_number_keeps_the_input(english, db, shop):
    order = shop["order"]
    sign_in(english, shop["fisher"])
    english.post(f"/sell/orders/{order.id}/pack", data={})
    response = english.post(f"/sell/orders/{order.id}/refund", data={"amount_jpy": "99999", "reason": "x", "request_key": "k1" * 12})
    assert response.status_code == 409
    page = text(response)
    assert "That is more than is left to refund (¥5,500)." in page and 'value="99999"' in page
    response = english.post(f"/sell/orders/{order.id}/refund", data={"amount_jpy": "1.5", "reason": "x", "request_key": "k2" * 12})
    assert response.status_code == 422 and "Enter an amount in whole yen above zero." in text(response)
    assert reload(db, order).refunded_jpy == 0


def test_another_seller_gets_404_everywhere_and_nothing_changes(client, db, shop):
    order = shop["order"]
    sign_in(client, shop["other"])
    base = f"/sell/orders/{order.id}"
    for path in ("", "/slip", "/cancel"):
        assert client.get(base + path).status_code == 404, path
    line = order.lines[0].id
    posts = {
        "/pack": {f"line_{line}": "1.0"},
        "/ship": {"carrier": "local"},
        "/deliver": {},
        "/cancel": {"reason": "x"},
        "/refund": {"amount_jpy": "100", "reason": "x"},
    }
    for path, data in posts.items():
        assert client.post(base + path, data=data).status_code == 404, path
    assert reload(db, order).status == "paid"
    assert order.number not in text(client.get("/sell/orders"))


def test_buyers_cannot_open_the_seller_pages(client, shop):
    sign_in(client, shop["buyer"])
    assert client.get("/sell/orders").status_code == 403
    assert client.get(f"/sell/orders/{shop['order'].id}").status_code == 403
    assert client.post(f"/sell/orders/{shop['order'].id}/pack", data={}).status_code == 403


# --- the buyer -------------------------------------------------------------------------------


def test_buyer_sees_their_orders_with_amounts_and_tracking(english, db, shop, make):
    order = shop["order"]
    sign_in(english, shop["fisher"])
    english.post(f"/sell/orders/{order.id}/pack", data={f"line_{order.lines[0].id}": "1.8"})
    english.post(f"/sell/orders/{order.id}/ship", data={"carrier": "japanpost", "tracking_number": "AB123456789JP"})
    english.post(f"/sell/orders/{order.id}/refund", data={"amount_jpy": "300", "reason": "short", "request_key": "r" * 30})
    english.post("/signout")
    stranger_order = paid_orders([(shop["salmon"], "1.0")], buyer=make.user("restaurant"))[0]
    sign_in(english, shop["buyer"])
    page = text(english.get("/orders"))
    assert order.number in page and stranger_order.number not in page
    assert "Authorised ¥5,900" in page and "Charged ¥5,100" in page and "Refunded ¥300" in page
    assert "https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1=AB123456789JP" in page
    page = text(english.get(f"/orders/{order.id}"))
    assert "浜丸" in page and "1.8" in page and "Cancel this order" not in page
    assert f"/track/{order.tracking_token}" in page


def test_buyer_cancels_while_paid_with_a_confirm_step(english, db, shop, stripe_client):
    order = shop["order"]
    sign_in(english, shop["buyer"])
    page = text(english.get(f"/orders/{order.id}"))
    assert "Cancel this order" in page and "authorised for the estimate plus a margin" in page
    confirm = text(english.get(f"/orders/{order.id}/cancel"))
    assert "The ¥5,900 held on your card is released" in confirm
    assert reload(db, order).status == "paid"
    page = text(english.post(f"/orders/{order.id}/cancel", data={"reason": "予定変更"}, follow_redirects=True))
    assert "Your order is cancelled. Your card was not charged." in page
    order = reload(db, order)
    assert order.status == "cancelled"
    assert stripe_client.v1.payment_intents.retrieve(order.payment_intent_id).status == "canceled"


def test_buyer_cannot_cancel_once_packed(english, db, shop):
    order = shop["order"]
    sign_in(english, shop["fisher"])
    english.post(f"/sell/orders/{order.id}/pack", data={})
    english.post("/signout")
    sign_in(english, shop["buyer"])
    assert "Please contact the seller" in text(english.get(f"/orders/{order.id}/cancel"))
    page = text(english.post(f"/orders/{order.id}/cancel", data={}, follow_redirects=True))
    assert "You can cancel only until the seller packs the order." in page
    assert reload(db, order).status == "packed"


def test_another_buyer_gets_404(client, db, make, shop):
    order = shop["order"]
    sign_in(client, make.user("customer"))
    assert client.get(f"/orders/{order.id}").status_code == 404
    assert client.get(f"/orders/{order.id}/cancel").status_code == 404
    assert client.post(f"/orders/{order.id}/cancel", data={"reason": "x"}).status_code == 404
    assert order.number not in text(client.get("/orders"))
    assert reload(db, order).status == "paid"


def test_orders_need_sign_in_and_sellers_are_sent_to_their_list(client, shop):
    assert client.get("/orders").headers["Location"].startswith("/signin")
    sign_in(client, shop["fisher"])
    assert client.get("/orders").headers["Location"] == "/sell/orders"


# --- the tracking page -----------------------------------------------------------------------


def test_tracking_page_shows_progress_and_the_carrier_link_but_no_money(english, db, shop):
    order = shop["order"]
    sign_in(english, shop["fisher"])
    english.post(f"/sell/orders/{order.id}/pack", data={f"line_{order.lines[0].id}": "2.5"})  # capped
    english.post(f"/sell/orders/{order.id}/refund", data={"amount_jpy": "500", "reason": "傷", "request_key": "t" * 30})
    english.post(f"/sell/orders/{order.id}/ship", data={"carrier": "sagawa", "tracking_number": "123412341234"})
    english.post("/signout")
    response = english.get(f"/track/{order.tracking_token}")
    assert response.status_code == 200
    page = text(response)
    assert '<meta name="robots" content="noindex">' in page
    assert "Shipped" in page and "Packed" in page and "Delivered" in page and "Not yet" in page
    assert "https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo=123412341234" in page
    assert "浜丸" in page and "秋鮭" in page and "2.5" in page
    assert order.checkout.delivery_date.strftime("%Y") in page
    body = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert not MONEY.search(body), MONEY.search(body)
    assert "北1条西2-1" not in page  # no address either
    assert re.search(r'<time datetime="[^"]+Z">', page)


def test_tracking_page_of_a_cancelled_order_and_a_wrong_token(english, shop):
    order = shop["order"]
    sign_in(english, shop["fisher"])
    english.post(f"/sell/orders/{order.id}/cancel", data={"reason": "時化"})
    page = text(english.get(f"/track/{order.tracking_token}"))
    assert "Cancelled" in page and "時化" in page and "Not yet" not in page
    assert english.get(f"/track/{order.tracking_token[:-2]}xx").status_code == 404


# --- the cooperative -------------------------------------------------------------------------


def test_admin_lists_every_order_with_a_status_filter(english, make, shop):
    other_order = paid_orders([(make.listing(shop["other"], price_jpy=900, unit="piece", quantity="5"), "1")])[0]
    sign_in(english, make.admin())
    page = text(english.get("/admin/orders"))
    assert shop["order"].number in page and other_order.number in page
    english.post("/signout")
    sign_in(english, shop["fisher"])
    english.post(f"/sell/orders/{shop['order'].id}/pack", data={})
    english.post("/signout")
    sign_in(english, make.admin())
    page = text(english.get("/admin/orders?status=packed"))
    assert shop["order"].number in page and other_order.number not in page
    assert english.get("/admin/orders?status=nonsense' OR 1=1").status_code == 200


def test_admin_refunds_and_cancels_from_the_order_page(english, db, make, shop):
    order = shop["order"]
    sign_in(english, shop["fisher"])
    english.post(f"/sell/orders/{order.id}/pack", data={})
    english.post("/signout")
    sign_in(english, make.admin())
    page = text(english.get(f"/sell/orders/{order.id}"))
    assert "Partial refund" in page and "Cancel this order" in page
    assert 'name="tracking_number"' not in page  # shipping is the seller's
    english.post(f"/sell/orders/{order.id}/refund", data={"amount_jpy": "1000", "reason": "苦情", "request_key": "a" * 30})
    page = text(english.post(f"/sell/orders/{order.id}/cancel", data={"reason": "組合判断"}, follow_redirects=True))
    assert "¥5,500 was refunded" in page
    order = reload(db, order)
    assert order.status == "cancelled" and order.refunded_jpy == order.captured_jpy == 5500
    assert english.post(f"/sell/orders/{order.id}/pack", data={}).status_code == 403


@pytest.mark.parametrize("role", ["customer", "restaurant", "seller"])
def test_only_admins_see_every_order(client, make, role):
    sign_in(client, make.seller() if role == "seller" else make.user(role))
    assert client.get("/admin/orders").status_code == 403


# --- CSRF on, as in production ---------------------------------------------------------------


def test_with_csrf_on_a_post_needs_the_pages_token(client, db, shop, csrf_on):
    order = shop["order"]
    signin = TOKEN.search(client.get("/signin").get_data(as_text=True)).group(1)
    client.post("/signin", data={"email": shop["fisher"].email, "password": "correct horse battery", "csrf_token": signin})
    line = order.lines[0].id
    response = client.post(f"/sell/orders/{order.id}/pack", data={f"line_{line}": "1.5"})
    assert response.status_code == 400 and reload(db, order).status == "paid"
    token = TOKEN.search(client.get(f"/sell/orders/{order.id}").get_data(as_text=True)).group(1)
    response = client.post(f"/sell/orders/{order.id}/pack", data={f"line_{line}": "1.5", "csrf_token": token})
    assert response.status_code == 302 and reload(db, order).status == "packed"
