"""Quantities: `Decimal` kilograms or pieces, parsed strictly and stored exactly.

In the database a quantity is a whole number of thousandths (grams for kg), so arithmetic in
conditional UPDATEs and CHECK constraints is exact on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator

KG = "kg"
PIECE = "piece"
UNITS = (KG, PIECE)
STEP = {KG: Decimal("0.1"), PIECE: Decimal("1")}
MAX_QUANTITY = Decimal("100000")
_SCALE = 1000


class BadQuantity(ValueError):
    """The text is not a usable quantity; the message says why (not translated here)."""


def parse_quantity(raw: object, unit: str, *, allow_zero: bool = False) -> Decimal:
    """Parse a quantity in `unit` from user input: '2.5', 2.5, '3'. Refuses commas, NaN,
    infinities, exponents, negatives and values off the unit's step (0.1 kg, 1 piece)."""
    if raw is None or isinstance(raw, bool):
        raise BadQuantity("missing")
    text = unicodedata.normalize("NFKC", str(raw)).strip()  # full-width digits from IMEs
    if not text or any(c not in "0123456789." for c in text) or text.count(".") > 1:
        raise BadQuantity("not_a_number")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the character check catches these
        raise BadQuantity("not_a_number") from exc
    if value > MAX_QUANTITY:
        raise BadQuantity("too_large")
    if value == 0 and not allow_zero:
        raise BadQuantity("not_positive")
    step = STEP[unit]
    if value % step != 0:
        raise BadQuantity("step")
    return value.quantize(step)


def format_quantity(value: Decimal, unit: str) -> str:
    """'2.5', '12' — what the API and forms show."""
    return str(Decimal(value).quantize(STEP[unit]))


def round_yen(value: Decimal) -> int:
    """Half-up to the yen (the documented rounding for line totals)."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


class Quantity(TypeDecorator):
    """A Decimal stored as integer thousandths."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        scaled = Decimal(value) * _SCALE
        if scaled != scaled.to_integral_value():
            raise ValueError(f"quantity {value} has more than 3 decimals")
        return int(scaled)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(value) / _SCALE).quantize(Decimal("0.001"))
