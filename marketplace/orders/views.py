from __future__ import annotations

from datetime import date
from math import ceil

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import db as tx
from ..access import public
from ..cart import services as cart_services
from ..cart import views as cart_views
from ..errors import (
    Conflict,
    DomainError,
    NotFound,
    OutOfStock,
    PaymentUnavailable,
    ValidationFailed,
)
from ..extensions import db, limiter
from ..http_errors import json_error
from ..i18n import current_language
from ..payments import gateway
from ..timeutil import now
from . import address, guests, payment, services
from . import checkout as checkouts
from .forms import ADDRESS, CheckoutForm
from .limits import card_attempts, checkout_key
from .models import Checkout

bp = Blueprint("orders", __name__)


@bp.route("/track/<token>")
@public
def track(token: str):
    try:
        order = services.order_by_token(token)
    except NotFound:
        abort(404)
    return render_template("orders/track.html", order=order)


# --- checkout: details, final confirmation, card payment, confirmation ---------------------
#
# Thin views over orders/checkout.py and orders/payment.py. The details and the final
# confirmation screen are one form: the confirmation screen carries what was typed in hidden
# fields, plus a fingerprint of the priced cart, so what the buyer confirmed is what is ordered.
# A guest owns their checkout through their session (orders/guests.py), a buyer through their
# account; anybody else gets 404.



def _buyer():
    return current_user if current_user.is_authenticated else None


def _own(checkout_id: int) -> Checkout:
    try:
        return guests.owned_checkout(checkout_id, _buyer())
    except NotFound:
        abort(404)


def _details_page(form: CheckoutForm, contents, status: int = 200):
    return render_template("checkout/details.html", form=form, contents=contents, cart_count=len(contents.lines)), status


def _confirm_page(form: CheckoutForm, contents, status: int = 200):
    form.cart_version.data = contents.fingerprint()
    return render_template(
        "checkout/confirm.html", form=form, contents=contents, cart_count=len(contents.lines),
        delivery_date=date.fromisoformat(form.delivery_date.data),
    ), status


def _contents():
    """The cart, counting the stock this buyer's own unpaid checkout holds as theirs."""
    return cart_services.contents(cart_views.current_cart(), returning=guests.unpaid_checkout(_buyer()))


def _prefilled() -> CheckoutForm:
    buyer = _buyer()
    if buyer is None:
        return CheckoutForm()
    form = CheckoutForm(email=buyer.email)
    last = db.session.scalar(select(Checkout).where(Checkout.buyer_id == buyer.id).order_by(Checkout.id.desc()).limit(1))
    if last is not None:  # a restaurant orders to the same kitchen again and again
        for name in ADDRESS:
            getattr(form, name).data = (last.ship_to or {}).get(name) or ""
        code = form.postal_code.data
        form.postal_code.data = f"{code[:3]}-{code[3:]}" if len(code) == 7 else code
    return form


@bp.route("/checkout", methods=["GET", "POST"])
@public
def checkout():
    contents = _contents()
    if not contents.ready:
        if contents.to_fix:
            flash(_("Please change the marked items first."), "error")
        elif not contents.parts:
            flash(_("Your cart has nothing that can be ordered now."), "error")
        return redirect(url_for("cart.show"))
    if request.method == "GET":
        return _details_page(_prefilled(), contents)
    form = CheckoutForm()
    action = request.form.get("action", "review")
    if action == "edit":
        return _details_page(form, contents)
    if not form.check(_buyer()):
        return _details_page(form, contents, 422)
    if action == "place":
        return _place(form, contents)
    return _confirm_page(form, contents)


def _place(form: CheckoutForm, contents):
    if form.cart_version.data != contents.fingerprint():
        flash(_("Your cart or its prices changed. Please check your order again."), "error")
        return _confirm_page(form, contents, 409)
    buyer = _buyer()
    try:
        earlier = guests.unpaid_checkout(buyer)  # back from the card page: its hold goes first
        if earlier is not None:
            checkouts.abandon(earlier)
        placed = checkouts.create_checkout(
            buyer=buyer,
            guest_key=None if buyer else guests.guest_key(),
            data=form.checkout_data(contents.checkout_items()),
            locale=current_language(),
        )
        if placed.authorise_jpy != contents.authorise_jpy or sum(o.total_jpy for o in placed.orders) != contents.total_jpy:
            raise Conflict(_("Your cart or its prices changed. Please check your order again."))
        tx.commit()
    except OutOfStock as error:
        tx.rollback()
        flash(error.message + " " + _("Nothing was charged. Please change your cart."), "error")
        return redirect(url_for("cart.show"))
    except Conflict as error:
        tx.rollback()
        flash(error.message, "error")
        return _confirm_page(form, _contents(), 409)
    except ValidationFailed as error:
        tx.rollback()
        rest = form.show_errors(error.fields)
        if rest:  # the items: the cart shows what to change
            flash(" ".join([error.message, *rest.values()]), "error")
            return redirect(url_for("cart.show"))
        return _details_page(form, contents, 422)
    guests.remember_checkout(placed)
    try:
        payment.ensure_setup_intent(placed)
        tx.commit()
    except PaymentUnavailable:
        tx.rollback()  # the reservation stands; the payment page says so and tries again
    return redirect(url_for(".pay_page", checkout_id=placed.id))


