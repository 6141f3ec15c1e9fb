"""Listings as the API shows them and takes them: `listing_json`, and the JSON Schemas of the
listing, its page and its request bodies (the OpenAPI document's, enforced by the API)."""

from __future__ import annotations

from datetime import datetime

from ..i18n import pick
from ..money import MAX_PRICE_JPY
from ..timeutil import to_tokyo
from ..units import MAX_QUANTITY, format_quantity
from ..urls import absolute_url
from .models import KINDS, STATUSES, TEMPERATURES, Listing
from .validation import LANGS, MAX_DESCRIPTION, MAX_TIERS, MAX_TITLE

UNITS = ("kg", "piece")


def _when(value: datetime | None) -> str | None:
    """ISO 8601 with the Tokyo offset, to the second."""
    return to_tokyo(value).replace(microsecond=0).isoformat() if value else None


def listing_json(listing: Listing) -> dict:
    profile = listing.seller.seller
    return {
        "id": listing.id,
        "kind": listing.kind,
        "status": listing.status,
        "title": pick(listing.title),
        "titles": dict(listing.title or {}),
        "description": pick(listing.description),
        "descriptions": dict(listing.description or {}),
        "species": listing.species_name,
        "species_code": listing.species_code,
        "unit": listing.unit,
        "price_jpy": listing.price_jpy,
        "quantity_available": format_quantity(listing.quantity_available, listing.unit),
        "min_order": format_quantity(listing.min_order, listing.unit),
        "temperature": listing.temperature,
        "caught_at": _when(listing.caught_at),
        "landing_port": listing.landing_port,
        "landing_port_code": listing.landing_port_code,
        "method": listing.method,
        "available_until": _when(listing.available_until),
        "best_before": listing.best_before.isoformat() if listing.best_before else None,
        "seller": {
            "id": listing.seller_id,
            "name": profile.name if profile else None,
            "port": profile.home_port if profile else None,
        },
        "photos": [absolute_url("media.photo", name=f"{p.key}-large.webp") for p in listing.photos],
        "price_tiers": [
            {
                "min_quantity": format_quantity(t.min_quantity, listing.unit),
                "price_jpy": t.price_jpy,
            }
            for t in listing.price_tiers
        ],
        "url": absolute_url("catalog.listing", listing_id=listing.id),
    }


# --- JSON Schemas --------------------------------------------------------------------------

_digits = len(str(int(MAX_QUANTITY)))
QUANTITY_PATTERN = rf"^[0-9]{{1,{_digits}}}(\.[0-9]{{1,3}})?$"
_QUANTITY_RULES = (
    f"At most {MAX_QUANTITY} and in the unit's step (0.1 kg, whole pieces); "
    "off-step or too large is `422`."
)


def _quantity_input(description: str, *, minimum: int) -> dict:
    return {
        "description": f'{description} A decimal string such as `"2.5"` (a whole number is '
        f"accepted too). {_QUANTITY_RULES}",
        "anyOf": [
            {"type": "string", "pattern": QUANTITY_PATTERN, "examples": ["2.5"]},
            {"type": "integer", "minimum": minimum, "maximum": int(MAX_QUANTITY)},
        ],
    }


def _text_input(limit: int, what: str) -> dict:
    return {
        "description": f"{what}: a string (in the request's language) or one per language. "
        "Invisible and control characters are removed.",
        "anyOf": [
            {"type": "string", "maxLength": limit},
            {
                "type": "object",
                "properties": {lang: {"type": "string", "maxLength": limit} for lang in LANGS},
                "additionalProperties": False,
                "minProperties": 1,
                "examples": [{"ja": "秋鮭", "en": "Chum salmon"}],
            },
            {"type": "null"},
        ],
    }


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


PRICE = {
    "type": "integer",
    "minimum": 1,
    "maximum": MAX_PRICE_JPY,
    "description": "Yen, tax included.",
}
WHEN = {"type": "string", "format": "date-time"}

_tier_input = {
    "type": "object",
    "required": ["min_quantity", "price_jpy"],
    "properties": {
        "min_quantity": _quantity_input("From this quantity upwards…", minimum=1),
        "price_jpy": {**PRICE, "description": "…the unit price is this."},
    },
}

