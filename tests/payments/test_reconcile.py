"""`flask payments reconcile` through the real `stripe` library against localstripe: a crash
after the card was authorised, a lost answer that left a second authorisation, payments still
in flight, orders that can no longer be paid, authorisations about to lapse, and two runs at
once. localstripe is shared by the whole test session, so every run also meets other tests'
PaymentIntents naming the same order ids: they must be left alone."""

from __future__ import annotations

import urllib.parse
import urllib.request
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace import db as tx
from marketplace.errors import PaymentUnavailable
from marketplace.extensions import db
from marketplace.inventory import services as inventory
from marketplace.inventory.models import Reservation
from marketplace.orders import checkout as checkouts
from marketplace.orders import payment
from marketplace.orders.models import Checkout, Order
from marketplace.payments import gateway
from marketplace.timeutil import freeze, now

from .conftest import (
    authorise_behind_our_back,
    checkout_for,
    dump,
    flask_command,
    flask_processes,
    order_events,
    with_card,
)


def reconcile(app) -> list[str]:
    result = flask_command(app, "payments", "reconcile")
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()


def card(stripe_client, number: str) -> str:
    return stripe_client.v1.payment_methods.create(
        {"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
    ).id


def authenticate(localstripe: str, intent_id: str, client_secret: str) -> None:
    body = urllib.parse.urlencode({"client_secret": client_secret, "success": "true", "key": "pk_test_x"}).encode()
    urllib.request.urlopen(f"{localstripe}/v1/payment_intents/{intent_id}/_authenticate", data=body, timeout=10).read()


def reservations_of(order_id: int) -> list[str]:
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    return sorted(
        r.state for r in db.session.scalars(select(Reservation).where(Reservation.order_line_id.in_([line.id for line in order.lines])))
    )


def live_authorisations(stripe_client, customer: str) -> list[str]:
    """The customer's PaymentIntents holding money (localstripe lists without filters)."""
    found, after = [], None
    while True:
        params = {"limit": 100, **({"starting_after": after} if after else {})}
        page = stripe_client.v1.payment_intents.list(params)
        found += [pi.id for pi in page.data if pi.customer == customer and pi.status == "requires_capture"]
        if not page.has_more:
            return found
        after = page.data[-1].id


def test_nothing_to_do_changes_nothing(app, shop):
    made = checkout_for([(shop["salmon"], "1.0"), (shop["squid"], "2")])
    assert payment.pay(made, "pm_card_visa").status == "paid"
    before = dump()
    lines = reconcile(app)
    assert lines[-1].endswith("nothing to do"), lines
    assert "checked 2 order(s)" in lines[-1]
    assert dump() == before


def test_a_crash_after_the_card_was_authorised_is_recorded_on_the_first_run(app, shop, mailbox, stripe_client):
    made = checkout_for([(shop["salmon"], "2.0"), (shop["squid"], "1")])
    fish, squid = made.orders
    assert payment.pay(made, "pm_card_visa").status == "paid"  # squid's order paid normally …
    # … then a second checkout whose payment died between Stripe's answer and our commit.
    made = checkout_for([(shop["salmon"], "1.0")], email="second@example.com")
    order = made.orders[0]
    intent = authorise_behind_our_back(order, store=True)
    mailbox.clear()
    assert reservations_of(order.id) == ["held"]

    lines = reconcile(app)
    assert any(f"#{order.id}" in line and intent.id in line and "now paid" in line for line in lines), lines
    assert lines[-1].endswith("1 change(s)"), lines
    db.session.expire_all()
    assert order.status == "paid" and made.status == "paid" and order.authorised_at is not None
    assert reservations_of(order.id) == ["sold"]
    assert shop["salmon"].quantity_available == Decimal("0.0")
    assert len(mailbox.to("second@example.com")) == 1 and len(mailbox.to(shop["fisher"].email)) == 1
    assert stripe_client.v1.payment_intents.retrieve(intent.id).status == "requires_capture"

    before = dump()
    again = reconcile(app)
    assert again[-1].endswith("nothing to do"), again
    assert dump() == before


def test_an_authorisation_whose_id_was_lost_is_adopted(app, shop):
    """The crash came before the PaymentIntent's id was committed: only its metadata names
    the order. It is the only money held for the order, so the order takes it."""
    made = checkout_for([(shop["squid"], "2")])
    order = made.orders[0]
    intent = authorise_behind_our_back(order, store=False)
    db.session.expire_all()
    assert order.payment_intent_id is None

    lines = reconcile(app)
    assert any(intent.id in line and "now paid" in line for line in lines), lines
    db.session.expire_all()
    assert (order.status, order.payment_intent_id, made.status) == ("paid", intent.id, "paid")
    assert reconcile(app)[-1].endswith("nothing to do")


def test_a_second_authorisation_for_the_same_order_is_cancelled(app, shop, stripe_client):
    made = checkout_for([(shop["salmon"], "1.5")])
    assert payment.pay(made, "pm_card_visa").status == "paid"
    order = made.orders[0]
    # A lost answer: the first attempt went through although we never heard, and was made again.
    duplicate = authorise_behind_our_back(order, store=False)
    customer = made.stripe_customer_id
    assert sorted(live_authorisations(stripe_client, customer)) == sorted([order.payment_intent_id, duplicate.id])

    lines = reconcile(app)
    assert any(duplicate.id in line and "no order owns it" in line for line in lines), lines
    assert live_authorisations(stripe_client, customer) == [order.payment_intent_id]
    assert stripe_client.v1.payment_intents.retrieve(duplicate.id).status == "canceled"
    db.session.expire_all()
    assert order.status == "paid"

    before = dump()
    assert reconcile(app)[-1].endswith("nothing to do")
    assert dump() == before


def test_a_duplicate_while_the_order_still_awaits_payment_leaves_exactly_one(app, shop, stripe_client):
    """Two authorisations for an unpaid order (both attempts went through, none recorded): one
    pays the order, the other is cancelled."""
    made = checkout_for([(shop["squid"], "1")])
    order = made.orders[0]
    first = authorise_behind_our_back(order, store=True)
    second = authorise_behind_our_back(order, store=False)
    reconcile(app)
    db.session.expire_all()
    assert order.status == "paid" and order.payment_intent_id == first.id
    assert live_authorisations(stripe_client, made.stripe_customer_id) == [first.id]
    assert stripe_client.v1.payment_intents.retrieve(second.id).status == "canceled"


def test_a_payment_in_flight_is_left_alone(app, shop, stripe_client, localstripe):
    made = checkout_for([(shop["squid"], "1")])
    result = payment.pay(made, card(stripe_client, "4000002760003184"))
    assert result.status == "requires_action"  # the buyer is in the 3-D Secure window
    order = made.orders[0]
    # And a PaymentIntent created an instant ago whose id is not stored yet (pay() is between
    # creating it and committing its id): also in flight.
    creating = gateway.create_authorisation(
        order.id, order.authorised_jpy, made.stripe_customer_id, made.payment_method_id, "in-flight-test"
    )
    before = dump()
    lines = reconcile(app)
    assert lines[-1].endswith("nothing to do"), lines
    assert dump() == before
    assert stripe_client.v1.payment_intents.retrieve(order.payment_intent_id).status == "requires_action"
    assert stripe_client.v1.payment_intents.retrieve(creating.id).status == "requires_confirmation"
    # The buyer finishes; paying works as if reconcile had never run.
    authenticate(localstripe, order.payment_intent_id, result.client_secret)
    assert payment.pay(made, None).status == "paid"
    # Now the order is paid, the stray can never be its payment any more: it is tidied away.
    lines = reconcile(app)
    assert any(creating.id in line for line in lines), lines
    assert stripe_client.v1.payment_intents.retrieve(creating.id).status == "canceled"


def test_an_authorisation_for_a_cancelled_order_is_released(app, shop, stripe_client):
    """The checkout expired while the buyer was paying; the card went through afterwards."""
    made = checkout_for([(shop["salmon"], "1.0")])
    order = made.orders[0]
    intent = authorise_behind_our_back(order, store=True)
    checkouts.abandon(made)
    tx.commit()
    lines = reconcile(app)
    assert any(intent.id in line and "released" in line for line in lines), lines
    assert stripe_client.v1.payment_intents.retrieve(intent.id).status == "canceled"
    db.session.expire_all()
    assert order.status == "cancelled"
    assert shop["salmon"].quantity_available == Decimal("3.0")
    assert reconcile(app)[-1].endswith("nothing to do")


def test_an_authorisation_whose_stock_is_gone_is_cancelled_with_its_order(app, shop, stripe_client):
    start = now()
    freeze(start)
    made = checkout_for([(shop["squid"], "5")])
    order = made.orders[0]
    intent = authorise_behind_our_back(order, store=True)
    # The hold ran out and someone else bought the lot before the payment was recorded.
    freeze(start + timedelta(minutes=16))
    inventory.release_expired()
    tx.commit()
    other = checkout_for([(shop["squid"], "5")], email="quicker@example.com")
    assert payment.pay(other, "pm_card_visa").status == "paid"

    lines = reconcile(app)
    assert any(intent.id in line and "stock is gone" in line for line in lines), lines
    assert stripe_client.v1.payment_intents.retrieve(intent.id).status == "canceled"
    db.session.expire_all()
    assert order.status == "cancelled" and shop["squid"].quantity_available == Decimal("0")
    assert other.orders[0].status == "paid"


def test_authorisations_close_to_lapsing_are_flagged_once(app, shop):
    start = now()
    freeze(start)
    made = checkout_for([(shop["salmon"], "1.0")])
    payment.pay(made, "pm_card_visa")
    order = made.orders[0]
    events = len(order_events(order.id))

    freeze(start + timedelta(days=5, hours=23))
    assert reconcile(app)[-1].endswith("nothing to do")
    freeze(start + timedelta(days=6, hours=1))
    lines = reconcile(app)
    assert any(f"#{order.id}" in line and "FLAGGED" in line for line in lines), lines
    notes = order_events(order.id)
    assert len(notes) == events + 1 and notes[-1][0] == "paid" and notes[-1][1]
    # Later runs repeat the warning, and note nothing more.
    before = dump()
    lines = reconcile(app)
    assert any("flagged before" in line for line in lines) and lines[-1].endswith("nothing to do"), lines
    assert dump() == before


def test_other_installations_payment_intents_are_never_touched(app, shop, stripe_client):
    """A PaymentIntent naming one of our order ids, made for another customer (another
    database on the same Stripe account), is not ours to cancel or to record."""
    made = checkout_for([(shop["squid"], "1")])
    order = made.orders[0]
    with_card(made)
    stranger = stripe_client.v1.customers.create({"email": "elsewhere@example.com"})
    method = stripe_client.v1.payment_methods.attach("pm_card_visa", {"customer": stranger.id})
    foreign = stripe_client.v1.payment_intents.create({
        "amount": order.authorised_jpy, "currency": "jpy", "customer": stranger.id, "payment_method": method.id,
        "payment_method_types": ["card"], "capture_method": "manual", "metadata": {"order_id": str(order.id)},
        "confirm": True,
    })
    assert foreign.status == "requires_capture"
    before = dump()
    lines = reconcile(app)
    assert lines[-1].endswith("nothing to do") and "other installations" in lines[-1], lines
    assert dump() == before
    assert stripe_client.v1.payment_intents.retrieve(foreign.id).status == "requires_capture"


def test_two_runs_at_once_repair_once(app, shop, mailbox, stripe_client):
    made = checkout_for([(shop["salmon"], "2.0")])
    assert payment.pay(made, "pm_card_visa").status == "paid"
    paid = made.orders[0]
    duplicate = authorise_behind_our_back(paid, store=False)
    crashed = checkout_for([(shop["salmon"], "1.0")], email="third@example.com")
    lost = authorise_behind_our_back(crashed.orders[0], store=True)
    third_id = crashed.orders[0].id
    mailbox.clear()
    db.session.remove()

    first, second = flask_processes(app, ("payments", "reconcile"), ("payments", "reconcile"))
    assert first.returncode == 0 and second.returncode == 0, (first.stderr, second.stderr)
    output = first.stdout + second.stdout
    assert output.count("now paid") == 1, output
    assert 1 <= output.count(f"cancelled {duplicate.id}") <= 2, output  # the loser's cancel finds it cancelled

    order = db.session.get(Order, third_id)
    assert order.status == "paid" and db.session.get(Checkout, order.checkout_id).status == "paid"
    assert len([e for e in order_events(third_id) if e[0] == "paid"]) == 1
    assert reservations_of(third_id) == ["sold"]
    assert len(mailbox.to("third@example.com")) == 1
    assert stripe_client.v1.payment_intents.retrieve(duplicate.id).status == "canceled"
    assert stripe_client.v1.payment_intents.retrieve(lost.id).status == "requires_capture"
    assert reconcile(app)[-1].endswith("nothing to do")


def test_stripe_unreachable_stops_the_run_and_says_so(app, shop):
    made = checkout_for([(shop["squid"], "1")])
    authorise_behind_our_back(made.orders[0], store=True)
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"
    result = flask_command(app, "payments", "reconcile")
    assert result.exit_code == 1 and "Stripe cannot be reached" in result.output
    db.session.expire_all()
    assert made.orders[0].status == "awaiting_payment"


# --- pay() when Stripe is down -----------------------------------------------------------


def test_stripe_unreachable_during_pay_keeps_the_reservation_and_paying_later_works(app, shop):
    made = checkout_for([(shop["salmon"], "2.0")])
    order = made.orders[0]
    with_card(made)
    real = app.config["STRIPE_API_BASE"]
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # discard port: connection refused
    try:
        with pytest.raises(PaymentUnavailable) as error:
            payment.pay(made, None)
    finally:
        app.config["STRIPE_API_BASE"] = real
    assert error.value.status == 503 and error.value.code == "payment_unavailable"
    db.session.expire_all()
    assert order.status == "awaiting_payment" and made.status == "awaiting_payment"
    assert reservations_of(order.id) == ["held"]
    assert shop["salmon"].quantity_available == Decimal("1.0")
    # Nothing for reconcile to settle, and paying again works.
    assert reconcile(app)[-1].endswith("nothing to do")
    assert payment.pay(made, None).status == "paid"
    assert order.status == "paid" and reservations_of(order.id) == ["sold"]
