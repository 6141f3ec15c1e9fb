"""Checkout: validate what the buyer sent, make one order per seller, reserve their stock."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..catalog.models import Listing
from ..catalog.validation import quantity_error
from ..errors import OutOfStock, ValidationFailed
from ..extensions import db
from ..i18n import pick
from ..inventory import services as inventory
from ..security import parse_id
from ..shipping.rates import order_fee
from ..textclean import clean_text
from ..timeutil import now, tokyo_today
from ..units import BadQuantity, parse_quantity
from . import address, delivery, pricing
from .models import Checkout, Order, OrderEvent, OrderLine

MAX_ITEMS = 50


@dataclass
class Item:
    listing_id: int
    quantity: Decimal


def _clean_email(raw, errors) -> str | None:
    if not isinstance(raw, str) or not raw.strip():
        errors["email"] = _("This field is required.")
        return None
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        errors["email"] = _("Enter a valid e-mail address.")
        return None


def clean_ship_to(raw, errors) -> dict:
    if not isinstance(raw, dict):
        errors["ship_to"] = _("Give a delivery address.")
        return {}
    out = {}
    for name, limit in (("name", 80), ("city", 80), ("address_line1", 120), ("address_line2", 120)):
        value = raw.get(name)
        text = clean_text(value) if isinstance(value, str) else ""
        if len(text) > limit:
            errors[f"ship_to.{name}"] = _("Use at most %(n)d characters.", n=limit)
        elif not text and name != "address_line2":
            errors[f"ship_to.{name}"] = _("This field is required.")
        out[name] = text
    code = address.postal_code(raw.get("postal_code") if isinstance(raw.get("postal_code"), str) else None)
    if code is None:
        errors["ship_to.postal_code"] = _("Enter a 7-digit postal code, e.g. 100-0001.")
    out["postal_code"] = code
    prefecture = address.prefecture(raw.get("prefecture") if isinstance(raw.get("prefecture"), str) else None)
    if prefecture is None:
        errors["ship_to.prefecture"] = _("Choose one of the 47 prefectures.")
    out["prefecture"] = prefecture
    phone = address.phone(raw.get("phone") if isinstance(raw.get("phone"), str) else None)
    if phone is None:
        errors["ship_to.phone"] = _("Enter a Japanese phone number, e.g. 090-1234-5678.")
    out["phone"] = phone
    return out


def clean_delivery(raw, errors) -> tuple[date | None, str | None]:
    if not isinstance(raw, dict):
        errors["delivery"] = _("Choose a delivery date and time.")
        return None, None
    day = None
    try:
        day = date.fromisoformat(str(raw.get("date", "")).strip())
    except ValueError:
        errors["delivery.date"] = _("Choose a delivery date.")
    if day is not None and not delivery.can_deliver_on(day, tokyo_today()):
        errors["delivery.date"] = _("We can deliver from tomorrow up to %(n)d days ahead.", n=delivery.LATEST_DAYS)
    slot = raw.get("slot")
    if slot not in delivery.SLOTS:
        errors["delivery.slot"] = _("Choose a delivery time.")
        slot = None
    return day, slot


def clean_items(raw, errors) -> list[Item]:
    if not isinstance(raw, list) or not raw:
        errors["items"] = _("The cart is empty.")
        return []
    if len(raw) > MAX_ITEMS:
        errors["items"] = _("At most %(n)d items in one checkout.", n=MAX_ITEMS)
        return []
    items: dict[int, Item] = {}
    for index, entry in enumerate(raw):
        listing_id = parse_id(entry.get("listing_id")) if isinstance(entry, dict) else None
        if listing_id is None:
            errors[f"items[{index}].listing_id"] = _("Unknown item.")
            continue
        quantity = entry.get("quantity")
        if isinstance(quantity, (int, float)) and not isinstance(quantity, bool):
            quantity = str(quantity)
        items[listing_id] = Item(listing_id, quantity)  # checked against the unit below
    return list(items.values())


def _lines_for(items: list[Item], errors) -> dict[int, list[tuple[Listing, Decimal]]]:
    listings = {
        listing.id: listing
        for listing in db.session.scalars(
            select(Listing)
            .where(Listing.id.in_([item.listing_id for item in items]))
            .options(selectinload(Listing.price_tiers), selectinload(Listing.seller).selectinload(User.seller))
        )
    }
    by_seller: dict[int, list[tuple[Listing, Decimal]]] = {}
    for index, item in enumerate(items):
        listing = listings.get(item.listing_id)
        if listing is None:
            errors[f"items[{index}].listing_id"] = _("Unknown item.")
            continue
        try:
            quantity = parse_quantity(item.quantity, listing.unit)
        except BadQuantity as error:
            errors[f"items[{index}].quantity"] = quantity_error(error, listing.unit)
            continue
        if quantity < listing.min_order:
            errors[f"items[{index}].quantity"] = _("The minimum order is %(qty)s.", qty=str(listing.min_order.normalize()))
            continue
        by_seller.setdefault(listing.seller_id, []).append((listing, quantity))
    return by_seller


def create_checkout(
    *,
    buyer: User | None,
    guest_key: str | None,
    data: dict,
    locale: str,
) -> Checkout:
    """Validate, price, and reserve. Raises ValidationFailed or OutOfStock (naming the
    listings); the caller rolls back, so nothing is held when it fails."""
    if not isinstance(data, dict):
        raise ValidationFailed(_("Send a JSON object."))
    errors: dict[str, str] = {}
    email = _clean_email(data.get("email") or (buyer.email if buyer else None), errors)
    ship_to = clean_ship_to(data.get("ship_to"), errors)
    day, slot = clean_delivery(data.get("delivery"), errors)
    gift = data.get("gift_message")
    gift = clean_text(gift, multiline=True)[:500] if isinstance(gift, str) else None
    items = clean_items(data.get("items"), errors)
    by_seller = _lines_for(items, errors) if items else {}
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), errors)

    config = current_app.config
    expires_at = now() + timedelta(minutes=config["RESERVATION_MINUTES"])
    checkout = Checkout(
        buyer=buyer,
        guest_key=None if buyer else guest_key,
        email=email,
        locale=locale,
        ship_to=ship_to,
        delivery_date=day,
        delivery_slot=slot,
        gift_message=gift or None,
        expires_at=expires_at,
    )
    db.session.add(checkout)
    wanted: list[tuple[Listing, Decimal, OrderLine]] = []
    for seller_id, lines in by_seller.items():
        order = _make_order(checkout, seller_id, lines, buyer, config["AUTHORISE_MARGIN_PERCENT"])
        wanted += [(listing, quantity, line) for line, (listing, quantity) in zip(order.lines, lines, strict=True)]
    short: list[int] = []
    # Listings are locked in id order, so two checkouts of the same listings never deadlock.
    for listing, quantity, line in sorted(wanted, key=lambda want: want[0].id):
        reservation = inventory.hold(listing.id, quantity, expires_at)
        if reservation is None:
            short.append(listing.id)
        else:
            reservation.order_line = line
    if short:
        names = ", ".join(pick(db.session.get(Listing, i).title) for i in short)
        raise OutOfStock(
            _("Sorry, not enough is left of: %(names)s", names=names),
            {f"items.{i}": _("Not enough left.") for i in short},
            listings=short,
        )
    db.session.flush()
    for order in checkout.orders:
        order.number = f"HM-{order.created_at:%y%m%d}-{order.id:05d}"
    return checkout


def _make_order(checkout, seller_id, lines, buyer, margin) -> Order:
    order = Order(checkout=checkout, seller_id=seller_id, buyer=buyer, tracking_token=secrets.token_urlsafe(24))
    db.session.add(order)
    weighed = fixed = 0
    for listing, quantity in lines:
        price = pricing.unit_price(listing.price_jpy, [(t.min_quantity, t.price_jpy) for t in listing.price_tiers], quantity)
        total = pricing.line_total(quantity, price)
        order.lines.append(
            OrderLine(
                listing_id=listing.id,
                title=pick(listing.title)[:200],
                unit=listing.unit,
                quantity=quantity,
                unit_price_jpy=price,
                total_jpy=total,
            )
        )
        if listing.unit == "kg":
            weighed += total
        else:
            fixed += total
    order.subtotal_jpy = weighed + fixed
    order.shipping_jpy = order_fee(listing.temperature for listing, _ in lines)
    order.total_jpy = order.subtotal_jpy + order.shipping_jpy
    order.authorised_jpy = pricing.authorisation(weighed, fixed, order.shipping_jpy, margin)
    order.events.append(OrderEvent(status="awaiting_payment"))
    return order


def abandon(checkout: Checkout) -> bool:
    """Give up an unpaid checkout now: its holds are released and its orders cancelled.
    Conditional updates: a payment recorded meanwhile (webhook, reconcile) stands, and two
    concurrent runs close it once. False when it was no longer awaiting payment."""
    from ..inventory.models import Reservation

    for order in checkout.orders:
        if order.status != "awaiting_payment":
            continue
        cancelled = db.session.execute(
            update(Order).where(Order.id == order.id, Order.status == "awaiting_payment").values(status="cancelled")
        ).rowcount
        if cancelled != 1:
            continue
        for reservation in db.session.scalars(
            select(Reservation).where(Reservation.order_line_id.in_([line.id for line in order.lines]))
        ):
            inventory.release(reservation)
        order.events.append(OrderEvent(status="cancelled", note=_("The checkout was not paid in time.")))
    closed = db.session.execute(
        update(Checkout).where(Checkout.id == checkout.id, Checkout.status == "awaiting_payment").values(status="expired")
    ).rowcount
    return closed == 1


def expire_checkouts() -> tuple[int, int]:
    """Release every expired hold and close the checkouts that were not paid in time.
    Returns (holds released, checkouts closed). Safe to run at any time, also concurrently."""
    released = inventory.release_expired()
    closed = 0
    stale = db.session.scalars(
        select(Checkout).where(Checkout.status == "awaiting_payment", Checkout.expires_at <= now())
    ).all()
    for checkout in stale:
        if any(order.status != "awaiting_payment" for order in checkout.orders):
            # Partly paid: the paid orders stand; only the unpaid ones close.
            pass
        closed += abandon(checkout)
    return released, closed