_listing_fields = {
    "kind": {"type": "string", "enum": list(KINDS)},
    "title": _text_input(MAX_TITLE, "The title (default: the species' name)"),
    "description": _text_input(MAX_DESCRIPTION, "The description"),
    "species": {
        **_nullable({"type": "string", "maxLength": 120}),
        "description": "Free text; a known species' Japanese or English name, or its code, "
        "is linked to it (`species_code`).",
    },
    "unit": {"type": "string", "enum": list(UNITS)},
    "price_jpy": PRICE,
    "quantity": _quantity_input("The quantity on sale.", minimum=0),
    "min_order": {
        "anyOf": [
            _quantity_input("The smallest quantity one order may take.", minimum=1),
            {"type": "null"},
        ],
        "description": "Default: one step of the unit.",
    },
    "temperature": {**_nullable({"type": "string", "enum": list(TEMPERATURES)})},
    "caught_at": {
        **_nullable(WHEN),
        "description": "Not in the future, nor before 2000 (`422`). Default for a catch: now.",
    },
    "landing_port": {
        **_nullable({"type": "string", "maxLength": 80}),
        "description": "Free text; a known port is linked (`landing_port_code`). Default: the "
        "seller's home port.",
    },
    "method": _nullable({"type": "string", "maxLength": 80}),
    "available_until": {
        **_nullable(WHEN),
        "description": "In the future and within 60 days (`422`). Default for a catch: the "
        "end of tomorrow, Japan time.",
    },
    "best_before": {
        **_nullable({"type": "string", "format": "date"}),
        "description": "A date in the years 2000 to 2100 (`422`).",
    },
    "price_tiers": {
        "anyOf": [
            {"type": "array", "maxItems": MAX_TIERS, "items": _tier_input},
            {"type": "null"},
        ],
        "description": "Bulk prices: below the first tier `price_jpy` applies. Replaces the "
        "listing's tiers; `[]` or `null` removes them.",
    },
}

CREATE_EXAMPLE = {
    "kind": "catch",
    "title": {"ja": "秋鮭 オス 3尾", "en": "Chum salmon, 3 males"},
    "species": "秋鮭",
    "unit": "kg",
    "price_jpy": 1800,
    "quantity": "12.5",
    "min_order": "2",
    "temperature": "chilled",
    "landing_port": "枝幸",
    "method": "定置網",
    "price_tiers": [{"min_quantity": "10", "price_jpy": 1600}],
}
UPDATE_EXAMPLE = {"quantity": "8", "price_jpy": 1700, "status": "paused"}

SCHEMAS = {
    "ListingCreate": {
        "type": "object",
        "description": "Unknown fields are ignored; server-owned fields (`id`, `seller`, "
        "`status`, …) are never set from the body. A title or a species is needed.",
        "required": ["kind", "unit", "price_jpy", "quantity"],
        "properties": {
            **_listing_fields,
            "quantity": _quantity_input("The quantity on sale (above zero).", minimum=1),
        },
    },
    "ListingUpdate": {
        "type": "object",
        "description": "Only the fields present change. `status` pauses (`paused`) or resumes "
        "(`active`) the listing. A new `unit` needs the quantities kept from before to fit it "
        "(`422` on `unit`). Unknown fields are ignored.",
        "properties": {
            **_listing_fields,
            "status": {"type": "string", "enum": ["active", "paused"]},
        },
    },
    "Listing": {
        "type": "object",
        "required": [
            "id",
            "kind",
            "status",
            "title",
            "titles",
            "description",
            "descriptions",
            "species",
            "species_code",
            "unit",
            "price_jpy",
            "quantity_available",
            "min_order",
            "temperature",
            "caught_at",
            "landing_port",
            "landing_port_code",
            "method",
            "available_until",
            "best_before",
            "seller",
            "photos",
            "price_tiers",
            "url",
        ],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": list(KINDS)},
            "status": {"type": "string", "enum": list(STATUSES)},
            "title": {"type": "string", "description": "In the request's language."},
            "titles": {"type": "object", "additionalProperties": {"type": "string"}},
            "description": {"type": "string"},
            "descriptions": {"type": "object", "additionalProperties": {"type": "string"}},
            "species": {"type": ["string", "null"]},
            "species_code": {"type": ["string", "null"]},
            "unit": {"type": "string", "enum": list(UNITS)},
            "price_jpy": {"type": "integer", "minimum": 1},
            "quantity_available": {
                "type": "string",
                "pattern": r"^[0-9]+(\.[0-9])?$",
                "description": "What can be ordered now (stock held by reservations left out).",
            },
            "min_order": {"type": "string", "pattern": r"^[0-9]+(\.[0-9])?$"},
            "temperature": {"type": "string", "enum": list(TEMPERATURES)},
            "caught_at": {"type": ["string", "null"], "format": "date-time"},
            "landing_port": {"type": ["string", "null"]},
            "landing_port_code": {"type": ["string", "null"]},
            "method": {"type": ["string", "null"]},
            "available_until": {"type": ["string", "null"], "format": "date-time"},
            "best_before": {"type": ["string", "null"], "format": "date"},
            "seller": {
                "type": "object",
                "required": ["id", "name", "port"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {
                        "type": ["string", "null"],
                        "description": "Null before the seller fills in a profile.",
                    },
                    "port": {"type": ["string", "null"]},
                },
            },
            "photos": {"type": "array", "items": {"type": "string", "format": "uri"}},
            "price_tiers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["min_quantity", "price_jpy"],
                    "properties": {
                        "min_quantity": {"type": "string", "pattern": r"^[0-9]+(\.[0-9])?$"},
                        "price_jpy": {"type": "integer", "minimum": 1},
                    },
                },
            },
            "url": {"type": "string", "format": "uri", "description": "The listing's page."},
        },
    },
    "ListingPage": {
        "type": "object",
        "required": ["items", "next"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Listing"}},
            "next": {
                "type": ["string", "null"],
                "description": "Pass back as `?cursor=` for the next page; null on the last.",
            },
        },
    },
}
