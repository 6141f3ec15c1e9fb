"""Checkouts, payment and orders over the JSON API (API.md: "Checkout and payment", "Orders",
"Tracking"). Thin: parse, call one service, answer; the services commit."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from .. import db as tx
from ..access import public, signed_in
from ..api import bp, openapi, viewer
from ..api.requests import hint, json_body, query_args
from ..errors import DomainError
from ..extensions import limiter
from ..i18n import current_language
from ..payments import gateway
from ..security import MAX_ID
from . import checkout as checkouts
from . import guests, payment, services
from .limits import card_attempts
from .models import Checkout
from .schemas import CHECKOUT_EXAMPLE, SCHEMAS
from .serializers import checkout_json, order_json, tracking_json

CHECKOUTS = "60 per minute"  # from one address (API.md)
DEFAULT_LIMIT = 50


def _payment_details(checkout: Checkout) -> dict:
    return {
        "publishable_key": gateway.publishable_key(),
        "setup_intent_client_secret": checkout.setup_intent_secret,
        "stripe_js_url": gateway.js_url(),
    }


@bp.route("/checkouts", methods=["POST"])
@limiter.limit(CHECKOUTS)
@public
def create_checkout():
    buyer = viewer()
    data = json_body("CheckoutCreate")
    checkout = checkouts.create_checkout(
        buyer=buyer, guest_key=None if buyer else guests.guest_key(), data=data, locale=current_language()
    )
    tx.commit()
    try:
        payment.ensure_setup_intent(checkout)
        tx.commit()
    except DomainError:
        tx.rollback()  # no card form can be shown: hold nothing
        checkouts.abandon(checkout)
        tx.commit()
        raise
    return jsonify(checkout_json(checkout, _payment_details(checkout))), 201


@bp.route("/checkouts/<int:checkout_id>")
@public
def get_checkout(checkout_id: int):
    checkout = guests.owned_checkout(checkout_id, viewer())
    return jsonify(checkout_json(checkout, _payment_details(checkout)))


@bp.route("/checkouts/<int:checkout_id>/pay", methods=["POST"])
@card_attempts
@public
def pay_checkout(checkout_id: int):
    checkout = guests.owned_checkout(checkout_id, viewer())
    method = json_body("PaymentRequest").get("payment_method") if request.content_length else None
    result = payment.pay(checkout, method)
    if result.status == "requires_action":
        return jsonify({"status": "requires_action", "client_secret": result.client_secret})
    return jsonify({"status": "paid", "orders": [{"id": o.id, "status": o.status} for o in checkout.orders]})


@bp.route("/orders")
@signed_in
def list_orders():
    args = query_args("/orders")
    limit = args.get("limit", DEFAULT_LIMIT)
    cursor = min(int(args["cursor"]), MAX_ID) if "cursor" in args else None
    orders = services.orders_of(current_user, limit=limit + 1, before_id=cursor)
    more = len(orders) > limit
    orders = orders[:limit]
    return jsonify({"items": [order_json(o) for o in orders], "next": str(orders[-1].id) if more else None})


@bp.route("/orders/<int:order_id>")
@signed_in
def get_order(order_id: int):
    return jsonify(order_json(services.order_for(current_user, order_id)))


def _sellers_order(order_id: int):
    """Seller actions: the order's seller, or an admin."""
    return services.order_for(current_user, order_id, as_seller=current_user.role != "admin")


@bp.route("/orders/<int:order_id>/pack", methods=["POST"])
@signed_in
def pack_order(order_id: int):
    order = _sellers_order(order_id)
    lines = json_body("PackRequest").get("lines", [])
    actual = {str(entry["id"]): entry["quantity_actual"] for entry in lines}
    return jsonify(order_json(services.pack(order, current_user, actual).order))


@bp.route("/orders/<int:order_id>/ship", methods=["POST"])
@signed_in
def ship_order(order_id: int):
    order = _sellers_order(order_id)
    data = json_body("ShipRequest")
    return jsonify(order_json(services.ship(order, current_user, data["carrier"], data.get("tracking_number"))))


@bp.route("/orders/<int:order_id>/deliver", methods=["POST"])
@signed_in
def deliver_order(order_id: int):
    return jsonify(order_json(services.deliver(_sellers_order(order_id), current_user)))


