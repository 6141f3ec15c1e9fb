"""Every (status, action) pair either moves as PRODUCT.md says or is refused."""

import pytest

from marketplace.orders import states as s

EXPECTED = {
    (s.AWAITING_PAYMENT, "pay"): s.PAID,
    (s.PAID, "pack"): s.PACKED,
    (s.PACKED, "ship"): s.SHIPPED,
    (s.SHIPPED, "deliver"): s.DELIVERED,
    (s.AWAITING_PAYMENT, "cancel"): s.CANCELLED,
    (s.PAID, "cancel"): s.CANCELLED,
    (s.PACKED, "cancel"): s.CANCELLED,
}


@pytest.mark.parametrize("status", s.STATUSES)
@pytest.mark.parametrize("action", sorted(s.ACTIONS))
def test_transition_table(status, action):
    assert s.next_status(status, action) == EXPECTED.get((status, action))


def test_unknown_action_is_refused():
    assert s.next_status(s.PAID, "teleport") is None


def test_only_forward_moves():
    assert s.is_forward(s.AWAITING_PAYMENT, s.PAID)
    assert not s.is_forward(s.PACKED, s.PAID)
    assert not s.is_forward(s.CANCELLED, s.PAID)
