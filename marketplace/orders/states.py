"""The order state machine (PRODUCT.md):

    awaiting_payment → paid (authorised) → packed (weights confirmed, captured) → shipped → delivered

`cancelled` is reachable from every status before `shipped`. Anything else is refused with
InvalidTransition. A pure table, testable without a database.
"""

from __future__ import annotations

AWAITING_PAYMENT = "awaiting_payment"
PAID = "paid"
PACKED = "packed"
SHIPPED = "shipped"
DELIVERED = "delivered"
CANCELLED = "cancelled"

STATUSES = (AWAITING_PAYMENT, PAID, PACKED, SHIPPED, DELIVERED, CANCELLED)

# action -> (statuses it may start from, status it leads to)
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "pay": (frozenset({AWAITING_PAYMENT}), PAID),
    "pack": (frozenset({PAID}), PACKED),
    "ship": (frozenset({PACKED}), SHIPPED),
    "deliver": (frozenset({SHIPPED}), DELIVERED),
    "cancel": (frozenset({AWAITING_PAYMENT, PAID, PACKED}), CANCELLED),
}


def next_status(status: str, action: str) -> str | None:
    """The status `action` leads to from `status`, or None when the move is not allowed."""
    allowed, target = ACTIONS.get(action, (frozenset(), None))
    return target if status in allowed else None


def is_forward(current: str, candidate: str) -> bool:
    """Events arrive out of order: only ever move an order forward along the happy path."""
    order = (AWAITING_PAYMENT, PAID, PACKED, SHIPPED, DELIVERED)
    if current == CANCELLED or candidate not in order or current not in order:
        return False
    return order.index(candidate) > order.index(current)
