"""Orders and checkouts as the API shows them."""

from __future__ import annotations

from ..timeutil import isoformat
from ..units import format_quantity
from ..urls import absolute_url
from .models import Checkout, Order
from .services import CARRIERS


def shipment_json(order: Order, shipment) -> dict:
    template = CARRIERS.get(shipment.carrier)
    if template and shipment.tracking_number:
        url = template.format(number=shipment.tracking_number)
    else:
        url = absolute_url("orders.track", token=order.tracking_token)
    return {
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "tracking_url": url,
        "shipped_at": isoformat(shipment.shipped_at),
    }


def _events(order: Order) -> list[dict]:
    return [{"status": e.status, "at": isoformat(e.at), "note": e.note} for e in order.events]


def order_json(order: Order) -> dict:
    profile = order.seller.seller
    return {
        "id": order.id,
        "number": order.number,
        "status": order.status,
        "seller": {"id": order.seller_id, "name": profile.name if profile else None},
        "lines": [
            {
                "id": line.id,
                "listing_id": line.listing_id,
                "title": line.title,
                "unit": line.unit,
                "quantity": format_quantity(line.quantity, line.unit),
                "quantity_actual": format_quantity(line.quantity_actual, line.unit) if line.quantity_actual is not None else None,
                "unit_price_jpy": line.unit_price_jpy,
                "total_jpy": line.total_jpy,
            }
            for line in order.lines
        ],
        "subtotal_jpy": order.subtotal_jpy,
        "shipping_jpy": order.shipping_jpy,
        "total_jpy": order.total_jpy,
        "authorised_jpy": order.authorised_jpy,
        "captured_jpy": order.captured_jpy,
        "refunded_jpy": order.refunded_jpy,
        "delivery": {"date": order.checkout.delivery_date.isoformat(), "slot": order.checkout.delivery_slot},
        "shipments": [shipment_json(order, s) for s in order.shipments],
        "events": _events(order),
        "tracking_url": absolute_url("orders.track", token=order.tracking_token),
    }


def tracking_json(order: Order) -> dict:
    """What whoever holds the tracking link may see: no money at all."""
    profile = order.seller.seller
    return {
        "number": order.number,
        "status": order.status,
        "seller": {"name": profile.name if profile else None},
        "lines": [
            {
                "title": line.title,
                "unit": line.unit,
                "quantity": format_quantity(line.quantity, line.unit),
                "quantity_actual": format_quantity(line.quantity_actual, line.unit) if line.quantity_actual is not None else None,
            }
            for line in order.lines
        ],
        "delivery": {"date": order.checkout.delivery_date.isoformat(), "slot": order.checkout.delivery_slot},
        "shipments": [shipment_json(order, s) for s in order.shipments],
        "events": _events(order),
    }


def checkout_json(checkout: Checkout, payment: dict | None = None) -> dict:
    body = {
        "id": checkout.id,
        "status": checkout.status,
        "orders": [order_json(order) for order in checkout.orders],
        "authorise_jpy": checkout.authorise_jpy,
        "expires_at": isoformat(checkout.expires_at),
    }
    if payment is not None:
        body["payment"] = payment
    return body
