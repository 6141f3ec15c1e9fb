"""Checkout, payment and orders through the JSON API, paying through the real `stripe` library
against localstripe (API.md: "Checkout and payment", "Orders", "Tracking")."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.catalog.models import Listing
from marketplace.extensions import db as _db
from marketplace.orders.models import Order
from marketplace.timeutil import tokyo_today

from ..orders.test_payments import authenticate, card
from ..payments.conftest import shop as shop  # noqa: F401  (a fixture: two sellers, salmon and squid)


@pytest.fixture
def app_overrides(localstripe):
    return {"STRIPE_API_BASE": localstripe}


def body(*items, **changes) -> dict:
    data = {
        "items": [{"listing_id": listing.id, "quantity": quantity} for listing, quantity in items],
        "email": "tourist@example.com",
        "ship_to": {"name": "Ada Lovelace", "postal_code": "100-0001", "prefecture": "東京都",
                    "city": "千代田区", "address_line1": "千代田1-1", "phone": "090-1234-5678"},
        "delivery": {"date": (tokyo_today() + timedelta(days=3)).isoformat(), "slot": "14-16"},
    }
    data.update(changes)
    return data


def check_out(api, shop, **kwargs):
    response = api.post("/checkouts", json=body((shop["salmon"], "2.0"), (shop["squid"], "2")), **kwargs)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_guest_checks_out_from_two_sellers_and_pays(api, shop, stripe_client, mailbox):
    checkout = check_out(api, shop, lang="en")
    assert checkout["status"] == "awaiting_payment"
    assert len(checkout["orders"]) == 2
    assert {o["seller"]["name"] for o in checkout["orders"]} == {"浜丸", "北の干物屋"}
    assert checkout["authorise_jpy"] == sum(o["authorised_jpy"] for o in checkout["orders"])
    assert checkout["payment"]["setup_intent_client_secret"].startswith("seti_")
    salmon_order = next(o for o in checkout["orders"] if o["lines"][0]["unit"] == "kg")
    assert salmon_order["lines"][0]["quantity"] == "2.0" and salmon_order["lines"][0]["total_jpy"] == 4000
    assert salmon_order["authorised_jpy"] > salmon_order["total_jpy"]  # the margin for weighing
    assert api.get(f"/listings/{shop['salmon'].id}").get_json()["quantity_available"] == "1.0"

    paid = api.post(f"/checkouts/{checkout['id']}/pay", json={"payment_method": card(stripe_client, "4242424242424242")})
    assert paid.status_code == 200, paid.get_json()
    assert paid.get_json()["status"] == "paid"
    assert {o["status"] for o in paid.get_json()["orders"]} == {"paid"}
    for order in checkout["orders"]:
        intent = stripe_client.v1.payment_intents.retrieve(_db.session.get(Order, order["id"]).payment_intent_id)
        assert intent.amount == order["authorised_jpy"] and intent.metadata["order_id"] == str(order["id"])
        assert intent.status == "requires_capture"

    again = api.post(f"/checkouts/{checkout['id']}/pay", json={})
    assert again.status_code == 200 and again.get_json()["status"] == "paid"
    assert api.get(f"/checkouts/{checkout['id']}").get_json()["status"] == "paid"
    # The buyer's e-mail carries the tracking link; the tracking JSON shows no money.
    tracking = salmon_order["tracking_url"]
    assert "/track/" in tracking and tracking.startswith("http")
    assert any(tracking in message.get_body().get_content() for message in mailbox.to("tourist@example.com"))
    tracked = api.get("/track/" + tracking.rsplit("/", 1)[1])
    assert tracked.status_code == 200 and tracked.get_json()["status"] == "paid"
    assert not any(word in str(tracked.get_json()) for word in ("_jpy", "price", "total", "amount"))
    assert api.get("/track/not-a-real-token-at-all").status_code == 404


def test_another_session_cannot_see_or_pay_a_guests_checkout(api, shop, app):
    checkout = check_out(api, shop)
    stranger = app.test_client()
    assert stranger.get(f"/api/v1/checkouts/{checkout['id']}").status_code == 404
    assert stranger.post(f"/api/v1/checkouts/{checkout['id']}/pay", json={"payment_method": "pm_card_visa"}).status_code == 404


def test_a_declined_card_is_402_and_another_card_pays(api, shop, stripe_client):
    checkout = check_out(api, shop, lang="en")
    declined = api.post(f"/checkouts/{checkout['id']}/pay", lang="en",
                        json={"payment_method": card(stripe_client, "4000000000000341")})
    assert declined.status_code == 402
    assert declined.get_json()["error"]["code"] == "payment_failed"
    assert "declined" in declined.get_json()["error"]["message"]
    assert {o["status"] for o in api.get(f"/checkouts/{checkout['id']}").get_json()["orders"]} == {"awaiting_payment"}
    paid = api.post(f"/checkouts/{checkout['id']}/pay", json={"payment_method": "pm_card_visa"})
    assert paid.status_code == 200 and paid.get_json()["status"] == "paid"


def test_three_d_secure_then_pay_again_with_no_body(api, shop, stripe_client, localstripe):
    checkout = check_out(api, shop)
    first = api.post(f"/checkouts/{checkout['id']}/pay", json={"payment_method": card(stripe_client, "4000002760003184")})
    assert first.status_code == 200 and first.get_json()["status"] == "requires_action"
    while (step := first.get_json())["status"] == "requires_action":
        secret = step["client_secret"]
        authenticate(localstripe, secret.split("_secret_")[0], secret)
        first = api.post(f"/checkouts/{checkout['id']}/pay")
        assert first.status_code == 200, first.get_json()
    assert first.get_json()["status"] == "paid"


def test_not_enough_stock_is_409_naming_the_listing_and_holds_nothing(api, shop):
    response = api.post("/checkouts", json=body((shop["salmon"], "2.0"), (shop["squid"], "6")))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "out_of_stock" and error["listings"] == [shop["squid"].id]
    assert api.get(f"/listings/{shop['salmon'].id}").get_json()["quantity_available"] == "3.0"
    assert _db.session.query(Order).count() == 0


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"delivery": {"date": "2020-01-01", "slot": "14-16"}}, 422, "delivery.date"),
        ({"delivery": {"date": "tomorrow", "slot": "14-16"}}, 400, "delivery.date"),
        ({"delivery": {"date": (tokyo_today() + timedelta(days=3)).isoformat(), "slot": "noon"}}, 400, "delivery.slot"),
        ({"email": "not an address"}, 422, "email"),
        ({"items": []}, 400, "items"),
        ({"ship_to": {"name": "A", "postal_code": "12", "prefecture": "Atlantis", "city": "X",
                      "address_line1": "1", "phone": "1"}}, 422, "ship_to.postal_code"),
    ],
)
def test_bad_checkouts_name_the_field(api, shop, changes, status, field):
    response = api.post("/checkouts", json=body((shop["squid"], "1"), **changes), lang="en")
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"]


def test_quantities_off_the_step_or_below_the_minimum_are_422(api, shop, make):
    for quantity in ("1.25", "0", "-1", "1,5", "NaN", "1e3"):
        response = api.post("/checkouts", json=body((shop["salmon"], quantity)))
        assert response.status_code in (400, 422), (quantity, response.get_json())
        fields = response.get_json()["error"]["fields"]
        assert any(name.startswith("items") for name in fields), (quantity, fields)
    assert _db.session.get(Listing, shop["salmon"].id).quantity_available == 3


def test_the_seller_packs_ships_and_delivers_and_the_buyer_follows(api, shop, make, stripe_client):
    buyer = make.user("restaurant")
    token = api.token(buyer)
    checkout = check_out(api, shop, token=token)
    assert api.post(f"/checkouts/{checkout['id']}/pay", token=token, json={"payment_method": "pm_card_visa"}).get_json()["status"] == "paid"
    order = next(o for o in checkout["orders"] if o["lines"][0]["unit"] == "kg")
    seller_token = api.token(shop["fisher"])
    other_seller = api.token(shop["processor"])

    mine = api.get("/orders", token=token).get_json()
    assert {o["id"] for o in mine["items"]} == {o["id"] for o in checkout["orders"]} and mine["next"] is None
    assert [o["id"] for o in api.get("/orders", token=seller_token).get_json()["items"]] == [order["id"]]
    assert api.get(f"/orders/{order['id']}", token=other_seller).status_code == 404
    assert api.post(f"/orders/{order['id']}/pack", token=other_seller, json={}).status_code == 404
    assert api.post(f"/orders/{order['id']}/pack", token=token, json={}).status_code == 404  # the buyer

    line = order["lines"][0]
    packed = api.post(f"/orders/{order['id']}/pack", token=seller_token,
                      json={"lines": [{"id": line["id"], "quantity_actual": "1.8"}]})
    assert packed.status_code == 200, packed.get_json()
    packed = packed.get_json()
    assert packed["status"] == "packed"
    assert packed["lines"][0]["quantity_actual"] == "1.8" and packed["lines"][0]["total_jpy"] == 3600
    assert packed["captured_jpy"] == packed["total_jpy"] == 3600 + packed["shipping_jpy"]
    intent = stripe_client.v1.payment_intents.retrieve(_db.session.get(Order, order["id"]).payment_intent_id)
    assert intent.status == "succeeded"

    assert api.post(f"/orders/{order['id']}/pack", token=seller_token, json={}).get_json()["error"]["code"] == "invalid_transition"
    refund = api.post(f"/orders/{order['id']}/refunds", token=seller_token, json={"amount_jpy": 500, "reason": "one fish bruised"},
                      headers={"Idempotency-Key": "refund-1"})
    assert refund.status_code == 201 and refund.get_json()["refunded_jpy"] == 500
    twice = api.post(f"/orders/{order['id']}/refunds", token=seller_token, json={"amount_jpy": 500, "reason": "one fish bruised"},
                     headers={"Idempotency-Key": "refund-1"})
    assert twice.get_json()["refunded_jpy"] == 500  # one refund for a double click
    over = api.post(f"/orders/{order['id']}/refunds", token=seller_token, json={"amount_jpy": packed["captured_jpy"]})
    assert over.status_code == 409 and over.get_json()["error"]["code"] == "conflict"

    bad = api.post(f"/orders/{order['id']}/ship", token=seller_token, json={"carrier": "yamato"})
    assert bad.status_code == 422 and "tracking_number" in bad.get_json()["error"]["fields"]
    shipped = api.post(f"/orders/{order['id']}/ship", token=seller_token, json={"carrier": "yamato", "tracking_number": "1234-5678-9012"})
    assert shipped.status_code == 200 and shipped.get_json()["status"] == "shipped"
    shipment = shipped.get_json()["shipments"][0]
    assert shipment["tracking_url"].startswith("https://") and "123456789012" in shipment["tracking_url"].replace("-", "")
    assert api.post(f"/orders/{order['id']}/cancel", token=seller_token, json={"reason": "late"}).status_code == 409
    delivered = api.post(f"/orders/{order['id']}/deliver", token=seller_token)
    assert delivered.status_code == 200
    seen = api.get(f"/orders/{order['id']}", token=token).get_json()
    assert [e["status"] for e in seen["events"]] == ["awaiting_payment", "paid", "packed", "packed", "shipped", "delivered"]


def test_the_buyer_cancels_while_paid_and_the_hold_is_released(api, shop, make, stripe_client):
    buyer = make.user("customer")
    token = api.token(buyer)
    checkout = check_out(api, shop, token=token)
    api.post(f"/checkouts/{checkout['id']}/pay", token=token, json={"payment_method": "pm_card_visa"})
    order = next(o for o in checkout["orders"] if o["lines"][0]["unit"] == "piece")
    cancelled = api.post(f"/orders/{order['id']}/cancel", token=token, json={"reason": "changed my mind"})
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    intent = stripe_client.v1.payment_intents.retrieve(_db.session.get(Order, order["id"]).payment_intent_id)
    assert intent.status == "canceled"
    assert api.get(f"/listings/{shop['squid'].id}").get_json()["quantity_available"] == "5"
    again = api.post(f"/orders/{order['id']}/cancel", token=token, json={})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_transition"


def test_orders_need_a_sign_in_and_page_with_a_cursor(api, shop, make):
    assert api.get("/orders").status_code == 401
    buyer = make.user("restaurant")
    token = api.token(buyer)
    for _ in range(3):
        api.post("/checkouts", token=token, json=body((shop["squid"], "1")))
    first = api.get("/orders?limit=2", token=token).get_json()
    assert len(first["items"]) == 2 and first["next"]
    rest = api.get(f"/orders?limit=2&cursor={first['next']}", token=token).get_json()
    assert len(rest["items"]) == 1 and rest["next"] is None
    assert api.get("/orders?limit=0", token=token).status_code == 400


def test_five_declined_cards_per_checkout_whichever_door(api, shop, stripe_client, client):
    """The card-attempt limit counts the checkout page and the API together, declines only."""
    checkout = check_out(api, shop)
    pay_api = f"/checkouts/{checkout['id']}/pay"
    pay_page = f"/checkout/{checkout['id']}/pay"
    for attempt in range(5):
        declining = card(stripe_client, "4000000000000341")
        if attempt % 2:
            response = client.post(pay_page, json={"payment_method": declining})
        else:
            response = api.post(pay_api, json={"payment_method": declining})
        assert response.status_code == 402, (attempt, response.get_json())
    assert api.post(pay_api, json={"payment_method": "pm_card_visa"}).status_code == 429
    assert client.post(pay_page, json={"payment_method": "pm_card_visa"}).status_code == 429
