"""E-mails about orders, queued in the outbox with their cause. The buyer's are written in
the language of the request that placed the order."""

from __future__ import annotations

from ..notifications.services import queue_email
from ..urls import absolute_url
from .models import Order


def tracking_url(order: Order) -> str:
    return absolute_url("orders.track", token=order.tracking_token)


def _to_buyer(order: Order, template: str, **context) -> None:
    queue_email(order.checkout.email, template, locale=order.checkout.locale, order=order, tracking_url=tracking_url(order), **context)


def _to_seller(order: Order, template: str, **context) -> None:
    seller = order.seller
    queue_email(seller.email, template, locale=seller.locale or "ja", order=order, **context)


def order_paid(order: Order) -> None:
    _to_buyer(order, "order_confirmed")
    _to_seller(order, "order_new")


def order_packed(order: Order) -> None:
    _to_buyer(order, "order_packed")


def order_shipped(order: Order) -> None:
    _to_buyer(order, "order_shipped")


def order_delivered(order: Order) -> None:
    _to_buyer(order, "order_delivered")


def order_cancelled(order: Order) -> None:
    _to_buyer(order, "order_cancelled")
    _to_seller(order, "order_cancelled_seller")


def order_refunded(order: Order, amount_jpy: int) -> None:
    _to_buyer(order, "order_refunded", amount_jpy=amount_jpy)
