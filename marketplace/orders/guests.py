"""Who may see and pay a checkout: the account that made it, or the guest session that made it.

A guest is known by a random key kept in their session cookie (`guest_key`); the checkout
pages and the JSON API use the same key, so either door can continue what the other began.
Anybody else is told the checkout does not exist.
"""

from __future__ import annotations

import secrets

from flask import session
from flask_babel import gettext as _

from ..accounts.models import User
from ..errors import NotFound
from ..extensions import db
from .models import Checkout

GUEST_KEY = "guest_key"
LAST_CHECKOUT = "checkout_id"  # the checkout this session placed last


def guest_key() -> str:
    """This session's guest key, made on first use."""
    if GUEST_KEY not in session:
        session[GUEST_KEY] = secrets.token_urlsafe(24)
    return session[GUEST_KEY]


def owned_checkout(checkout_id: int, buyer: User | None) -> Checkout:
    checkout = db.session.get(Checkout, checkout_id)
    if checkout is None:
        raise NotFound(_("Not found."))
    if checkout.buyer_id is not None:
        if buyer is None or buyer.id != checkout.buyer_id:
            raise NotFound(_("Not found."))
    elif checkout.guest_key is None or not secrets.compare_digest(checkout.guest_key, session.get(GUEST_KEY) or ""):
        raise NotFound(_("Not found."))
    return checkout


def remember_checkout(checkout: Checkout) -> None:
    session[LAST_CHECKOUT] = checkout.id


def unpaid_checkout(buyer: User | None) -> Checkout | None:
    """This session's last checkout while it waits unpaid and no card payment on it has begun:
    its hold is the buyer's own, and is given up when they change their cart or check out
    again."""
    checkout_id = session.get(LAST_CHECKOUT)
    if not isinstance(checkout_id, int):
        return None
    try:
        checkout = owned_checkout(checkout_id, buyer)
    except NotFound:
        return None
    if checkout.status != "awaiting_payment" or any(order.payment_intent_id for order in checkout.orders):
        return None
    return checkout
