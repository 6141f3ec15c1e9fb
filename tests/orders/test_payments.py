"""Checkout and payment through the real `stripe` library against localstripe."""

from __future__ import annotations

import urllib.parse
import urllib.request
from datetime import timedelta
from decimal import Decimal

import pytest

from marketplace import db as tx
from marketplace.errors import Conflict, InvalidTransition, OutOfStock, PaymentFailed
from marketplace.inventory.models import Reservation
from marketplace.orders import checkout as checkouts
from marketplace.orders import payment, services
from marketplace.timeutil import freeze, now, tokyo_today


@pytest.fixture
def app_overrides(localstripe):
    return {"STRIPE_API_BASE": localstripe}


def card(stripe_client, number: str) -> str:
    method = stripe_client.v1.payment_methods.create(
        {"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
    )
    return method.id


def authenticate(localstripe: str, intent_id: str, client_secret: str) -> None:
    """What the buyer does in the 3-D Secure window (localstripe's fake Stripe.js calls this)."""
    body = urllib.parse.urlencode({"client_secret": client_secret, "success": "true", "key": "pk_test_x"}).encode()
    urllib.request.urlopen(f"{localstripe}/v1/payment_intents/{intent_id}/_authenticate", data=body, timeout=10).read()


def checkout_for(items, buyer=None, email="tourist@example.com"):
    data = {
        "items": [{"listing_id": listing.id, "quantity": quantity} for listing, quantity in items],
        "email": email,
        "ship_to": {
            "name": "Ada Lovelace", "postal_code": "100-0001", "prefecture": "東京都", "city": "千代田区",
            "address_line1": "千代田1-1", "phone": "090-1234-5678",
        },
        "delivery": {"date": (tokyo_today() + timedelta(days=3)).isoformat(), "slot": "14-16"},
    }
    made = checkouts.create_checkout(buyer=buyer, guest_key=None if buyer else "guest-1", data=data, locale="en")
    tx.commit()
    payment.ensure_setup_intent(made)
    tx.commit()
    return made


@pytest.fixture
def two_sellers(make):
    fisher = make.seller(name="浜丸")
    processor = make.seller(name="北の干物屋", kind="processor")
    salmon = make.listing(fisher, species="秋鮭", unit="kg", price_jpy=2000, quantity="3.0",
                          price_tiers=[{"min_quantity": "10", "price_jpy": 1500}])
    squid = make.listing(processor, kind="product", species="するめ", unit="piece", price_jpy=1200, quantity="5")
    return fisher, processor, salmon, squid


def test_one_order_per_seller_one_authorisation_each(two_sellers, stripe_client, mailbox):
    fisher, processor, salmon, squid = two_sellers
    made = checkout_for([(salmon, "2.0"), (squid, "2")])
    assert [o.seller_id for o in made.orders] == [fisher.id, processor.id]
    fish_order, squid_order = made.orders
    # 2.0 kg × ¥2,000 = ¥4,000 by weight: authorised with a 10 % margin; shipping chilled ¥1,500.
    assert fish_order.total_jpy == 4000 + 1500
    assert fish_order.authorised_jpy == 4400 + 1500
    assert squid_order.authorised_jpy == squid_order.total_jpy == 2400 + 900
    assert made.authorise_jpy == 5900 + 3300
    assert salmon.quantity_available == Decimal("1.0")  # reserved

    result = payment.pay(made, "pm_card_visa")
    assert result.status == "paid"
    assert {o.status for o in made.orders} == {"paid"}
    for order in made.orders:
        intent = stripe_client.v1.payment_intents.retrieve(order.payment_intent_id)
        assert intent.amount == order.authorised_jpy and intent.status == "requires_capture"
        assert intent.metadata["order_id"] == str(order.id) and intent.capture_method == "manual"
    assert {r.state for r in Reservation.query.all()} == {"sold"}
    # The buyer and both sellers are told.
    assert len(mailbox.to("tourist@example.com")) == 2
    assert len(mailbox.to(fisher.email)) == 1 and len(mailbox.to(processor.email)) == 1
    assert "/track/" in mailbox.to("tourist@example.com")[0].get_content()
    # Paying again is harmless.
    assert payment.pay(made, None).status == "paid"


def test_declined_card_then_another_card(two_sellers, stripe_client):
    _, _, salmon, _ = two_sellers
    made = checkout_for([(salmon, "1.5")])
    order = made.orders[0]
    with pytest.raises(PaymentFailed):
        payment.pay(made, "pm_card_chargeCustomerFail")
    assert order.status == "awaiting_payment"
    declined = order.payment_intent_id
    assert payment.pay(made, "pm_card_visa").status == "paid"
    assert order.payment_intent_id != declined
    assert stripe_client.v1.payment_intents.retrieve(declined).status in ("requires_payment_method", "canceled")


def test_three_d_secure(two_sellers, stripe_client, localstripe):
    _, _, _, squid = two_sellers
    made = checkout_for([(squid, "1")])
    result = payment.pay(made, card(stripe_client, "4000002760003184"))
    assert result.status == "requires_action" and result.client_secret
    order = made.orders[0]
    assert order.status == "awaiting_payment"
    # Calling pay again before authenticating asks again, and makes no second PaymentIntent.
    first = order.payment_intent_id
    assert payment.pay(made, None).status == "requires_action"
    assert order.payment_intent_id == first
    authenticate(localstripe, first, result.client_secret)
    assert payment.pay(made, None).status == "paid"
    assert order.status == "paid" and order.payment_intent_id == first


def test_double_submit_makes_one_payment_intent(two_sellers, stripe_client):
    _, _, salmon, _ = two_sellers
    made = checkout_for([(salmon, "1.0")])
    payment.pay(made, "pm_card_visa")
    first = made.orders[0].payment_intent_id
    payment.pay(made, "pm_card_visa")
    assert made.orders[0].payment_intent_id == first
    assert made.orders[0].payment_attempts == 1


def test_pack_captures_what_was_weighed(two_sellers, stripe_client, mailbox):
    fisher, _, salmon, _ = two_sellers
    made = checkout_for([(salmon, "2.0")])
    payment.pay(made, "pm_card_visa")
    order = made.orders[0]
    result = services.pack(order, fisher, {order.lines[0].id: "1.8"})
    assert not result.capped
    assert order.status == "packed"
    assert order.lines[0].total_jpy == 3600 and order.total_jpy == 3600 + 1500
    assert order.captured_jpy == 5100 <= order.authorised_jpy
    charge = stripe_client.v1.payment_intents.retrieve(order.payment_intent_id, {"expand": ["latest_charge"]})
    assert charge.status == "succeeded"
    with pytest.raises(InvalidTransition):
        services.pack(order, fisher, {})


def test_pack_above_the_authorisation_captures_at_most_it(two_sellers):
    fisher, _, salmon, _ = two_sellers
    made = checkout_for([(salmon, "2.0")])
    payment.pay(made, "pm_card_visa")
    order = made.orders[0]
    result = services.pack(order, fisher, {order.lines[0].id: "2.5"})
    assert result.capped
    assert order.captured_jpy == order.authorised_jpy == 5900
    assert "5,900" in order.events[-1].note


def test_cancel_before_capture_voids_and_returns_stock_once(two_sellers, stripe_client, mailbox):
    fisher, _, salmon, _ = two_sellers
    made = checkout_for([(salmon, "2.0")])
    payment.pay(made, "pm_card_visa")
    order = made.orders[0]
    services.cancel(order, fisher, "時化で出荷できません")
    assert order.status == "cancelled"
    assert stripe_client.v1.payment_intents.retrieve(order.payment_intent_id).status == "canceled"
    tx.rollback()
    assert salmon.quantity_available == Decimal("3.0")
    with pytest.raises(InvalidTransition):
        services.cancel(order, fisher, "again")
    assert salmon.quantity_available == Decimal("3.0")


def test_cancel_after_capture_refunds_what_is_left(two_sellers, stripe_client):
    fisher, _, salmon, _ = two_sellers
    made = checkout_for([(salmon, "2.0")])
    payment.pay(made, "pm_card_visa")
    order = made.orders[0]
    services.pack(order, fisher, {})
    services.refund(order, fisher, 500, "傷あり")
    services.cancel(order, fisher, "配送不可")
    assert order.refunded_jpy == order.captured_jpy
    assert sum(r.amount_jpy for r in order.refunds) == order.captured_jpy


def test_refunds_never_exceed_the_capture_and_a_double_click_refunds_once(two_sellers):
    fisher, _, salmon, _ = two_sellers
    made = checkout_for([(salmon, "1.0")])
    payment.pay(made, "pm_card_visa")
    order = made.orders[0]
    with pytest.raises(InvalidTransition):
        services.refund(order, fisher, 100, "not captured yet")
    services.pack(order, fisher, {})
    services.refund(order, fisher, 1000, "short", request_key="click-1")
    services.refund(order, fisher, 1000, "short", request_key="click-1")
    assert order.refunded_jpy == 1000 and len(order.refunds) == 1
    with pytest.raises(Conflict):
        services.refund(order, fisher, order.captured_jpy, "too much")
    assert order.refunded_jpy == 1000


def test_not_enough_stock_names_the_listing_and_holds_nothing(two_sellers):
    _, _, salmon, squid = two_sellers
    with pytest.raises(OutOfStock) as error:
        checkout_for([(squid, "2"), (salmon, "3.5")])
    tx.rollback()
    assert error.value.extra["listings"] == [salmon.id]
    assert squid.quantity_available == Decimal("5") and Reservation.query.count() == 0


def test_expired_reservations_stop_counting_at_once(two_sellers):
    _, _, salmon, _ = two_sellers
    start = now()
    freeze(start)
    checkout_for([(salmon, "3.0")])
    with pytest.raises(OutOfStock):
        checkout_for([(salmon, "1.0")], email="second@example.com")
    tx.rollback()
    freeze(start + timedelta(minutes=15))
    second = checkout_for([(salmon, "1.0")], email="second@example.com")
    assert second.orders[0].status == "awaiting_payment"
    released, closed = checkouts.expire_checkouts()
    tx.commit()
    assert closed == 1
    assert salmon.quantity_available == Decimal("2.0")


def test_paying_after_the_hold_expired_retakes_the_stock_if_it_is_still_there(two_sellers):
    _, _, salmon, _ = two_sellers
    start = now()
    freeze(start)
    made = checkout_for([(salmon, "1.0")])
    freeze(start + timedelta(minutes=20))
    from marketplace.inventory import services as inventory

    inventory.release_expired()
    tx.commit()
    assert salmon.quantity_available == Decimal("3.0")
    assert payment.pay(made, "pm_card_visa").status == "paid"
    assert salmon.quantity_available == Decimal("2.0")
