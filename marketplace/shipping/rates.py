from __future__ import annotations

from collections.abc import Iterable

# Cool delivery (chilled 0-10 °C or frozen ≤ -15 °C) costs more than ambient parcels.
FEE_JPY = {"ambient": 900, "chilled": 1500, "frozen": 1500}


def order_fee(temperatures: Iterable[str]) -> int:
    """One parcel per seller order, at the rate of its coldest class."""
    return max((FEE_JPY[t] for t in temperatures), default=0)
