"""The cart: one per buyer, across many sellers.

A signed-in buyer's cart is found by their account, a guest's by a random token kept in their
session cookie; signing in moves the guest's items into the account's cart. Quantities are
checked when they are added or changed (unit step, minimum order, what is left) and again every
time the cart is shown, because stock moves while a cart waits: a line that is no longer on sale
is shown as unavailable and left out of checkout, a line that no longer fits must be changed.
Prices, shipping and the card authorisation are quoted with the same rules checkout charges by.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..catalog import services as catalog
from ..catalog.models import Listing
from ..catalog.validation import quantity_error
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..i18n import pick
from ..i18n import quantity as shown_quantity
from ..inventory.models import Reservation
from ..inventory.services import held_expired_quantity
from ..orders import pricing
from ..orders.models import Checkout
from ..security import parse_id
from ..shipping.rates import order_fee
from ..units import BadQuantity, parse_quantity
from .models import Cart, CartItem

MAX_ITEMS = 50  # what one checkout takes (orders/checkout.py)


# --- finding and making carts ---------------------------------------------------------------


def find_cart(user: User | None, token: str | None) -> Cart | None:
    if user is not None:
        return db.session.scalar(select(Cart).where(Cart.user_id == user.id))
    if token:
        return db.session.scalar(select(Cart).where(Cart.token == token, Cart.user_id.is_(None)))
    return None


def open_cart(user: User | None, token: str | None) -> Cart:
    """The buyer's cart, made on first use. A new guest cart gets a fresh random token, which
    the caller keeps in the guest's session."""
    cart = find_cart(user, token)
    if cart is None:
        cart = Cart(user_id=user.id) if user is not None else Cart(token=secrets.token_urlsafe(32))
        db.session.add(cart)
        db.session.flush()
    return cart


def adopt_guest_cart(token: str | None, user: User) -> Cart | None:
    """On sign-in: the guest's items join the account's cart (quantities of the same listing
    add up); the guest cart is gone. Never refuses: whatever no longer fits shows in the cart."""
    guest = find_cart(None, token)
    if guest is None:
        return find_cart(user, None)
    if not guest.items:
        db.session.delete(guest)
        return find_cart(user, None)
    cart = open_cart(user, None)
    mine = {item.listing_id: item for item in cart.items}
    for item in list(guest.items):
        if item.listing_id in mine:
            mine[item.listing_id].quantity += item.quantity
        elif len(cart.items) < MAX_ITEMS:
            cart.items.append(CartItem(listing_id=item.listing_id, quantity=item.quantity))
    db.session.delete(guest)
    return cart


def item_count(cart: Cart | None) -> int:
    if cart is None:
        return 0
    return db.session.scalar(select(func.count(CartItem.id)).where(CartItem.cart_id == cart.id)) or 0


# --- changing the cart ---------------------------------------------------------------------


def unit_label(unit: str) -> str:
    return _("kg") if unit == "kg" else _("pcs")


def _on_sale(raw: object) -> Listing:
    listing_id = parse_id(raw)
    if listing_id is None:
        raise NotFound(_("This listing is not on sale."))
    return catalog.live_listing(listing_id)


def _parse(listing: Listing, raw: object, *, allow_zero: bool = False) -> Decimal:
    try:
        return parse_quantity(raw, listing.unit, allow_zero=allow_zero)
    except BadQuantity as error:
        message = quantity_error(error, listing.unit)
        raise ValidationFailed(message, {"quantity": message}) from error


def available_now(listing: Listing) -> Decimal:
    """What a buyer could reserve now: stock, plus holds that expired but are not cleaned up."""
    return listing.quantity_available + held_expired_quantity([listing.id]).get(listing.id, Decimal(0))


def problem(listing: Listing, quantity: Decimal, available: Decimal) -> str | None:
    """Why `quantity` of `listing` cannot be bought now, naming the item; None when it can."""
    title, unit = pick(listing.title), unit_label(listing.unit)
    if quantity < listing.min_order:
        return _("The minimum order of %(title)s is %(qty)s %(unit)s.",
                 title=title, qty=shown_quantity(listing.min_order, listing.unit), unit=unit)
    if quantity > available:
        if available <= 0:
            return _("%(title)s is sold out.", title=title)
        return _("Only %(qty)s %(unit)s of %(title)s is left.",
                 title=title, qty=shown_quantity(available, listing.unit), unit=unit)
    return None