@bp.route("/orders/<int:order_id>/cancel", methods=["POST"])
@signed_in
def cancel_order(order_id: int):
    order = services.order_for(current_user, order_id)
    reason = json_body("CancelRequest").get("reason", "") if request.content_length else ""
    as_buyer = current_user.role != "admin" and order.seller_id != current_user.id
    return jsonify(order_json(services.cancel(order, current_user, reason, as_buyer=as_buyer)))


@bp.route("/orders/<int:order_id>/refunds", methods=["POST"])
@signed_in
def refund_order(order_id: int):
    order = _sellers_order(order_id)
    data = json_body("RefundRequest")
    key = request.headers.get("Idempotency-Key", "")[:80] or None
    services.refund(order, current_user, data["amount_jpy"], data.get("reason", ""), request_key=key)
    return jsonify(order_json(order)), 201


@bp.route("/track/<token>")
@public
def track(token: str):
    return jsonify(tracking_json(services.order_by_token(token[:100])))


# --- the OpenAPI description and field hints ------------------------------------------------

hint("items", lambda: _("Give each item's listing_id and quantity (at most 50 items)."))
hint("email", lambda: _("Enter a valid e-mail address."))
hint("ship_to", lambda: _("Give a delivery address."))
hint("delivery", lambda: _("Choose a delivery date and time."))
hint("delivery.date", lambda: _("Choose a delivery date."))
hint("delivery.slot", lambda: _("Choose a delivery time."))
hint("gift_message", lambda: _("Use at most %(n)d characters.", n=500))
hint("payment_method", lambda: _("Unknown payment method."))
hint("lines", lambda: _("Give each line's id and quantity_actual."))
hint("carrier", lambda: _("Choose Yamato, Sagawa, Japan Post or local delivery."))
hint("tracking_number", lambda: _("Use only letters, digits and hyphens."))
hint("reason", lambda: _("Use at most %(n)d characters.", n=500))
hint("amount_jpy", lambda: _("Enter an amount in whole yen above zero."))


def _id(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "description": description,
    }


def _body(schema: str, example: dict | None = None, required: bool = True) -> dict:
    return {"required": required, **openapi.json_content(openapi.ref(schema), example)}


def _answer(description: str, schema: str) -> dict:
    return {"description": description, **openapi.json_content(openapi.ref(schema))}


_ANYONE = [{}, {"bearerAuth": []}]
_SIGNED_IN = [{"bearerAuth": []}]
_order = _answer("The order.", "Order")
_BODY_ERRORS = (400, 401, 404, 409, 413, 415, 422, 429)


def _seller_action(operation_id: str, summary: str, description: str, body: str | None) -> dict:
    operation = {
        "operationId": operation_id,
        "tags": ["orders"],
        "summary": summary,
        "description": description,
        "security": _SIGNED_IN,
        "responses": {"200": _order, **openapi.errors(*_BODY_ERRORS, 402, 503)},
    }
    if body:
        operation["requestBody"] = _body(body)
    else:
        operation["responses"] = {"200": _order, **openapi.errors(401, 404, 409, 413, 415, 429)}
    return operation


