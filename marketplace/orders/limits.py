"""Rate limits that the checkout pages and the JSON API share: a checkout is one thing, whichever
door it is paid through."""

from __future__ import annotations

from flask import request

from ..extensions import limiter

CARD_ATTEMPTS = "5 per hour"  # declined cards per checkout, pages and API together (API.md)


def checkout_key() -> str:
    return f"checkout:{request.view_args.get('checkout_id')}"


card_attempts = limiter.shared_limit(
    CARD_ATTEMPTS,
    scope="card-attempts",
    key_func=checkout_key,
    deduct_when=lambda response: response.status_code == 402,  # only declines count
)
