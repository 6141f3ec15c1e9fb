"""Paying a checkout: one manual-capture PaymentIntent per seller order.

This unit of work commits at fixed points, because money moves outside our database:
the attempt is recorded (and committed) before Stripe is called, the PaymentIntent id is stored
before it is confirmed, and the outcome is recorded after. Whatever happens in between — a
timeout, a crash — `payments reconcile` can settle from what was recorded.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import update

from .. import db as tx
from ..errors import Conflict, OutOfStock, PaymentFailed, PaymentUnavailable
from ..extensions import db
from ..inventory import services as inventory
from ..inventory.models import Reservation
from ..payments import gateway
from ..timeutil import now
from . import notices
from .models import Checkout, Order, OrderEvent


@dataclass
class PayResult:
    status: str  # "paid" or "requires_action"
    client_secret: str | None = None
    orders: list[Order] = field(default_factory=list)


def ensure_setup_intent(checkout: Checkout) -> None:
    """A Stripe Customer and SetupIntent for the card form (idempotent)."""
    if checkout.setup_intent_secret:
        return
    try:
        if not checkout.stripe_customer_id:
            checkout.stripe_customer_id = gateway.create_customer(checkout.email, f"checkout-{checkout.id}-customer")
        checkout.setup_intent_id, checkout.setup_intent_secret = gateway.create_setup_intent(
            checkout.stripe_customer_id, f"checkout-{checkout.id}-setup"
        )
    except gateway.Unavailable as error:
        raise PaymentUnavailable(_("Card payments are unavailable right now. Please try again in a few minutes.")) from error


def pay(checkout: Checkout, payment_method: str | None) -> PayResult:
    if checkout.status == "paid":
        return PayResult("paid", orders=checkout.orders)
    if checkout.status == "expired":  # its unpaid orders were cancelled and their stock released
        raise Conflict(_("The checkout was not paid in time."))
    if payment_method:
        ensure_setup_intent(checkout)
        try:
            checkout.payment_method_id = gateway.attach_payment_method(payment_method, checkout.stripe_customer_id)
        except gateway.Declined as error:
            tx.commit()
            raise PaymentFailed(_declined()) from error
        except gateway.Unavailable as error:
            raise _unavailable() from error
        except gateway.Rejected as error:
            raise PaymentFailed(_("This card cannot be used. Please try another card.")) from error
        tx.commit()
    if not checkout.payment_method_id:
        raise PaymentFailed(_("Enter your card details first."))
    for order in checkout.orders:
        if order.status != "awaiting_payment":
            continue
        result = _authorise(order, checkout, new_card=bool(payment_method))
        if result is not None:
            return result
    checkout.status = "paid"
    tx.commit()
    return PayResult("paid", orders=checkout.orders)


def renew_setup_intent(checkout: Checkout) -> None:
    """A new SetupIntent for trying another card: Stripe confirms a SetupIntent only once.
    Its idempotency key names the one it replaces, so a repeated request makes one."""
    if not checkout.setup_intent_id:
        ensure_setup_intent(checkout)
        return
    try:
        checkout.setup_intent_id, checkout.setup_intent_secret = gateway.create_setup_intent(
            checkout.stripe_customer_id, f"checkout-{checkout.id}-setup-after-{checkout.setup_intent_id}"
        )
    except gateway.Unavailable as error:
        raise _unavailable() from error


def _declined() -> str:
    # Stripe's own reason is in English; the buyer reads ours (the reason goes in the order's events).
    return _("The card was declined. Please try another card.")


def _unavailable() -> PaymentUnavailable:
    return PaymentUnavailable(_("Card payments are unavailable right now. Your items stay reserved; please try again."))


def _claim_attempt(order: Order) -> int:
    """Take the next attempt number; a concurrent second click loses and is told so."""
    seen = order.payment_attempts
    result = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.payment_attempts == seen, Order.status == "awaiting_payment")
        .values(payment_attempts=seen + 1)
    )
    if result.rowcount != 1:
        tx.rollback()
        raise Conflict(_("This payment is already being processed."))
    tx.commit()
    return seen + 1


def _authorise(order: Order, checkout: Checkout, *, new_card: bool) -> PayResult | None:
    """Authorise one order. None when it is authorised; a PayResult when the buyer must act."""
    try:
        intent = gateway.retrieve(order.payment_intent_id) if order.payment_intent_id else None
        if intent is not None and not intent.authorised:
            if intent.status == "requires_action" and not new_card:
                return PayResult("requires_action", intent.client_secret)
            if intent.status == "requires_confirmation" and not new_card:
                intent = gateway.confirm(intent.id, f"order-{order.id}-attempt-{order.payment_attempts}-confirm")
            else:
                if intent.live:  # a new card replaces an unfinished attempt: one live authorisation
                    gateway.cancel(intent.id, f"order-{order.id}-void-{intent.id}")
                intent = None
        if intent is None:
            attempt = _claim_attempt(order)
            intent = gateway.create_authorisation(
                order.id, order.authorised_jpy, checkout.stripe_customer_id, checkout.payment_method_id,
                f"order-{order.id}-attempt-{attempt}",
            )
            order.payment_intent_id = intent.id
            tx.commit()
            intent = gateway.confirm(intent.id, f"order-{order.id}-attempt-{attempt}-confirm")
    except gateway.Declined as error:
        order.events.append(OrderEvent(status="awaiting_payment", note=_("Card declined: %(reason)s", reason=error.message)))
        tx.commit()
        raise PaymentFailed(_declined()) from error
    except gateway.Rejected as error:
        tx.rollback()
        raise PaymentFailed(_("This card cannot be used. Please try another card.")) from error
    except gateway.Unavailable as error:
        tx.rollback()
        raise _unavailable() from error
    if intent.status == "requires_action":
        return PayResult("requires_action", intent.client_secret)
    if not intent.authorised:
        raise PaymentFailed(_("The card was declined. Please try another card."))
    try:
        record_authorised(order)
    except OutOfStock:
        tx.rollback()
        void_unowned(order, intent.id)
        raise
    tx.commit()
    return None


def void_unowned(order: Order, intent_id: str) -> None:
    """An authorisation we cannot honour (the stock is gone): release the buyer's money and
    cancel the order."""
    # If this fails, reconcile finds it: an authorisation no paid order owns is cancelled there.
    with contextlib.suppress(gateway.GatewayError):
        gateway.cancel(intent_id, f"order-{order.id}-void-{intent_id}")
    if order.status == "awaiting_payment":
        order.status = "cancelled"
        order.cancel_reason = _("Sold out while paying.")
        order.events.append(OrderEvent(status="cancelled", note=order.cancel_reason))
    tx.commit()


def record_authorised(order: Order, note: str | None = None) -> bool:
    """The order's PaymentIntent holds the money: the order is paid and its stock sold.
    Exactly once (conditional on the status); False when it had already moved on."""
    moved = db.session.execute(
        update(Order).where(Order.id == order.id, Order.status == "awaiting_payment").values(status="paid", authorised_at=now())
    ).rowcount
    if moved != 1:
        return False
    db.session.refresh(order)
    for line in order.lines:
        reservation = db.session.query(Reservation).filter_by(order_line_id=line.id).one()
        if not inventory.confirm_sold(reservation):
            raise OutOfStock(_("Sorry, %(title)s sold out while you were paying.", title=line.title), listings=[line.listing_id])
    order.events.append(OrderEvent(status="paid", note=note))
    notices.order_paid(order)
    return True