def _refuse_if_unfit(listing: Listing, quantity: Decimal) -> None:
    message = problem(listing, quantity, available_now(listing))
    if message:
        raise ValidationFailed(message, {"quantity": message})


def add_item(cart: Cart, listing_id: object, raw_quantity: object) -> CartItem:
    """Add a quantity of a listing on sale; a listing already in the cart gets the sum."""
    listing = _on_sale(listing_id)
    quantity = _parse(listing, raw_quantity)
    item = next((i for i in cart.items if i.listing_id == listing.id), None)
    if item is None and len(cart.items) >= MAX_ITEMS:
        message = _("At most %(n)d items in one checkout.", n=MAX_ITEMS)
        raise ValidationFailed(message, {"quantity": message})
    total = quantity + (item.quantity if item is not None else 0)
    _refuse_if_unfit(listing, total)
    if item is None:
        item = CartItem(listing_id=listing.id, quantity=total)
        cart.items.append(item)
    else:
        item.quantity = total
    db.session.flush()
    return item


def _item(cart: Cart, listing_id: int) -> CartItem:
    item = next((i for i in cart.items if i.listing_id == listing_id), None)
    if item is None:
        raise NotFound(_("Not found."))
    return item


def change_item(cart: Cart, listing_id: int, raw_quantity: object) -> CartItem | None:
    """Set the quantity of a listing in the cart (0 removes it). Returns the line, or None
    when removed."""
    item = _item(cart, listing_id)
    quantity = _parse(item.listing, raw_quantity, allow_zero=True)
    if quantity == 0:
        cart.items.remove(item)
        return None
    _refuse_if_unfit(item.listing, quantity)
    item.quantity = quantity
    return item


def remove_item(cart: Cart, listing_id: int) -> None:
    cart.items.remove(_item(cart, listing_id))


def remove_bought(cart: Cart | None, checkout: Checkout) -> None:
    """After payment the listings bought leave the cart."""
    if cart is None:
        return
    bought = {line.listing_id for order in checkout.orders if order.status != "cancelled" for line in order.lines}
    if bought:
        db.session.execute(delete(CartItem).where(CartItem.cart_id == cart.id, CartItem.listing_id.in_(bought)))
        db.session.expire(cart, ["items"])


# --- what the cart holds, priced -----------------------------------------------------------


@dataclass
class Line:
    item: CartItem
    listing: Listing
    on_sale: bool
    problem: str | None
    unit_price_jpy: int
    total_jpy: int

    @property
    def buyable(self) -> bool:
        return self.on_sale and self.problem is None


@dataclass
class SellerPart:
    """What one seller's order will be: its lines, shipping, total and card authorisation."""

    seller: User
    lines: list[Line] = field(default_factory=list)
    subtotal_jpy: int = 0
    shipping_jpy: int = 0
    total_jpy: int = 0
    authorise_jpy: int = 0
    sold_by_weight: bool = False


@dataclass
class Contents:
    lines: list[Line]
    parts: list[SellerPart]  # buyable lines only, one part per seller
    margin_percent: int

    def by_seller(self) -> list[tuple[User, list[Line], SellerPart | None]]:
        """Every line grouped by seller, with that seller's priced part (None when nothing of
        theirs can be bought now)."""
        parts = {part.seller.id: part for part in self.parts}
        groups: dict[int, tuple[User, list[Line], SellerPart | None]] = {}
        for line in self.lines:
            seller = line.listing.seller
            groups.setdefault(seller.id, (seller, [], parts.get(seller.id)))[1].append(line)
        return list(groups.values())

    @property
    def unavailable(self) -> list[Line]:
        return [line for line in self.lines if not line.on_sale]

    @property
    def to_fix(self) -> list[Line]:
        return [line for line in self.lines if line.on_sale and line.problem]

    @property
    def ready(self) -> bool:
        """Checkout can start: something to buy and nothing that must be changed first."""
        return bool(self.parts) and not self.to_fix

    @property
    def subtotal_jpy(self) -> int:
        return sum(part.subtotal_jpy for part in self.parts)

    @property
    def total_jpy(self) -> int:
        return sum(part.total_jpy for part in self.parts)

    @property
    def shipping_jpy(self) -> int:
        return sum(part.shipping_jpy for part in self.parts)

    @property
    def authorise_jpy(self) -> int:
        return sum(part.authorise_jpy for part in self.parts)

    @property
    def sold_by_weight(self) -> bool:
        return any(part.sold_by_weight for part in self.parts)

    def checkout_items(self) -> list[dict]:
        """The buyable lines as `checkout.create_checkout` takes them."""
        return [
            {"listing_id": line.listing.id, "quantity": str(line.item.quantity)}
            for part in self.parts
            for line in part.lines
        ]

    def fingerprint(self) -> str:
        """Changes whenever what the buyer would be charged changes (items, quantities,
        prices, shipping): the confirmation screen carries it, so what was confirmed is what
        is ordered."""
        facts = [
            (line.listing.id, str(line.item.quantity), line.unit_price_jpy, line.total_jpy)
            for part in self.parts
            for line in part.lines
        ]
        facts.append(tuple((part.seller.id, part.shipping_jpy, part.authorise_jpy) for part in self.parts))
        return hashlib.blake2b(repr(facts).encode(), digest_size=12).hexdigest()


