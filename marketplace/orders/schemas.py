"""The JSON Schemas of checkouts, orders and their request bodies (the OpenAPI document's,
enforced by the API). What a schema cannot say — stock, steps, dates the sellers can meet, a
known postal code — is stated in words and answered `422` by the services."""

from __future__ import annotations

from ..catalog.serializers import QUANTITY_PATTERN
from ..security import MAX_ID
from ..units import MAX_QUANTITY
from .delivery import LATEST_DAYS, SLOTS
from .services import CARRIERS
from .states import STATUSES

_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_YEN = {"type": "integer", "minimum": 0}
_QUANTITY = {"type": "string", "examples": ["2.5"]}
_WHEN = {"type": "string", "format": "date-time"}
_NULLABLE_TEXT = {"type": ["string", "null"]}


def _text(limit: int, description: str) -> dict:
    return {"type": "string", "maxLength": limit, "description": description}


_quantity_input = {
    "description": 'A decimal string such as `"2.5"` (a number is accepted too), in the '
    "listing's unit: at least its minimum order, in its step (0.1 kg, whole pieces), at most "
    f"{MAX_QUANTITY}; otherwise `422`.",
    "anyOf": [
        {"type": "string", "pattern": QUANTITY_PATTERN},
        {"type": "number", "exclusiveMinimum": 0, "maximum": int(MAX_QUANTITY)},
    ],
}

_delivery = {
    "type": "object",
    "required": ["date", "slot"],
    "properties": {
        "date": {
            "type": "string",
            "format": "date",
            "description": f"A Japan date from tomorrow up to {LATEST_DAYS} days ahead that "
            "every seller in the checkout can meet (`422` otherwise).",
        },
        "slot": {"type": "string", "enum": list(SLOTS), "description": "`am` is 午前中 (before noon)."},
    },
}

_ship_to_input = {
    "type": "object",
    "required": ["name", "postal_code", "prefecture", "city", "address_line1", "phone"],
    "properties": {
        "name": _text(80, "The recipient. Not blank (`422`)."),
        "postal_code": _text(16, "7 digits, with or without a hyphen or 〒 (`422` otherwise)."),
        "prefecture": _text(16, "One of the 47 prefectures, in Japanese or English (`422` otherwise)."),
        "city": _text(80, "City and district. Not blank (`422`)."),
        "address_line1": _text(120, "Block and number. Not blank (`422`)."),
        "address_line2": _text(120, "Building and room."),
        "phone": _text(32, "A Japanese phone number (`422` otherwise)."),
    },
}

CHECKOUT_EXAMPLE = {
    "items": [{"listing_id": 12, "quantity": "2.5"}, {"listing_id": 31, "quantity": "2"}],
    "email": "chef@shiosai.example",
    "ship_to": {
        "name": "鮨 しおさい",
        "postal_code": "104-0061",
        "prefecture": "東京都",
        "city": "中央区銀座",
        "address_line1": "4-1-1",
        "address_line2": "",
        "phone": "03-1234-5678",
    },
    "delivery": {"date": "2026-12-10", "slot": "am"},
}

_line = {
    "type": "object",
    "required": ["id", "listing_id", "title", "unit", "quantity", "quantity_actual", "unit_price_jpy", "total_jpy"],
    "properties": {
        "id": _ID,
        "listing_id": _ID,
        "title": {"type": "string"},
        "unit": {"type": "string", "enum": ["kg", "piece"]},
        "quantity": _QUANTITY,
        "quantity_actual": {"type": ["string", "null"], "description": "Set when the seller packs."},
        "unit_price_jpy": _YEN,
        "total_jpy": {**_YEN, "description": "quantity (the actual one once packed) × unit price, to the yen."},
    },
}

_shipment = {
    "type": "object",
    "required": ["carrier", "tracking_number", "tracking_url", "shipped_at"],
    "properties": {
        "carrier": {"type": "string", "enum": list(CARRIERS)},
        "tracking_number": _NULLABLE_TEXT,
        "tracking_url": {"type": "string", "format": "uri"},
        "shipped_at": {"type": ["string", "null"], "format": "date-time"},
    },
}

_event = {
    "type": "object",
    "required": ["status", "at", "note"],
    "properties": {"status": {"type": "string", "enum": list(STATUSES)}, "at": _WHEN, "note": _NULLABLE_TEXT},
}

_delivery_out = {
    "type": "object",
    "required": ["date", "slot"],
    "properties": {"date": {"type": "string", "format": "date"}, "slot": {"type": "string", "enum": list(SLOTS)}},
}

_status = {"type": "string", "enum": list(STATUSES)}

