"""pytest plugin: `localstripe`, a session-wide fake Stripe API for payment tests.

It runs the same launcher as `flask demo run` (`python -m marketplace.demo.localstripe_server`)
in a process of its own, on a free 127.0.0.1 port handed over as a listening socket, with its
data in memory only. The fixture yields the base URL once the server answers, e.g. for
`stripe.StripeClient(key, base_addresses={"api": localstripe})` or `STRIPE_API_BASE`, and
stops the server (and anything it started) at the end of the session.
"""

from __future__ import annotations

import pytest

from marketplace.demo import local_shop
from marketplace.demo.loopback import listening_socket


@pytest.fixture(scope="session")
def localstripe():
    child, base = local_shop.start_localstripe(listening_socket(0))
    try:
        yield base
    finally:
        child.stop()
