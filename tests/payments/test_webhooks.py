"""`POST /stripe/webhook` through the real `stripe` library against localstripe: signatures,
duplicates (also concurrent), events out of order, and localstripe's own signed deliveries.

CSRF protection is on here, as in production: the webhook is exempt from it (Stripe signs
instead), so these requests carry no token."""

from __future__ import annotations

import threading
import time
import urllib.parse
import urllib.request
from decimal import Decimal

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from werkzeug.serving import make_server

from marketplace import db as tx
from marketplace.errors import PaymentFailed
from marketplace.extensions import db
from marketplace.inventory.models import Reservation
from marketplace.orders import payment, services
from marketplace.orders.models import Checkout, Order
from marketplace.payments.models import WebhookEvent

from .conftest import (
    authorise_behind_our_back,
    checkout_for,
    deliver,
    dump,
    event_payload,
    order_events,
    signature,
)


@pytest.fixture
def app_overrides(localstripe):
    return {"STRIPE_API_BASE": localstripe, "WTF_CSRF_ENABLED": True}


def paid_events(order_id: int) -> list:
    return [event for event in order_events(order_id) if event[0] == "paid"]


def confirmed_note() -> str:
    """The note the webhook leaves, in the default language (Stripe sends no Accept-Language)."""
    with force_locale("ja"):
        return gettext("Payment confirmed by Stripe.")


@pytest.fixture
def secret(app):
    return app.config["STRIPE_WEBHOOK_SECRET"]


@pytest.fixture
def interrupted(shop):
    """An order whose card was authorised, with the app dead before it recorded that."""
    made = checkout_for([(shop["salmon"], "2.0")])
    order = made.orders[0]
    intent = authorise_behind_our_back(order, store=True)
    assert order.status == "awaiting_payment"
    return made, order, intent


def _state(order_id: int):
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    return order.status, order.checkout.status, sorted(r.state for line in order.lines
                                                        for r in db.session.scalars(select(Reservation).where(Reservation.order_line_id == line.id)))


def test_a_signed_event_records_the_payment_it_confirms(client, secret, interrupted, mailbox, shop):
    made, order, intent = interrupted
    body = event_payload("payment_intent.amount_capturable_updated", intent.id, order.id)
    response = deliver(client, body, signature(body, secret))
    assert response.status_code == 200, response.data
    assert response.get_data(as_text=True).strip() == "recorded"
    assert _state(order.id) == ("paid", "paid", ["sold"])
    assert paid_events(order.id) == [("paid", confirmed_note())]
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 1
    assert shop["salmon"].quantity_available == Decimal("1.0")
    assert len(mailbox.to("tourist@example.com")) == 1 and len(mailbox.to(shop["fisher"].email)) == 1


def test_the_event_copy_is_never_trusted_the_payment_intent_is_read_again(client, secret, shop):
    """An event claiming success for a PaymentIntent that holds nothing changes nothing."""
    made = checkout_for([(shop["squid"], "1")])
    order = made.orders[0]
    with pytest.raises(PaymentFailed):
        payment.pay(made, "pm_card_chargeCustomerFail")
    tx.rollback()
    db.session.expire_all()
    assert order.payment_intent_id and order.status == "awaiting_payment"
    body = event_payload("payment_intent.succeeded", order.payment_intent_id, order.id, status="requires_capture")
    assert deliver(client, body, signature(body, secret)).get_data(as_text=True).strip() == "unchanged"
    assert _state(order.id)[0] == "awaiting_payment"


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(lambda body, secret: signature(body, "whsec_forged"), id="forged"),
        pytest.param(lambda body, secret: None, id="missing"),
        pytest.param(lambda body, secret: "", id="empty"),
        pytest.param(lambda body, secret: "t=abc,v1=zzz", id="garbage"),
        pytest.param(lambda body, secret: signature(body, secret, at=int(time.time()) - 301), id="stale"),
        pytest.param(lambda body, secret: signature(body.replace(b'"livemode": false', b'"livemode": true'), secret),
                     id="body-changed"),
    ],
)
def test_a_bad_signature_is_refused_and_changes_nothing(client, secret, interrupted, header):
    _made, order, intent = interrupted
    body = event_payload("payment_intent.amount_capturable_updated", intent.id, order.id)
    before = dump()
    response = deliver(client, body, header(body, secret))
    assert response.status_code == 400
    assert dump() == before
    assert _state(order.id)[0] == "awaiting_payment"


