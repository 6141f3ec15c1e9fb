"""`POST /stripe/webhook`: Stripe tells us what happened to a PaymentIntent.

Thin: verify the signature on the raw body (5-minute tolerance), then hand the event to
`services.handle_event`, which re-reads the PaymentIntent, moves the order forward only, and
stores the event id in the same transaction (duplicates act once). Signed by Stripe instead
of carrying a CSRF token, this is the one CSRF-exempt form-less POST.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request

from ..access import public
from ..extensions import csrf
from . import gateway, services

log = logging.getLogger(__name__)
bp = Blueprint("stripe_webhooks", __name__)

# Stripe's events are a few kilobytes; nothing legitimate comes near this.
MAX_BODY_BYTES = 512 * 1024


def _text(body: str, status: int) -> Response:
    return Response(body + "\n", status=status, mimetype="text/plain")


@bp.route("/stripe/webhook", methods=["POST"])
@csrf.exempt
@public
def stripe_webhook():
    request.max_content_length = MAX_BODY_BYTES
    try:
        event = gateway.parse_event(request.get_data(cache=False), request.headers.get("Stripe-Signature"))
    except gateway.GatewayError:
        return _text("bad signature", 400)
    try:
        outcome = services.handle_event(event)
    except gateway.Unavailable:
        log.warning("stripe webhook %s (%s): Stripe unreachable, asking for a retry", event.id, event.type)
        return _text("try again later", 503)
    except gateway.GatewayError:  # Stripe refused to show it: a retry would not help; reconcile settles it
        log.warning("stripe webhook %s (%s): the PaymentIntent could not be read", event.id, event.type)
        return _text("left to reconcile", 200)
    log.info("stripe webhook %s (%s): %s", event.id, event.type, outcome)
    return _text(outcome, 200)