def _expired(checkout: Checkout) -> bool:
    return checkout.status == "expired" or (checkout.status == "awaiting_payment" and checkout.expires_at <= now())


@bp.route("/checkout/<int:checkout_id>/pay")
@public
def pay_page(checkout_id: int):
    checkout = _own(checkout_id)
    if checkout.status == "paid":
        return redirect(url_for(".checkout_done", checkout_id=checkout.id))
    unavailable = None
    if not _expired(checkout):
        try:
            payment.ensure_setup_intent(checkout)
            tx.commit()
        except PaymentUnavailable as error:
            tx.rollback()
            unavailable = error.message
    context = {
        "checkout": checkout,
        "expired": _expired(checkout),
        "unavailable": unavailable,
        "minutes_left": max(0, ceil((checkout.expires_at - now()).total_seconds() / 60)),
        "publishable_key": gateway.publishable_key(),
        "stripe_js_url": gateway.js_url(),
    }
    return render_template("checkout/pay.html", **context), 503 if unavailable else 200


def _json_error(error: DomainError):
    return json_error(error.status, error.code, error.message, error.fields)


@bp.route("/checkout/<int:checkout_id>/pay", methods=["POST"])
@card_attempts
@public
def pay(checkout_id: int):
    """JSON, from static/js/pay.js: {"payment_method": "pm_…"} after the card was set up, or no
    body to go on after 3-D Secure. The CSRF token comes in the X-CSRFToken header."""
    try:
        checkout = guests.owned_checkout(checkout_id, _buyer())
    except NotFound as error:
        return _json_error(error)
    data = request.get_json(silent=True) if request.content_length else None
    method = data.get("payment_method") if isinstance(data, dict) else None
    if method is not None and (not isinstance(method, str) or not method.startswith("pm_") or len(method) > 255):
        message = _("Unknown payment method.")
        return json_error(422, "validation_error", message, {"payment_method": message})
    if method and _expired(checkout) and checkout.status != "paid":
        return json_error(409, "conflict", _("Your reservation has ended. Please check out again."))
    try:
        result = payment.pay(checkout, method)
    except DomainError as error:
        tx.rollback()
        return _json_error(error)
    if result.status == "requires_action":
        return jsonify({"status": "requires_action", "client_secret": result.client_secret})
    cart_services.remove_bought(cart_views.current_cart(), checkout)
    tx.commit()
    cart_views.remember_count(cart_views.current_cart())
    return jsonify({"status": "paid", "next": url_for(".checkout_done", checkout_id=checkout.id)})


@bp.route("/checkout/<int:checkout_id>/card", methods=["POST"])
@limiter.limit("20 per hour", key_func=checkout_key)
@public
def new_card(checkout_id: int):
    """JSON: a fresh SetupIntent for another card, after one was set up and then refused."""
    try:
        checkout = guests.owned_checkout(checkout_id, _buyer())
    except NotFound as error:
        return _json_error(error)
    if checkout.status != "awaiting_payment" or _expired(checkout):
        return json_error(409, "conflict", _("Your reservation has ended. Please check out again."))
    try:
        payment.renew_setup_intent(checkout)
        tx.commit()
    except DomainError as error:
        tx.rollback()
        return _json_error(error)
    return jsonify({"setup_intent_client_secret": checkout.setup_intent_secret})


@bp.route("/checkout/<int:checkout_id>/done")
@public
def checkout_done(checkout_id: int):
    checkout = _own(checkout_id)
    if checkout.status != "paid":
        return redirect(url_for(".pay_page", checkout_id=checkout.id))
    return render_template("checkout/done.html", checkout=checkout, orders=checkout.orders)


@bp.route("/postal/<code>")
@public
def postal(code: str):
    """Prefecture and city for a 7-digit postal code (offline data), for the address form."""
    found = address.lookup(code[:16])
    if found is None:
        return json_error(404, "not_found", _("We do not know this postal code. Please fill in the address yourself."))
    response = jsonify(found)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


from . import account_views  # noqa: E402,F401