def test_a_signature_within_five_minutes_is_accepted(client, secret, interrupted):
    _made, order, intent = interrupted
    body = event_payload("payment_intent.amount_capturable_updated", intent.id, order.id)
    response = deliver(client, body, signature(body, secret, at=int(time.time()) - 240))
    assert response.status_code == 200
    assert _state(order.id)[0] == "paid"


def test_a_duplicate_delivery_acts_once(client, secret, interrupted, mailbox):
    _made, order, intent = interrupted
    body = event_payload("payment_intent.amount_capturable_updated", intent.id, order.id)
    first = deliver(client, body, signature(body, secret))
    again = deliver(client, body, signature(body, secret))
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.get_data(as_text=True).strip() == "duplicate"
    assert paid_events(order.id) == [("paid", confirmed_note())]
    assert len(mailbox.to("tourist@example.com")) == 1
    # Another event about the same payment (Stripe sends several) is stored, and moves nothing.
    other = event_payload("payment_intent.succeeded", intent.id, order.id)
    assert deliver(client, other, signature(other, secret)).get_data(as_text=True).strip() == "unchanged"
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 2
    assert paid_events(order.id) == [("paid", confirmed_note())]


def test_two_concurrent_deliveries_act_once(app, secret, interrupted, mailbox):
    _made, order, intent = interrupted
    order_id = order.id
    body = event_payload("payment_intent.amount_capturable_updated", intent.id, order_id)
    header = signature(body, secret)
    db.session.remove()
    barrier = threading.Barrier(2)
    answers: list = []
    lock = threading.Lock()

    def post():
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            try:
                response = deliver(client, body, header)
                answer = (response.status_code, response.get_data(as_text=True).strip())
            except Exception as error:  # noqa: BLE001 - asserted below
                answer = error
            finally:
                db.session.remove()
            with lock:
                answers.append(answer)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers) == [(200, "duplicate"), (200, "recorded")], answers
    assert paid_events(order_id) == [("paid", confirmed_note())]
    assert _state(order_id) == ("paid", "paid", ["sold"])
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 1
    assert len(mailbox.to("tourist@example.com")) == 1


def test_events_out_of_order_never_move_an_order_back(client, secret, shop):
    made = checkout_for([(shop["salmon"], "1.0")])
    assert payment.pay(made, "pm_card_visa").status == "paid"
    order = made.orders[0]
    before = order_events(order.id)
    # A failure (of an earlier attempt, say) reported after the order was paid: nothing happens.
    for kind in ("payment_intent.payment_failed", "payment_intent.canceled", "payment_intent.succeeded"):
        body = event_payload(kind, order.payment_intent_id, order.id, status="requires_payment_method")
        response = deliver(client, body, signature(body, secret))
        assert (response.status_code, response.get_data(as_text=True).strip()) == (200, "unchanged")
    assert _state(order.id) == ("paid", "paid", ["sold"])
    assert order_events(order.id) == before


def test_a_late_success_does_not_revive_a_cancelled_order(client, secret, shop):
    made = checkout_for([(shop["salmon"], "1.0")])
    payment.pay(made, "pm_card_visa")
    order = made.orders[0]
    services.cancel(order, shop["fisher"], "時化")
    body = event_payload("payment_intent.amount_capturable_updated", order.payment_intent_id, order.id)
    response = deliver(client, body, signature(body, secret))
    assert response.get_data(as_text=True).strip() == "unchanged"
    assert _state(order.id)[0] == "cancelled"
    assert shop["salmon"].quantity_available == Decimal("3.0")


