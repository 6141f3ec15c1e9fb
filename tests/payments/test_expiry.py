"""`flask reservations expire` with a frozen clock, two runs at once, and expiry meeting a
payment recorded at the same moment."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from marketplace import db as tx
from marketplace.catalog.models import Listing
from marketplace.errors import Conflict
from marketplace.extensions import db
from marketplace.inventory.models import Reservation
from marketplace.orders import checkout as checkouts
from marketplace.orders import payment
from marketplace.orders.models import Checkout, Order
from marketplace.payments import gateway, services
from marketplace.timeutil import freeze, now

from .conftest import (
    authorise_behind_our_back,
    checkout_for,
    flask_command,
    flask_processes,
    order_events,
)


def expire(app) -> str:
    result = flask_command(app, "reservations", "expire")
    assert result.exit_code == 0, result.output
    return result.output.strip()


def available(listing_id: int) -> Decimal:
    db.session.expire_all()
    return db.session.get(Listing, listing_id).quantity_available


def test_holds_expire_on_time_and_once(app, shop):
    start = now()
    freeze(start)
    made = checkout_for([(shop["salmon"], "2.5"), (shop["squid"], "4")])
    assert available(shop["salmon"].id) == Decimal("0.5") and available(shop["squid"].id) == Decimal("1")

    freeze(start + timedelta(minutes=14, seconds=59))
    assert expire(app) == "released 0 expired reservation(s); closed 0 unpaid checkout(s)"
    assert made.status == "awaiting_payment"

    freeze(start + timedelta(minutes=15))
    assert expire(app) == "released 2 expired reservation(s); closed 1 unpaid checkout(s)"
    db.session.expire_all()
    assert made.status == "expired"
    assert {order.status for order in made.orders} == {"cancelled"}
    assert {r.state for r in Reservation.query.all()} == {"released"}
    assert available(shop["salmon"].id) == Decimal("3.0") and available(shop["squid"].id) == Decimal("5")
    for order in made.orders:
        assert [status for status, _note in order_events(order.id)] == ["awaiting_payment", "cancelled"]

    assert expire(app) == "released 0 expired reservation(s); closed 0 unpaid checkout(s)"
    assert available(shop["salmon"].id) == Decimal("3.0")
    # An expired checkout cannot be paid any more: nothing is charged.
    with pytest.raises(Conflict):
        payment.pay(made, "pm_card_visa")
    tx.rollback()
    assert all(order.payment_intent_id is None for order in made.orders)


def test_expired_holds_count_as_free_stock_before_anything_cleans_them_up(app, shop):
    """What the cart offers counts a lapsed hold as stock again, to the gram."""
    from marketplace.cart import services as carts
    from marketplace.inventory.services import held_expired_quantity

    start = now()
    freeze(start)
    checkout_for([(shop["salmon"], "2.5")])
    freeze(start + timedelta(minutes=16))
    assert held_expired_quantity([shop["salmon"].id]) == {shop["salmon"].id: Decimal("2.5")}
    assert available(shop["salmon"].id) == Decimal("0.5")  # nothing has cleaned up yet…
    assert carts.available_now(db.session.get(Listing, shop["salmon"].id)) == Decimal("3.0")  # …but it is free


def test_a_paid_checkout_is_left_alone(app, shop):
    start = now()
    freeze(start)
    made = checkout_for([(shop["salmon"], "1.0")])
    assert payment.pay(made, "pm_card_visa").status == "paid"
    freeze(start + timedelta(hours=1))
    assert expire(app) == "released 0 expired reservation(s); closed 0 unpaid checkout(s)"
    db.session.expire_all()
    assert made.status == "paid" and made.orders[0].status == "paid"
    assert available(shop["salmon"].id) == Decimal("2.0")


def test_two_runs_at_once_release_each_hold_once(app, make, shop):
    """Run as cron would on two machines at the same minute: real processes, real clock (the
    checkouts were made an hour ago)."""
    freeze(now() - timedelta(hours=1))
    made = [checkout_for([(shop["salmon"], "0.5"), (shop["squid"], "1")], email=f"b{n}@example.com") for n in range(4)]
    paid = checkout_for([(shop["squid"], "1")], email="payer@example.com")
    assert payment.pay(paid, "pm_card_visa").status == "paid"
    freeze(None)
    ids, paid_id = [checkout.id for checkout in made], paid.id
    salmon, squid = shop["salmon"].id, shop["squid"].id
    assert available(salmon) == Decimal("1.0") and available(squid) == Decimal("0")
    db.session.remove()

    first, second = flask_processes(app, ("reservations", "expire"), ("reservations", "expire"))
    assert first.returncode == 0 and second.returncode == 0, (first.stderr, second.stderr)
    counts = [tuple(int(word) for word in out.stdout.split() if word.isdigit()) for out in (first, second)]
    assert sum(c[0] for c in counts) == 8 and sum(c[1] for c in counts) == 4, (first.stdout, second.stdout)

    assert available(salmon) == Decimal("3.0")  # each hold given back exactly once
    assert available(squid) == Decimal("4")  # the paid piece stays sold
    for checkout_id in ids:
        checkout = db.session.get(Checkout, checkout_id)
        assert checkout.status == "expired"
        for order in checkout.orders:
            assert [status for status, _note in order_events(order.id)] == ["awaiting_payment", "cancelled"]
    assert db.session.get(Checkout, paid_id).status == "paid"


def test_a_payment_recorded_while_expiry_runs_stands(app, shop):
    """Expiry has read the checkout as unpaid; at that instant the webhook records the payment
    in another session. The order stays paid — it is not cancelled behind the payment."""
    start = now()
    freeze(start)
    made = checkout_for([(shop["squid"], "2")])
    order = made.orders[0]
    intent = authorise_behind_our_back(order, store=True)
    freeze(start + timedelta(minutes=20))
    stale = db.session.scalars(select(Checkout).where(Checkout.status == "awaiting_payment")).all()
    assert [checkout.orders[0].status for checkout in stale] == ["awaiting_payment"]

    def record_elsewhere():
        with app.app_context():
            services.settle(db.session.get(Order, order.id), gateway.retrieve(intent.id), note=None)
            db.session.remove()

    thread = threading.Thread(target=record_elsewhere)
    thread.start()
    thread.join(timeout=60)
    assert checkouts.abandon(stale[0]) is False
    tx.commit()
    db.session.expire_all()
    assert (order.status, made.status) == ("paid", "paid")
    assert db.session.scalar(select(func.count()).select_from(Reservation).where(Reservation.state == "sold")) == 1
    assert available(shop["squid"].id) == Decimal("3")