openapi.add(
    schemas=SCHEMAS,
    paths={
        "/checkouts": {
            "post": {
                "operationId": "createCheckout",
                "tags": ["checkout"],
                "summary": "Check out: one order per seller, stock reserved until `expires_at`",
                "description": "Guests and signed-in buyers alike. A guest's checkout belongs to "
                "the session (cookie) that made it. Not enough stock is `409 out_of_stock`, "
                "naming each short listing in `error.listings`. Rules stated on the fields are "
                "`422`. When card payments cannot start (Stripe unreachable) nothing is held: `503`.",
                "security": _ANYONE,
                "requestBody": _body("CheckoutCreate", CHECKOUT_EXAMPLE),
                "responses": {
                    "201": _answer("The checkout, awaiting payment.", "Checkout"),
                    **openapi.errors(400, 409, 413, 415, 422, 429, 503),
                },
            }
        },
        "/checkouts/{checkout_id}": {
            "parameters": [_id("checkout_id", "The checkout's id.")],
            "get": {
                "operationId": "getCheckout",
                "tags": ["checkout"],
                "summary": "One of your checkouts (or this session's, for a guest)",
                "security": _ANYONE,
                "responses": {"200": _answer("The checkout.", "Checkout"), **openapi.errors(404)},
            },
        },
        "/checkouts/{checkout_id}/pay": {
            "parameters": [_id("checkout_id", "The checkout's id.")],
            "post": {
                "operationId": "payCheckout",
                "tags": ["checkout"],
                "summary": "Authorise every seller's order on the card",
                "description": "Send the payment method the page set up (or a Stripe test id "
                "such as `pm_card_visa`); send no body to go on after 3-D Secure. A declined card "
                "is `402` and another card may be tried while the reservation lasts (5 declines "
                "per checkout an hour). A paid checkout answers `paid` again; no order ever gets a "
                "second PaymentIntent. Stripe unreachable: `503`, the reservation holds.",
                "security": _ANYONE,
                "requestBody": _body("PaymentRequest", {"payment_method": "pm_card_visa"}, required=False),
                "responses": {
                    "200": _answer("Paid, or 3-D Secure needed.", "PayResult"),
                    **openapi.errors(400, 402, 404, 409, 413, 415, 422, 429, 503),
                },
            },
        },
        "/orders": {
            "get": {
                "operationId": "listOrders",
                "tags": ["orders"],
                "summary": "Your orders as a buyer, or the orders to you as a seller (newest first)",
                "security": _SIGNED_IN,
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": DEFAULT_LIMIT},
                        "description": "Orders per page.",
                    },
                    {
                        "name": "cursor",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "pattern": "^[1-9][0-9]{0,9}$"},
                        "description": "The `next` value of the previous page.",
                    },
                ],
                "responses": {"200": _answer("A page of orders.", "OrderPage"), **openapi.errors(400, 401)},
            }
        },
        "/orders/{order_id}": {
            "parameters": [_id("order_id", "The order's id.")],
            "get": {
                "operationId": "getOrder",
                "tags": ["orders"],
                "summary": "An order: to its buyer, its seller or an admin (anyone else: `404`)",
                "security": _SIGNED_IN,
                "responses": {"200": _order, **openapi.errors(401, 404)},
            },
        },
        "/orders/{order_id}/pack": {
            "parameters": [_id("order_id", "The order's id.")],
            "post": _seller_action(
                "packOrder",
                "Confirm weighed/counted quantities and capture the actual total",
                "The order's seller (or an admin), while `paid`. Lines not named keep their "
                "ordered quantity. The capture is never above the authorisation.",
                "PackRequest",
            ),
        },
        "/orders/{order_id}/ship": {
            "parameters": [_id("order_id", "The order's id.")],
            "post": _seller_action(
                "shipOrder", "Hand the order to a carrier", "The order's seller, once `packed`.", "ShipRequest"
            ),
        },
        "/orders/{order_id}/deliver": {
            "parameters": [_id("order_id", "The order's id.")],
            "post": _seller_action(
                "deliverOrder", "Mark the order delivered", "The order's seller, once `shipped`.", None
            ),
        },
        "/orders/{order_id}/cancel": {
            "parameters": [_id("order_id", "The order's id.")],
            "post": {
                **_seller_action(
                    "cancelOrder",
                    "Cancel: void the authorisation or refund the capture; unsold stock returns",
                    "The seller or an admin before `shipped`; the buyer while `paid`. A second "
                    "cancel is `409 invalid_transition`.",
                    "CancelRequest",
                ),
                "requestBody": _body("CancelRequest", {"reason": "Rough sea: no catch today"}, required=False),
            },
        },
        "/orders/{order_id}/refunds": {
            "parameters": [_id("order_id", "The order's id.")],
            "post": {
                **_seller_action(
                    "refundOrder",
                    "Refund part of a captured payment (short or damaged items)",
                    "The seller or an admin. More than captured minus refunded is `409 conflict`. "
                    "The same `Idempotency-Key` header makes one refund.",
                    "RefundRequest",
                ),
                "responses": {"201": _order, **openapi.errors(*_BODY_ERRORS, 503)},
            },
        },
        "/track/{token}": {
            "parameters": [
                {
                    "name": "token",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1, "maxLength": 100},
                    "description": "The token from the tracking link in the order e-mails.",
                }
            ],
            "get": {
                "operationId": "trackOrder",
                "tags": ["orders"],
                "summary": "An order's progress, for whoever holds its tracking link (no prices)",
                "security": [{}],
                "responses": {"200": _answer("The order's progress.", "Tracking"), **openapi.errors(404)},
            },
        },
    },
)
