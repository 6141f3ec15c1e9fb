"""Yen and consumption tax. Prices are integer yen, tax included (総額表示).

Rounding: tax contained in a tax-inclusive amount is computed once per rate over the sum of
the lines at that rate and rounded down to the yen (切り捨て), as qualified invoices allow.
"""

from __future__ import annotations

from decimal import Decimal

FOOD_RATE = 8
STANDARD_RATE = 10
MAX_PRICE_JPY = 10_000_000


def tax_included_in(total_jpy: int, rate_percent: int) -> int:
    """The consumption tax contained in a tax-inclusive amount, rounded down."""
    return int(Decimal(total_jpy) * rate_percent // (100 + rate_percent))
