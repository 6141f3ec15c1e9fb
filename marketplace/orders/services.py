"""After payment: the seller packs (captures what was really weighed), ships, delivers; the
order can be cancelled before shipping (void or refund) and refunded in part."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from .. import db as tx
from ..accounts.models import User
from ..catalog.models import Listing
from ..catalog.validation import quantity_error
from ..errors import (
    Conflict,
    Forbidden,
    InvalidTransition,
    NotFound,
    PaymentUnavailable,
    ValidationFailed,
)
from ..extensions import db
from ..inventory import services as inventory
from ..inventory.models import Reservation
from ..payments import gateway
from ..textclean import clean_text
from ..units import BadQuantity, parse_quantity
from . import notices, pricing, states
from .models import Order, OrderEvent, OrderLine, Refund, Shipment

CARRIERS = {
    "yamato": "https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01={number}",
    "sagawa": "https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo={number}",
    "japanpost": "https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={number}",
    "local": None,
}


# --- finding orders with an access decision ------------------------------------------------


def order_for(user: User | None, order_id: int, *, as_seller: bool = False) -> Order:
    """The order if `user` is its buyer, its seller or an admin; NotFound for anyone else."""
    order = db.session.get(Order, order_id)
    if order is None or user is None:
        raise NotFound(_("Not found."))
    if user.role == "admin" and not as_seller:
        return order
    if order.seller_id == user.id:
        return order
    if not as_seller and order.buyer_id == user.id:
        return order
    raise NotFound(_("Not found."))


def orders_of(user: User, limit: int = 50, before_id: int | None = None, statuses: Collection[str] = ()) -> list[Order]:
    query = select(Order).options(
        selectinload(Order.lines), selectinload(Order.events), selectinload(Order.shipments),
        selectinload(Order.checkout), selectinload(Order.seller).selectinload(User.seller),
    )
    if statuses:
        query = query.where(Order.status.in_(statuses))
    if user.role == "seller":
        query = query.where(Order.seller_id == user.id, Order.status != "awaiting_payment")
    elif user.role != "admin":
        query = query.where(Order.buyer_id == user.id)
    if before_id:
        query = query.where(Order.id < before_id)
    return list(db.session.scalars(query.order_by(Order.id.desc()).limit(limit)))


def temperatures(orders: Collection[Order]) -> dict[int, list[str]]:
    """Each order's temperature classes, coldest first (what its boxes must be labelled)."""
    found: dict[int, set[str]] = {order.id: set() for order in orders}
    if found:
        rows = db.session.execute(
            select(OrderLine.order_id, Listing.temperature).join(Listing, Listing.id == OrderLine.listing_id)
            .where(OrderLine.order_id.in_(found)).distinct()
        )
        for order_id, temperature in rows:
            found[order_id].add(temperature)
    coldest_first = ("frozen", "chilled", "ambient")
    return {order_id: [t for t in coldest_first if t in classes] for order_id, classes in found.items()}


def order_by_token(token: str) -> Order:
    order = db.session.scalar(select(Order).where(Order.tracking_token == token)) if token else None
    if order is None or len(token) < 16:
        raise NotFound(_("Not found."))
    return order


# --- moves ---------------------------------------------------------------------------------


def _move(order: Order, action: str, actor: User | None, note: str | None = None) -> None:
    """Move along the state machine exactly once: a conditional update on the old status."""
    target = states.next_status(order.status, action)
    if target is None:
        raise InvalidTransition(_("This order cannot be changed that way now."))
    moved = db.session.execute(
        update(Order).where(Order.id == order.id, Order.status == order.status).values(status=target)
    ).rowcount
    if moved != 1:
        raise InvalidTransition(_("This order was changed in the meantime. Please reload."))
    db.session.refresh(order)
    order.events.append(OrderEvent(status=target, note=note, actor_id=actor.id if actor else None))


def _must_sell(order: Order, actor: User) -> None:
    if actor.role != "admin" and order.seller_id != actor.id:
        raise NotFound(_("Not found."))


@dataclass
class PackResult:
    order: Order
    capped: bool


