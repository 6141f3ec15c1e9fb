"""The payment gateway: our words (authorise, capture, void, refund) over Stripe.

The only module that imports `stripe`. It talks to real Stripe, or to localstripe when
`STRIPE_API_BASE` is set, with the same calls: only what both support (see STRIPE.md).
Every call that changes something carries an idempotency key chosen by the caller.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

import stripe
from flask import current_app

from ..security import parse_id

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 20


class GatewayError(Exception):
    pass


class Declined(GatewayError):
    """The card was refused; `message` is Stripe's explanation for the buyer."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message, self.code = message, code


class Rejected(GatewayError):
    """Stripe refused the request itself (an unknown card id, a wrong state): not retryable."""


class Unavailable(GatewayError):
    """Stripe could not be reached, or answered with a server error: try again later."""


@dataclass
class Intent:
    id: str
    status: str
    amount: int
    client_secret: str | None
    order_id: int | None
    created: datetime | None
    next_action: dict | None = field(default=None)
    customer: str | None = None

    @property
    def authorised(self) -> bool:
        return self.status == "requires_capture"

    @property
    def live(self) -> bool:
        """Still holding (or about to hold) the buyer's money."""
        return self.status in ("requires_capture", "requires_action", "requires_confirmation", "processing")


@dataclass
class Event:
    id: str
    type: str
    object_id: str
    order_id: int | None


def _client() -> stripe.StripeClient:
    config = current_app.config
    base = config.get("STRIPE_API_BASE")
    return stripe.StripeClient(
        config["STRIPE_SECRET_KEY"],
        base_addresses={"api": base} if base else None,
        http_client=stripe.new_default_http_client(timeout=TIMEOUT_SECONDS),
        max_network_retries=0,
    )


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except stripe.CardError as error:
        raise Declined(error.user_message or str(error), error.code) from error
    except (stripe.APIConnectionError, stripe.RateLimitError) as error:
        raise Unavailable(str(error)) from error
    except stripe.APIError as error:
        raise Unavailable(str(error)) from error
    except stripe.StripeError as error:
        if error.http_status and error.http_status >= 500:
            raise Unavailable(str(error)) from error
        if error.http_status == 402:
            raise Declined(error.user_message or str(error), error.code) from error
        raise Rejected(str(error)) from error


def _intent(obj) -> Intent:
    metadata = obj.metadata.to_dict() if obj.metadata else {}
    order_id = metadata.get("order_id")
    created = datetime.fromtimestamp(obj.created, UTC).replace(tzinfo=None) if getattr(obj, "created", None) else None
    next_action = obj.next_action.to_dict() if getattr(obj, "next_action", None) else None
    return Intent(
        id=obj.id,
        status=obj.status,
        amount=obj.amount,
        client_secret=obj.client_secret,
        order_id=parse_id(str(order_id or "")),
        created=created,
        next_action=next_action,
        customer=getattr(obj, "customer", None),
    )


def create_customer(email: str, key: str) -> str:
    customer = _call(_client().v1.customers.create, {"email": email}, {"idempotency_key": key})
    return customer.id


def create_setup_intent(customer_id: str, key: str) -> tuple[str, str]:
    setup = _call(
        _client().v1.setup_intents.create,
        {"customer": customer_id, "payment_method_types": ["card"], "usage": "off_session"},
        {"idempotency_key": key},
    )
    return setup.id, setup.client_secret


def attach_payment_method(payment_method: str, customer_id: str) -> str:
    """Attach a card to the customer (test ids such as pm_card_visa become real cards)."""
    method = _call(_client().v1.payment_methods.retrieve, payment_method)
    if getattr(method, "customer", None) == customer_id:
        return method.id
    attached = _call(_client().v1.payment_methods.attach, payment_method, {"customer": customer_id})
    return attached.id


def create_authorisation(order_id: int, amount: int, customer_id: str, payment_method: str, key: str) -> Intent:
    """A manual-capture PaymentIntent for one order, not yet confirmed: its id can be stored
    before any money moves."""
    intent = _call(
        _client().v1.payment_intents.create,
        {
            "amount": amount,
            "currency": "jpy",
            "customer": customer_id,
            "payment_method": payment_method,
            "payment_method_types": ["card"],
            "capture_method": "manual",
            "metadata": {"order_id": str(order_id)},
        },
        {"idempotency_key": key},
    )
    return _intent(intent)


def confirm(intent_id: str, key: str) -> Intent:
    return _intent(_call(_client().v1.payment_intents.confirm, intent_id, None, {"idempotency_key": key}))


def retrieve(intent_id: str) -> Intent:
    return _intent(_call(_client().v1.payment_intents.retrieve, intent_id))


def capture(intent_id: str, amount: int, key: str) -> Intent:
    return _intent(
        _call(_client().v1.payment_intents.capture, intent_id, {"amount_to_capture": amount}, {"idempotency_key": key})
    )


def cancel(intent_id: str, key: str) -> Intent:
    return _intent(_call(_client().v1.payment_intents.cancel, intent_id, None, {"idempotency_key": key}))


def refund(intent_id: str, amount: int, key: str) -> str:
    created = _call(_client().v1.refunds.create, {"payment_intent": intent_id, "amount": amount}, {"idempotency_key": key})
    return created.id


def recent_intents(limit: int = 100, pages: int = 10):
    """PaymentIntents, most recent first where the server sorts so (both list without filters)."""
    client = _client()
    starting_after = None
    for _ in range(pages):
        params = {"limit": limit}
        if starting_after:
            params["starting_after"] = starting_after
        page = _call(client.v1.payment_intents.list, params)
        for obj in page.data:
            yield _intent(obj)
        if not page.has_more or not page.data:
            return
        starting_after = page.data[-1].id


def parse_event(payload: bytes, signature: str | None) -> Event:
    """Verify a webhook's signature on the raw body (5-minute tolerance) and read it."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    try:
        event = stripe.Webhook.construct_event(payload, signature or "", secret, tolerance=300)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise GatewayError("bad webhook") from error
    obj = event.data.object
    metadata = getattr(obj, "metadata", None)
    order_id = metadata.to_dict().get("order_id") if metadata else None
    return Event(
        id=event.id,
        type=event.type,
        object_id=getattr(obj, "id", ""),
        order_id=parse_id(str(order_id or "")),
    )


def publishable_key() -> str:
    return current_app.config["STRIPE_PUBLISHABLE_KEY"]


def js_url() -> str:
    config = current_app.config
    if config.get("STRIPE_JS_URL"):
        return config["STRIPE_JS_URL"]
    if config.get("STRIPE_API_BASE"):
        return config["STRIPE_API_BASE"].rstrip("/") + "/js.stripe.com/v3/"
    return "https://js.stripe.com/v3/"