def contents(cart: Cart | None, returning: Checkout | None = None) -> Contents:
    """Every line of the cart, checked against the listing as it is now, and priced. Stock
    held by `returning` (the buyer's own unpaid checkout, given up if they check out again)
    counts as available to them."""
    margin = current_app.config["AUTHORISE_MARGIN_PERCENT"]
    if cart is None:
        return Contents([], [], margin)
    items = list(
        db.session.scalars(
            select(CartItem)
            .where(CartItem.cart_id == cart.id)
            .order_by(CartItem.id)
            .options(
                selectinload(CartItem.listing).selectinload(Listing.price_tiers),
                selectinload(CartItem.listing).selectinload(Listing.photos),
                selectinload(CartItem.listing).selectinload(Listing.seller).selectinload(User.seller),
            )
        )
    )
    ids = [item.listing_id for item in items]
    live = catalog.live_ids(ids)
    expired_holds = held_expired_quantity(ids)
    own_holds = _held_by(returning)
    lines, parts = [], {}
    for item in items:
        listing = item.listing
        price = pricing.unit_price(listing.price_jpy, [(t.min_quantity, t.price_jpy) for t in listing.price_tiers], item.quantity)
        on_sale = listing.id in live
        available = listing.quantity_available + expired_holds.get(listing.id, 0) + own_holds.get(listing.id, 0)
        line = Line(
            item=item,
            listing=listing,
            on_sale=on_sale,
            problem=problem(listing, item.quantity, available) if on_sale else _unavailable(listing),
            unit_price_jpy=price,
            total_jpy=pricing.line_total(item.quantity, price),
        )
        lines.append(line)
        if line.buyable:
            parts.setdefault(listing.seller_id, SellerPart(seller=listing.seller)).lines.append(line)
    for part in parts.values():
        _price(part, margin)
    return Contents(lines, list(parts.values()), margin)


def _held_by(checkout: Checkout | None) -> dict[int, Decimal]:
    if checkout is None:
        return {}
    lines = [line.id for order in checkout.orders for line in order.lines]
    held: dict[int, Decimal] = {}
    for reservation in db.session.scalars(
        select(Reservation).where(Reservation.order_line_id.in_(lines), Reservation.state == "held")
    ):
        held[reservation.listing_id] = held.get(reservation.listing_id, Decimal(0)) + reservation.quantity
    return held


def _unavailable(listing: Listing) -> str:
    return _("%(title)s is no longer on sale.", title=pick(listing.title))


def _price(part: SellerPart, margin: int) -> None:
    """The same arithmetic as checkout's orders (orders/checkout.py `_make_order`)."""
    weighed = sum(line.total_jpy for line in part.lines if line.listing.unit == "kg")
    fixed = sum(line.total_jpy for line in part.lines if line.listing.unit != "kg")
    part.subtotal_jpy = weighed + fixed
    part.shipping_jpy = order_fee(line.listing.temperature for line in part.lines)
    part.total_jpy = part.subtotal_jpy + part.shipping_jpy
    part.authorise_jpy = pricing.authorisation(weighed, fixed, part.shipping_jpy, margin)
    part.sold_by_weight = any(line.listing.unit == "kg" for line in part.lines)
