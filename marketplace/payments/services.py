"""Settling an order from what Stripe says about its PaymentIntent.

Shared by the webhook (`webhooks.py`) and `payments reconcile` (`reconcile.py`). Orders only
ever move forward here: an order awaiting payment whose PaymentIntent now holds the money
becomes paid (its stock sold); nothing is ever moved back. Every move is a conditional update,
so the webhook, reconcile and the buyer's own `pay` may all try at once and it happens once.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import db as tx
from ..errors import OutOfStock
from ..extensions import db
from ..orders import payment
from ..orders.models import Checkout, Order
from . import gateway
from .models import WebhookEvent

# What we act on. localstripe sends only the first and the third; real Stripe sends all four
# (`amount_capturable_updated` is the one that means "authorised" for manual capture).
HANDLED_EVENTS = frozenset(
    {
        "payment_intent.succeeded",
        "payment_intent.amount_capturable_updated",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
    }
)
PAID_OR_LATER = ("paid", "packed", "shipped", "delivered")


def handle_event(event: gateway.Event) -> str:
    """Act on one verified Stripe event, exactly once. Returns what happened, in a word or
    three (for the log). Raises gateway.Unavailable when Stripe cannot be asked (nothing is
    stored then, so Stripe's retry acts)."""
    if event.type not in HANDLED_EVENTS:
        return "ignored"
    order = db.session.scalar(select(Order).where(Order.payment_intent_id == event.object_id))
    # The event's own copy may be stale (events arrive out of order): ask Stripe now, before
    # anything is written, so no lock is held while we wait for it.
    intent = gateway.retrieve(event.object_id) if order is not None else None

    def claim() -> None:
        db.session.add(WebhookEvent(id=event.id, type=event.type))
        db.session.flush()  # a duplicate fails here (or waits here for a concurrent twin)

    try:
        claim()
        if order is None or intent is None:
            tx.commit()
            return "no order owns it"
        return settle(order, intent, note=_("Payment confirmed by Stripe."), redo=claim)
    except IntegrityError:
        tx.rollback()
        return "duplicate"


def settle(order: Order, intent: gateway.Intent, *, note: str | None, redo: Callable[[], None] | None = None) -> str:
    """Bring `order` forward to what its own PaymentIntent `intent` says, and commit.

    - awaiting payment + authorised → paid, stock sold (or, when the stock is gone, the
      authorisation is voided and the order cancelled);
    - cancelled + authorised → the authorisation is released (nothing can be bought with it);
    - anything else → unchanged.
    `redo` re-adds what the caller had written in this transaction, should it be rolled back
    on the way (the webhook's event row). Returns "recorded", "voided", "released" or
    "unchanged"."""
    if intent.authorised and order.status == "awaiting_payment":
        try:
            moved = payment.record_authorised(order, note=note)
        except OutOfStock:
            tx.rollback()
            if redo is not None:
                redo()
            payment.void_unowned(order, intent.id)  # commits
            return "voided"
        if moved:
            close_checkout(order.checkout_id)
        tx.commit()
        return "recorded" if moved else "unchanged"
    tx.commit()
    if intent.authorised and order.status == "cancelled":
        return "released" if release(order, intent.id) else "unchanged"
    return "unchanged"


def release(order: Order, intent_id: str) -> bool:
    """Cancel an authorisation that no live order can use. False when Stripe refused (it was
    cancelled meanwhile) or could not be reached (reconcile tries again)."""
    try:
        gateway.cancel(intent_id, f"order-{order.id}-void-{intent_id}")
    except gateway.GatewayError:
        return False
    return True


def close_checkout(checkout_id: int) -> bool:
    """The checkout is paid once none of its orders awaits payment and at least one was paid
    (the others were cancelled, e.g. sold out while paying). Conditional, so exactly once."""
    counts = dict(
        db.session.execute(
            select(Order.status, func.count()).where(Order.checkout_id == checkout_id).group_by(Order.status)
        ).all()
    )
    if counts.get("awaiting_payment") or not any(counts.get(status) for status in PAID_OR_LATER):
        return False
    moved = db.session.execute(
        update(Checkout)
        .where(Checkout.id == checkout_id, Checkout.status == "awaiting_payment")
        .values(status="paid")
        .execution_options(synchronize_session="fetch")
    ).rowcount
    return moved == 1