SCHEMAS = {
    "CheckoutCreate": {
        "type": "object",
        "required": ["items", "email", "ship_to", "delivery"],
        "description": "Unknown fields are ignored.",
        "properties": {
            "items": {
                "type": "array",
                "minItems": 1,
                "maxItems": 50,
                "description": "Listings that are on sale, with enough left (`409 out_of_stock` "
                "otherwise); an unknown or no longer listed one is `422`.",
                "items": {
                    "type": "object",
                    "required": ["listing_id", "quantity"],
                    "properties": {"listing_id": _ID, "quantity": _quantity_input},
                },
            },
            "email": _text(254, "Where the confirmation goes: a valid address (`422` otherwise)."),
            "ship_to": _ship_to_input,
            "delivery": _delivery,
            "gift_message": _text(500, "Printed on the delivery slip."),
        },
    },
    "PaymentRequest": {
        "type": "object",
        "description": "Empty (or no body) to go on after 3-D Secure.",
        "properties": {
            "payment_method": {
                "type": "string",
                "pattern": "^pm_[A-Za-z0-9_]{1,250}$",
                "description": "A PaymentMethod id; one Stripe does not know is `402`.",
            }
        },
    },
    "PackRequest": {
        "type": "object",
        "description": "The weighed or counted quantity of each line; lines not named keep the "
        "ordered quantity. Off the unit's step, or a line of another order, is `422`.",
        "properties": {
            "lines": {
                "type": "array",
                "maxItems": 100,
                "items": {
                    "type": "object",
                    "required": ["id", "quantity_actual"],
                    "properties": {
                        "id": _ID,
                        "quantity_actual": {
                            "anyOf": [
                                {"type": "string", "pattern": QUANTITY_PATTERN},
                                {"type": "number", "minimum": 0, "maximum": int(MAX_QUANTITY)},
                            ]
                        },
                    },
                },
            }
        },
    },
    "ShipRequest": {
        "type": "object",
        "required": ["carrier"],
        "properties": {
            "carrier": {"type": "string", "enum": list(CARRIERS)},
            "tracking_number": {
                "type": "string",
                "maxLength": 64,
                "description": "Letters, digits and hyphens; required but for `local` (`422`).",
            },
        },
    },
    "CancelRequest": {"type": "object", "properties": {"reason": _text(500, "Shown to the buyer.")}},
    "RefundRequest": {
        "type": "object",
        "required": ["amount_jpy"],
        "properties": {
            "amount_jpy": {"type": "integer", "minimum": 1, "maximum": 10**8},
            "reason": _text(500, "Shown to the buyer."),
        },
    },
    "OrderLine": _line,
    "Order": {
        "type": "object",
        "required": [
            "id", "number", "status", "seller", "lines", "subtotal_jpy", "shipping_jpy", "total_jpy",
            "authorised_jpy", "captured_jpy", "refunded_jpy", "delivery", "shipments", "events", "tracking_url",
        ],
        "properties": {
            "id": _ID,
            "number": {"type": "string", "examples": ["HM-261207-00042"]},
            "status": _status,
            "seller": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {"id": _ID, "name": _NULLABLE_TEXT},
            },
            "lines": {"type": "array", "items": {"$ref": "#/components/schemas/OrderLine"}},
            "subtotal_jpy": _YEN,
            "shipping_jpy": _YEN,
            "total_jpy": _YEN,
            "authorised_jpy": {**_YEN, "description": "What the card is held for: the estimate plus a margin for weighed fish."},
            "captured_jpy": _YEN,
            "refunded_jpy": _YEN,
            "delivery": _delivery_out,
            "shipments": {"type": "array", "items": _shipment},
            "events": {"type": "array", "items": _event},
            "tracking_url": {"type": "string", "format": "uri"},
        },
    },
    "OrderPage": {
        "type": "object",
        "required": ["items", "next"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Order"}},
            "next": _NULLABLE_TEXT,
        },
    },
    "Checkout": {
        "type": "object",
        "required": ["id", "status", "orders", "authorise_jpy", "expires_at"],
        "properties": {
            "id": _ID,
            "status": {"type": "string", "enum": ["awaiting_payment", "paid", "expired"]},
            "orders": {"type": "array", "items": {"$ref": "#/components/schemas/Order"}},
            "authorise_jpy": _YEN,
            "expires_at": _WHEN,
            "payment": {
                "type": "object",
                "required": ["publishable_key", "setup_intent_client_secret", "stripe_js_url"],
                "properties": {
                    "publishable_key": {"type": "string"},
                    "setup_intent_client_secret": _NULLABLE_TEXT,
                    "stripe_js_url": {"type": "string"},
                },
            },
        },
    },
    "PayResult": {
        "type": "object",
        "required": ["status"],
        "properties": {
            "status": {"type": "string", "enum": ["paid", "requires_action"]},
            "orders": {
                "type": "array",
                "items": {"type": "object", "required": ["id", "status"], "properties": {"id": _ID, "status": _status}},
            },
            "client_secret": {"type": "string", "description": "With `requires_action`: for Stripe.js's 3-D Secure step."},
        },
    },
    "Tracking": {
        "type": "object",
        "description": "No money: no key mentions a price, total or amount.",
        "required": ["number", "status", "seller", "lines", "delivery", "shipments", "events"],
        "properties": {
            "number": {"type": "string"},
            "status": _status,
            "seller": {"type": "object", "required": ["name"], "properties": {"name": _NULLABLE_TEXT}},
            "lines": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["title", "unit", "quantity", "quantity_actual"],
                    "properties": {
                        "title": {"type": "string"},
                        "unit": {"type": "string"},
                        "quantity": _QUANTITY,
                        "quantity_actual": {"type": ["string", "null"]},
                    },
                },
            },
            "delivery": _delivery_out,
            "shipments": {"type": "array", "items": _shipment},
            "events": {"type": "array", "items": _event},
        },
    },
}
