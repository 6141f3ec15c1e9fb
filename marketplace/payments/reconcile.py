"""`payments reconcile`: hold every recent order against Stripe and repair what a crash or a
lost answer left behind (API.md, "Operations").

- An authorised PaymentIntent that was never recorded (the app died, or Stripe's answer was
  lost, between confirming and committing) → the order is recorded as paid, its stock sold —
  or, when the order can no longer be paid (cancelled, or its stock is gone), the
  authorisation is cancelled.
- An authorisation no order owns (a second one for the same order, left by a lost answer) →
  cancelled, so at most one live authorisation per order remains.
- An authorisation close to lapsing (Stripe holds a card authorisation about 7 days) that was
  never captured → flagged: printed, and noted once on the order.

It changes nothing when everything agrees, and is safe at any time, also twice at once: every
change is a conditional update or a Stripe call with the same idempotency key as the code that
would otherwise make it, and payments still in flight (a PaymentIntent the order's current
attempt owns, waiting for 3-D Secure or for its confirmation) are left alone.

Stripe is asked for its recent PaymentIntents by plain listing (what both Stripe and
localstripe support). A PaymentIntent counts as one of ours only when its `metadata.order_id`
names an order whose checkout's Stripe Customer is the PaymentIntent's customer: a Stripe
account shared with another installation (a test account, a second database) never has its
payments touched.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import db as tx
from ..extensions import db
from ..i18n import tokyo_datetime
from ..orders.models import Checkout, Order, OrderEvent
from ..timeutil import now, to_tokyo
from . import gateway, services
from .models import WebhookEvent

WINDOW = timedelta(days=8)  # orders (and PaymentIntents) this recent are checked
AUTHORISATION_LIFETIME = timedelta(days=7)  # Stripe's hold on a customer-initiated card payment
FLAG_AFTER = timedelta(days=6)  # uncaptured this long → flagged
MAX_PAGES = 50  # of 100 PaymentIntents each
FLAG_KIND = "reconcile.authorisation_expiring"


@dataclass
class Report:
    orders: int = 0
    intents: int = 0
    foreign: int = 0
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def changed(self, order: Order, text: str) -> None:
        self.changes.append(f"order {order.number or order.id} (#{order.id}): {text}")

    def noted(self, order: Order, text: str) -> None:
        self.notes.append(f"order {order.number or order.id} (#{order.id}): {text}")

    def lines(self) -> list[str]:
        summary = f"checked {self.orders} order(s) and {self.intents} PaymentIntent(s)"
        if self.foreign:
            summary += f"; {self.foreign} PaymentIntent(s) of other installations left alone"
        summary += f": {len(self.changes)} change(s)" if self.changes else ": nothing to do"
        return [*self.changes, *self.notes, summary]


def reconcile(*, at: datetime | None = None) -> Report:
    """Run one pass. Commits after each order; a Stripe outage stops the pass with
    gateway.Unavailable, keeping what was already settled."""
    current = at or now()
    cutoff = current - WINDOW
    intents = _recent_intents(cutoff)
    by_order: dict[int, list[gateway.Intent]] = defaultdict(list)
    for intent in intents.values():
        if intent.order_id is not None:
            by_order[intent.order_id].append(intent)
    report = Report(intents=len(intents))
    order_ids = set(db.session.scalars(select(Order.id).where(Order.created_at >= cutoff))) | set(by_order)
    known = set(db.session.scalars(select(Order.id).where(Order.id.in_(order_ids)))) if order_ids else set()
    report.foreign += sum(len(by_order[order_id]) for order_id in set(by_order) - known)
    for order_id in sorted(known):
        order = db.session.get(Order, order_id)
        report.orders += 1
        _reconcile_order(order, intents, by_order.get(order_id, []), report, current)
        tx.commit()
    return report


def _recent_intents(cutoff: datetime) -> dict[str, gateway.Intent]:
    """PaymentIntents created since `cutoff`. Stripe lists newest first, localstripe oldest
    first: stop at the first old one only once newer ones have been seen."""
    found: dict[str, gateway.Intent] = {}
    newest: datetime | None = None
    for intent in gateway.recent_intents(limit=100, pages=MAX_PAGES):
        created = intent.created
        if created is not None and created < cutoff:
            if newest is not None and newest >= cutoff:
                break
            continue
        if created is not None and (newest is None or created > newest):
            newest = created
        found[intent.id] = intent
    return found


def _ours(intent: gateway.Intent, order: Order, checkout: Checkout) -> bool:
    return intent.order_id == order.id and bool(checkout.stripe_customer_id) and intent.customer == checkout.stripe_customer_id


def _reconcile_order(
    order: Order, intents: dict[str, gateway.Intent], candidates: list[gateway.Intent], report: Report, current: datetime
) -> None:
    checkout = order.checkout
    ours = [intent for intent in candidates if _ours(intent, order, checkout)]
    report.foreign += len(candidates) - len(ours)
    own = _own_intent(order, intents)
    strays = sorted((i for i in ours if i.id != order.payment_intent_id), key=lambda i: (i.created or current, i.id))

    if order.status == "awaiting_payment":
        if own is not None and own.authorised:
            _record(order, own, report)
        elif own is None or not own.live:
            adoptable = [i for i in strays if i.authorised and i.amount == order.authorised_jpy]
            if adoptable:
                chosen = adoptable[0]
                strays.remove(chosen)
                _adopt(order, chosen, report)
    elif order.status == "cancelled" and own is not None and own.authorised:  # noqa: SIM102 (an elif: a failed release must not fall through)
        if services.release(order, own.id):
            report.changed(order, f"cancelled, so its authorisation {own.id} (¥{own.amount:,}) was released")

    db.session.refresh(order)
    for intent in strays:
        # An authorisation the order does not own is a duplicate. One that could still become
        # one (waiting for 3-D Secure or confirmation) is cancelled only once no attempt of the
        # order can be in flight any more, i.e. when it no longer awaits payment.
        if intent.authorised or (intent.live and intent.status != "processing" and order.status != "awaiting_payment"):  # noqa: SIM102
            if services.release(order, intent.id):
                report.changed(order, f"cancelled {intent.id} ({intent.status}, ¥{intent.amount:,}): no order owns it")

    if order.status == "paid" and order.authorised_at is not None and order.authorised_at <= current - FLAG_AFTER:
        _flag_expiring(order, report)
    if order.status in services.PAID_OR_LATER and checkout.status == "awaiting_payment":  # noqa: SIM102
        if services.close_checkout(checkout.id):
            report.changed(order, f"its checkout #{checkout.id} is paid")


def _own_intent(order: Order, intents: dict[str, gateway.Intent]) -> gateway.Intent | None:
    if not order.payment_intent_id:
        return None
    intent = intents.get(order.payment_intent_id)
    if intent is None and order.status in ("awaiting_payment", "cancelled"):
        intent = gateway.retrieve(order.payment_intent_id)  # older than the listing reaches
    return intent


def _record(order: Order, intent: gateway.Intent, report: Report) -> None:
    outcome = services.settle(order, intent, note=_("Payment found by the payment check and recorded."))
    if outcome == "recorded":
        report.changed(order, f"authorised by {intent.id} (¥{intent.amount:,}) but never recorded: now paid")
    elif outcome == "voided":
        report.changed(order, f"authorised by {intent.id} but its stock is gone: authorisation cancelled, order cancelled")


def _adopt(order: Order, intent: gateway.Intent, report: Report) -> None:
    """The order's recorded attempt is gone or failed, and an authorisation made for it (whose
    id was lost before it could be stored) holds the money: it becomes the order's."""
    moved = db.session.execute(
        update(Order)
        .where(
            Order.id == order.id,
            Order.status == "awaiting_payment",
            Order.payment_intent_id == order.payment_intent_id
            if order.payment_intent_id
            else Order.payment_intent_id.is_(None),
        )
        .values(payment_intent_id=intent.id)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if moved != 1:
        tx.rollback()  # the buyer's own attempt moved first; a later pass sees the result
        return
    _record(order, intent, report)


def _flag_expiring(order: Order, report: Report) -> None:
    lapses = order.authorised_at + AUTHORISATION_LIFETIME
    when = to_tokyo(lapses).strftime("%Y-%m-%d %H:%M JST")
    text = f"authorised {to_tokyo(order.authorised_at):%Y-%m-%d} and not captured: the hold lapses about {when}"
    # The once-only key shares the webhook events' unique index, written in the same
    # transaction as the note: two passes at once note it once.
    db.session.add(WebhookEvent(id=f"{FLAG_KIND}:{order.payment_intent_id or order.id}", type=FLAG_KIND))
    try:
        db.session.flush()
    except IntegrityError:
        tx.rollback()
        report.noted(order, text + " (flagged before)")
        return
    note = _("The card authorisation lapses about %(date)s: pack the order before then, or cancel it.", date=tokyo_datetime(lapses))
    order.events.append(OrderEvent(status=order.status, note=note))
    tx.commit()
    report.changed(order, text + " — FLAGGED")
