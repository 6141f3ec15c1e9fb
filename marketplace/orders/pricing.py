"""Prices of order lines and the amount to authorise. Pure functions, integer yen.

- A line's unit price is the listing's price, or the price of the highest tier whose
  `min_quantity` the quantity reaches.
- A line's total is quantity × unit price, rounded half-up to the yen.
- Catch sold by weight is weighed later: the card is authorised for the estimate plus a margin
  (default 10 %, rounded up to the yen) so the weighed amount can be captured; lines sold by the
  piece and shipping are authorised as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_CEILING, Decimal

from ..units import round_yen


def unit_price(base_price: int, tiers: Iterable[tuple[Decimal, int]], quantity: Decimal) -> int:
    price = base_price
    for min_quantity, tier_price in sorted(tiers):
        if quantity >= min_quantity:
            price = tier_price
    return price


def line_total(quantity: Decimal, price: int) -> int:
    return round_yen(Decimal(quantity) * price)


def authorisation(weighed_jpy: int, fixed_jpy: int, shipping_jpy: int, margin_percent: int) -> int:
    """What to authorise: the by-weight part with its margin, plus everything else."""
    with_margin = (Decimal(weighed_jpy) * (100 + margin_percent) / 100).to_integral_value(ROUND_CEILING)
    return int(with_margin) + fixed_jpy + shipping_jpy
