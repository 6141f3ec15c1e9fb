"""The cart pages.

Listing pages are shared between anonymous visitors (catalog/cache.py), so they cannot carry a
visitor's CSRF token: for them "Add to cart" is a GET to `/cart/add`, a personal page whose
form (with the token) makes the change. Signed-in visitors' listing pages are personal and post
straight to `/cart/items`.

The header shows how many items the cart holds only where the page is personal: on the cart
and checkout pages (`cart_count`), and for signed-in visitors from a number kept in their
session (no query, and their pages are never shared).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import db as tx
from ..access import public
from ..catalog import services as catalog
from ..errors import DomainError, NotFound
from ..i18n import pick
from ..i18n import quantity as shown_quantity
from ..orders import checkout as checkouts
from ..orders import guests
from ..security import parse_id
from . import services
from .forms import AddForm, QuantityForm
from .models import Cart

bp = Blueprint("cart", __name__)

CART_TOKEN = "cart"  # noqa: S105 (a session key: a guest's cart token, not a secret)
CART_COUNT = "cart_count"  # session key: items in the cart, for the header


def _buyer():
    return current_user if current_user.is_authenticated else None


def current_cart() -> Cart | None:
    return services.find_cart(_buyer(), session.get(CART_TOKEN))


def _open_cart() -> Cart:
    cart = services.open_cart(_buyer(), session.get(CART_TOKEN))
    if cart.token and session.get(CART_TOKEN) != cart.token:
        session[CART_TOKEN] = cart.token
        session.permanent = True  # a guest's cart outlives the browser session
    return cart


def remember_count(cart: Cart | None) -> int:
    count = len(cart.items) if cart is not None else 0
    if session.get(CART_COUNT, 0) != count:
        session[CART_COUNT] = count
    return count


def adopt_guest_cart(token: str | None, user) -> None:
    """Sign-in: the guest's cart (its token read before the session was renewed) joins the
    account's cart."""
    cart = services.adopt_guest_cart(token, user)
    tx.commit()
    remember_count(cart)


def _give_up_unpaid_checkout() -> None:
    """The cart changes: the checkout this session placed from it and has not begun paying no
    longer matches it, and its hold is released."""
    pending = guests.unpaid_checkout(_buyer())
    if pending is not None:
        checkouts.abandon(pending)


def _page(template: str, status: int = 200, **context):
    cart = context.pop("cart", None)
    return render_template(template, cart_count=remember_count(cart), **context), status


def _contents(cart: Cart | None):
    return services.contents(cart, returning=guests.unpaid_checkout(_buyer()))


@bp.route("/cart")
@public
def show():
    cart = current_cart()
    return _page("cart/show.html", cart=cart, contents=_contents(cart), errors={})


@bp.route("/cart/add")
@public
def confirm_add():
    """The step between a shared listing page and the cart (see the module's docstring)."""
    form = AddForm(formdata=request.args, meta={"csrf": False})
    listing = _listing_on_sale(form.listing_id.data)
    if listing is None:
        flash(_("This listing is not on sale."), "error")
        return redirect(url_for(".show"))
    add = AddForm(listing_id=listing.id, quantity=form.quantity.data or shown_quantity(listing.min_order, listing.unit))
    return _page("cart/add.html", cart=current_cart(), form=add, listing=listing)


@bp.route("/cart/items", methods=["POST"])
@public
def add():
    form = AddForm()  # CSRFProtect has checked the token; the cart service checks the rest
    try:
        _give_up_unpaid_checkout()
        cart = _open_cart()
        item = services.add_item(cart, form.listing_id.data, form.quantity.data)
        tx.commit()
    except DomainError as error:
        tx.rollback()
        return _add_failed(form, error)
    remember_count(cart)
    flash(
        _("Added to your cart: %(title)s, now %(qty)s %(unit)s.", title=pick(item.listing.title),
          qty=shown_quantity(item.quantity, item.listing.unit), unit=services.unit_label(item.listing.unit)),
        "success",
    )
    return redirect(url_for(".show"))


def _listing_on_sale(raw: str | None):
    listing_id = parse_id(raw)
    if listing_id is None:
        return None
    try:
        return catalog.live_listing(listing_id)
    except NotFound:
        return None


def _add_failed(form: AddForm, error: DomainError):
    listing = _listing_on_sale(form.listing_id.data)
    if listing is None:
        flash(error.message, "error")
        return redirect(url_for(".show"))
    form.quantity.errors = [error.fields.get("quantity", error.message)]
    return _page("cart/add.html", 422, cart=current_cart(), form=form, listing=listing)


@bp.route("/cart/items/<int:listing_id>", methods=["POST"])
@public
def change(listing_id: int):
    form = QuantityForm()
    cart = current_cart()
    if cart is None:
        abort(404)
    try:
        _give_up_unpaid_checkout()
        item = services.change_item(cart, listing_id, form.quantity.data)
        tx.commit()
    except NotFound:
        tx.rollback()
        abort(404)
    except DomainError as error:
        tx.rollback()
        cart = current_cart()
        errors = {listing_id: (form.quantity.data, error.fields.get("quantity", error.message))}
        return _page("cart/show.html", 422, cart=cart, contents=_contents(cart), errors=errors)
    remember_count(cart)
    if item is None:
        flash(_("Removed from your cart."), "success")
    else:
        flash(_("Your cart was updated."), "success")
    return redirect(url_for(".show"))


@bp.route("/cart/items/<int:listing_id>/remove", methods=["POST"])
@public
def remove(listing_id: int):
    cart = current_cart()
    if cart is None:
        abort(404)
    try:
        _give_up_unpaid_checkout()
        services.remove_item(cart, listing_id)
        tx.commit()
    except NotFound:
        tx.rollback()
        abort(404)
    remember_count(cart)
    flash(_("Removed from your cart."), "success")
    return redirect(url_for(".show"))
