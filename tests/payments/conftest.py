"""Shared builders for the payment operation tests: a shop with two sellers, checkouts, a
payment interrupted the way a crash would leave it, signed Stripe events, and the `flask`
commands run in-process or as real processes."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import stripe
from sqlalchemy import select

from marketplace import db as tx
from marketplace.extensions import db as _db
from marketplace.orders import checkout as checkouts
from marketplace.orders import payment
from marketplace.orders.models import Checkout, Order, OrderEvent
from marketplace.payments import gateway
from marketplace.timeutil import tokyo_today

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_overrides(localstripe):
    return {"STRIPE_API_BASE": localstripe}


@pytest.fixture
def shop(make):
    fisher = make.seller(name="浜丸")
    processor = make.seller(name="北の干物屋", kind="processor")
    salmon = make.listing(fisher, species="秋鮭", unit="kg", price_jpy=2000, quantity="3.0")
    squid = make.listing(processor, kind="product", species="するめ", unit="piece", price_jpy=1200, quantity="5")
    return {"fisher": fisher, "processor": processor, "salmon": salmon, "squid": squid}


def checkout_for(items, email="tourist@example.com") -> Checkout:
    data = {
        "items": [{"listing_id": listing.id, "quantity": quantity} for listing, quantity in items],
        "email": email,
        "ship_to": {
            "name": "Ada Lovelace", "postal_code": "100-0001", "prefecture": "東京都", "city": "千代田区",
            "address_line1": "千代田1-1", "phone": "090-1234-5678",
        },
        "delivery": {"date": (tokyo_today() + timedelta(days=3)).isoformat(), "slot": "14-16"},
    }
    made = checkouts.create_checkout(buyer=None, guest_key="guest-1", data=data, locale="en")
    tx.commit()
    payment.ensure_setup_intent(made)
    tx.commit()
    return made


def with_card(checkout: Checkout, method: str = "pm_card_visa") -> str:
    checkout.payment_method_id = gateway.attach_payment_method(method, checkout.stripe_customer_id)
    tx.commit()
    return checkout.payment_method_id


def authorise_behind_our_back(order: Order, *, store: bool, key: str | None = None) -> gateway.Intent:
    """What `payment.pay` does for one order up to the moment it would record the result —
    and then the process dies: the PaymentIntent holds the money, the order knows nothing of it
    (`store=False`: the id was lost before it was committed) or only its id (`store=True`)."""
    checkout = order.checkout
    if not checkout.payment_method_id:
        with_card(checkout)
    intent = gateway.create_authorisation(
        order.id, order.authorised_jpy, checkout.stripe_customer_id, checkout.payment_method_id,
        key or f"order-{order.id}-attempt-crash-{secrets.token_hex(4)}",
    )
    if store:
        order.payment_intent_id = intent.id
        tx.commit()
    confirmed = gateway.confirm(intent.id, f"{intent.id}-confirm")
    assert confirmed.status == "requires_capture"
    tx.rollback()  # the crash: nothing after the confirmation reached the database
    return confirmed


def order_events(order_id: int) -> list[tuple[str, str | None]]:
    _db.session.expire_all()
    return [(e.status, e.note) for e in _db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id))]


def dump() -> dict:
    """Every row of every table: to show that nothing changed."""
    _db.session.expire_all()
    return {
        table.name: sorted(map(repr, _db.session.execute(select(table)).all()))
        for table in _db.metadata.sorted_tables
    }


# --- Stripe events ---------------------------------------------------------------------------


def event_payload(event_type: str, intent_id: str, order_id: int | None = None, *, event_id: str | None = None,
                  status: str = "requires_capture") -> bytes:
    """An event as Stripe sends it (the object's copy may be stale: we never trust it)."""
    return json.dumps(
        {
            "id": event_id or f"evt_{secrets.token_hex(12)}",
            "object": "event",
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "type": event_type,
            "livemode": False,
            "data": {
                "object": {
                    "id": intent_id, "object": "payment_intent", "status": status, "amount": 1000,
                    "currency": "jpy", "metadata": {"order_id": str(order_id)} if order_id else {},
                }
            },
        }
    ).encode()


def signature(payload: bytes, secret: str, at: int | None = None) -> str:
    """A `Stripe-Signature` header, as Stripe (and localstripe) computes it."""
    return stripe.WebhookSignature.generate_signature_header(payload.decode(), secret, timestamp=at)


def deliver(client, payload: bytes, header: str | None):
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["Stripe-Signature"] = header
    return client.post("/stripe/webhook", data=payload, headers=headers)


# --- commands --------------------------------------------------------------------------------


def flask_command(app, *args: str):
    """Run `flask …` in this process, in the test's app context."""
    result = app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)
    return result


def command_env(app) -> dict:
    config = app.config
    env = {key: value for key, value in os.environ.items() if not key.startswith(("STRIPE_", "FLASK_"))}
    env.update(
        DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"],
        STRIPE_API_BASE=config["STRIPE_API_BASE"],
        STRIPE_SECRET_KEY=config["STRIPE_SECRET_KEY"],
        SMTP_HOST=config["SMTP_HOST"],
        SMTP_PORT=str(config["SMTP_PORT"]),
        OUTBOX_AFTER_COMMIT="inline",
        BASE_URL=config["BASE_URL"],
        RATELIMIT_ENABLED="0",
    )
    return env


def flask_processes(app, *commands: tuple[str, ...]) -> list[subprocess.CompletedProcess]:
    """Start `flask --app wsgi …` for every command at once, as cron would on two machines,
    and wait for all of them."""
    env = command_env(app)
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", *command],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for command in commands
    ]
    done = []
    for child in children:
        out, err = child.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(child.args, child.returncode, out, err))
    return done