def test_a_payment_authorised_after_its_order_was_cancelled_is_released(client, secret, stripe_client, interrupted):
    """The checkout ran out of time while the buyer was paying (3-D Secure, say): the money is
    given back rather than kept for an order that no longer exists."""
    made, order, intent = interrupted
    from marketplace.orders import checkout as checkouts

    checkouts.abandon(made)
    tx.commit()
    body = event_payload("payment_intent.amount_capturable_updated", intent.id, order.id)
    assert deliver(client, body, signature(body, secret)).get_data(as_text=True).strip() == "released"
    assert stripe_client.v1.payment_intents.retrieve(intent.id).status == "canceled"
    assert _state(order.id)[0] == "cancelled"


def test_unknown_events_and_strangers_payment_intents_are_acknowledged_and_ignored(client, secret, interrupted):
    _made, order, intent = interrupted
    before = dump()
    body = event_payload("customer.created", "cus_123")
    response = deliver(client, body, signature(body, secret))
    assert (response.status_code, response.get_data(as_text=True).strip()) == (200, "ignored")
    assert dump() == before
    body = event_payload("payment_intent.succeeded", "pi_not_ours", 999)
    response = deliver(client, body, signature(body, secret))
    assert (response.status_code, response.get_data(as_text=True).strip()) == (200, "no order owns it")
    assert _state(order.id)[0] == "awaiting_payment"


def test_stripe_unreachable_asks_for_a_retry_and_stores_nothing(app, client, secret, interrupted):
    _made, order, intent = interrupted
    body = event_payload("payment_intent.amount_capturable_updated", intent.id, order.id)
    real = app.config["STRIPE_API_BASE"]
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # discard port: nothing listens
    try:
        response = deliver(client, body, signature(body, secret))
    finally:
        app.config["STRIPE_API_BASE"] = real
    assert response.status_code == 503
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0
    # Stripe's retry then acts.
    assert deliver(client, body, signature(body, secret)).get_data(as_text=True).strip() == "recorded"


def test_only_post_and_only_this_route(client):
    assert client.get("/stripe/webhook").status_code == 405


# --- localstripe's own deliveries ------------------------------------------------------------


@pytest.fixture
def live_webhook(app, localstripe, secret):
    """The app served on a loopback port, registered with localstripe as a webhook endpoint
    (under a name of its own, switched off again afterwards)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    name = "payments-tests"

    def register(fields: dict):
        body = urllib.parse.urlencode(fields).encode()
        urllib.request.urlopen(f"{localstripe}/_config/webhooks/{name}", data=body, timeout=5).read()

    register({"url": f"http://127.0.0.1:{server.server_port}/stripe/webhook", "secret": secret})
    try:
        yield
    finally:
        register({"url": "http://127.0.0.1:9/", "secret": secret, "events[0]": "nothing.ever"})
        server.shutdown()
        thread.join(timeout=10)


def _wait_for(predicate, seconds: float = 10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_localstripe_signed_deliveries_are_verified_and_stored(app, live_webhook, shop):
    """localstripe signs as Stripe does; it sends `payment_intent.payment_failed` for a declined
    card and `payment_intent.succeeded` on capture. Both are accepted and move nothing back."""
    made = checkout_for([(shop["salmon"], "1.0")])
    order_id = made.orders[0].id
    with pytest.raises(PaymentFailed):
        payment.pay(made, "pm_card_chargeCustomerFail")
    tx.rollback()

    def stored(kind):
        return lambda: db.session.scalar(select(func.count()).select_from(WebhookEvent).where(WebhookEvent.type == kind))

    assert _wait_for(stored("payment_intent.payment_failed"))
    made = db.session.get(Checkout, made.id)
    assert payment.pay(made, "pm_card_visa").status == "paid"
    order = db.session.get(Order, order_id)
    services.pack(order, shop["fisher"], {})
    assert _wait_for(stored("payment_intent.succeeded"))
    assert _state(order_id)[0] == "packed"