def pack(order: Order, actor: User, actual: dict) -> PackResult:
    """Confirm what was weighed/counted, capture that amount (never above the authorisation)."""
    _must_sell(order, actor)
    if order.status != "paid":
        raise InvalidTransition(_("Only a paid order can be packed."))
    errors = {}
    quantities: dict[int, Decimal] = {}
    for line in order.lines:
        raw = actual.get(line.id, actual.get(str(line.id)))
        if raw is None:
            quantities[line.id] = line.quantity
            continue
        try:
            quantities[line.id] = parse_quantity(raw, line.unit, allow_zero=True)
        except BadQuantity as error:
            errors[f"lines.{line.id}"] = quantity_error(error, line.unit)
    unknown = {str(k) for k in actual} - {str(line.id) for line in order.lines}
    for key in unknown:
        errors[f"lines.{key}"] = _("Unknown line.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), errors)
    for line in order.lines:
        line.quantity_actual = quantities[line.id]
        line.total_jpy = pricing.line_total(line.quantity_actual, line.unit_price_jpy)
    order.subtotal_jpy = sum(line.total_jpy for line in order.lines)
    order.total_jpy = order.subtotal_jpy + order.shipping_jpy
    amount = min(order.total_jpy, order.authorised_jpy)
    capped = order.total_jpy > order.authorised_jpy
    note = _("Weighed more than authorised: ¥%(amount)s captured, the most the card allows.", amount=f"{amount:,}") if capped else None
    _move(order, "pack", actor, note)
    try:
        if amount > 0:
            gateway.capture(order.payment_intent_id, amount, f"order-{order.id}-capture")
        else:
            gateway.cancel(order.payment_intent_id, f"order-{order.id}-void-{order.payment_intent_id}")
    except gateway.Unavailable as error:
        tx.rollback()
        raise PaymentUnavailable(_("Card payments are unavailable right now. Please try again in a few minutes.")) from error
    except gateway.GatewayError as error:
        tx.rollback()
        raise Conflict(_("The card authorisation could not be captured: %(reason)s", reason=str(error))) from error
    order.captured_jpy = amount
    notices.order_packed(order)
    tx.commit()
    return PackResult(order, capped)


def ship(order: Order, actor: User, carrier: str, tracking_number: str | None) -> Order:
    _must_sell(order, actor)
    errors = {}
    if carrier not in CARRIERS:
        errors["carrier"] = _("Choose Yamato, Sagawa, Japan Post or local delivery.")
    number = clean_text(tracking_number or "")[:64]
    if carrier != "local" and not number:
        errors["tracking_number"] = _("Enter the tracking number.")
    if number and not all(c.isalnum() or c == "-" for c in number):
        errors["tracking_number"] = _("Use only letters, digits and hyphens.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), errors)
    _move(order, "ship", actor)
    order.shipments.append(Shipment(carrier=carrier, tracking_number=number or None))
    notices.order_shipped(order)
    tx.commit()
    return order


def deliver(order: Order, actor: User) -> Order:
    _must_sell(order, actor)
    _move(order, "deliver", actor)
    notices.order_delivered(order)
    tx.commit()
    return order


def cancel(order: Order, actor: User | None, reason: str, *, as_buyer: bool = False) -> Order:
    """Void the authorisation (before capture) or refund what was captured; stock returns."""
    if as_buyer:
        if order.status != "paid":
            raise InvalidTransition(_("You can cancel only until the seller packs the order. Please contact the seller."))
    elif actor is not None:
        _must_sell(order, actor)
    reason = clean_text(reason or "", multiline=True)[:500]
    was = order.status
    _move(order, "cancel", actor, reason or None)
    order.cancel_reason = reason or None
    try:
        if was in ("paid", "awaiting_payment") and order.payment_intent_id:
            intent = gateway.retrieve(order.payment_intent_id)
            if intent.live:
                gateway.cancel(intent.id, f"order-{order.id}-void-{intent.id}")
        elif was == "packed":
            remaining = order.captured_jpy - order.refunded_jpy
            if remaining > 0:
                refund_id = gateway.refund(order.payment_intent_id, remaining, f"order-{order.id}-cancel-refund")
                order.refunds.append(Refund(amount_jpy=remaining, reason=reason, stripe_refund_id=refund_id, actor_id=actor.id if actor else None))
                order.refunded_jpy += remaining
    except gateway.Unavailable as error:
        tx.rollback()
        raise PaymentUnavailable(_("Card payments are unavailable right now. Please try again in a few minutes.")) from error
    for reservation in db.session.scalars(select(Reservation).where(Reservation.order_line_id.in_([line.id for line in order.lines]))):
        inventory.return_unsold(reservation)
    notices.order_cancelled(order)
    tx.commit()
    return order


def refund(order: Order, actor: User, amount_jpy: object, reason: str, request_key: str | None = None) -> Refund:
    """A partial refund (short or damaged items); never more than captured minus refunded.
    The same `request_key` (a double click) makes one refund."""
    _must_sell(order, actor)
    if request_key:
        existing = db.session.scalar(select(Refund).where(Refund.request_key == request_key))
        if existing is not None:
            if existing.order_id != order.id:
                raise Conflict(_("This refund was already made."))
            return existing
    if isinstance(amount_jpy, str) and amount_jpy.strip().isdecimal():
        amount_jpy = int(amount_jpy.strip())
    if not isinstance(amount_jpy, int) or isinstance(amount_jpy, bool) or amount_jpy <= 0 or amount_jpy > 10**8:
        raise ValidationFailed(_("Please correct the marked fields."), {"amount_jpy": _("Enter an amount in whole yen above zero.")})
    if order.status not in ("packed", "shipped", "delivered", "cancelled") or order.captured_jpy == 0:
        raise InvalidTransition(_("Only a captured payment can be refunded."))
    taken = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.refunded_jpy + amount_jpy <= Order.captured_jpy)
        .values(refunded_jpy=Order.refunded_jpy + amount_jpy)
    ).rowcount
    if taken != 1:
        tx.rollback()
        raise Conflict(_("That is more than is left to refund (¥%(left)s).", left=f"{order.captured_jpy - order.refunded_jpy:,}"))
    db.session.refresh(order)
    record = Refund(order_id=order.id, amount_jpy=amount_jpy, reason=clean_text(reason or "", multiline=True)[:500] or None, actor_id=actor.id, request_key=request_key)
    db.session.add(record)
    db.session.flush()
    try:
        record.stripe_refund_id = gateway.refund(order.payment_intent_id, amount_jpy, f"order-{order.id}-refund-{record.id}")
    except gateway.Unavailable as error:
        tx.rollback()
        raise PaymentUnavailable(_("Card payments are unavailable right now. Please try again in a few minutes.")) from error
    except gateway.GatewayError as error:
        tx.rollback()
        raise Conflict(_("The refund was refused: %(reason)s", reason=str(error))) from error
    order.events.append(OrderEvent(status=order.status, note=_("Refunded ¥%(amount)s: %(reason)s", amount=f"{amount_jpy:,}", reason=record.reason or "—"), actor_id=actor.id))
    notices.order_refunded(order, amount_jpy)
    tx.commit()
    return record


def forbid_unless(condition: bool) -> None:
    if not condition:
        raise Forbidden(_("You are not allowed to do that."))
