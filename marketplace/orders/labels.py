"""Translated names of order statuses and delivery slots, for templates and e-mails."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .address import postal_code
from .delivery import SLOTS

STATUS_LABELS = {
    "awaiting_payment": _l("Awaiting payment"),
    "paid": _l("Paid — being prepared"),
    "packed": _l("Packed"),
    "shipped": _l("Shipped"),
    "delivered": _l("Delivered"),
    "cancelled": _l("Cancelled"),
}


CARRIER_LABELS = {
    "yamato": _l("Yamato Transport"),
    "sagawa": _l("Sagawa Express"),
    "japanpost": _l("Japan Post"),
    "local": _l("Local delivery"),
}


def order_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def delivery_slot_label(slot: str) -> str:
    return str(SLOTS.get(slot, slot))


def carrier_label(carrier: str) -> str:
    return str(CARRIER_LABELS.get(carrier, carrier))


def postal_label(text: str | None) -> str:
    """'1000001' (or what the buyer typed) -> '〒100-0001'."""
    code = postal_code(text) or (text or "")
    return f"〒{code[:3]}-{code[3:]}" if len(code) == 7 else f"〒{code}"


def init_app(app) -> None:
    app.jinja_env.globals.update(
        order_status_label=order_status_label, delivery_slot_label=delivery_slot_label, carrier_label=carrier_label,
        postal_label=postal_label,
    )
