"""The same fish is never sold twice: buyers racing for the last stock on PostgreSQL.

Each thread has its own app context, hence its own database session and connection; a barrier
releases them together. SQLite serialises writers anyway, so these run on PostgreSQL only
(TEST_DATABASE_URL, as CI sets it)."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest

from marketplace import db as tx
from marketplace.catalog.models import Listing
from marketplace.errors import OutOfStock
from marketplace.extensions import db
from marketplace.inventory.models import Reservation
from marketplace.orders import checkout as checkouts
from marketplace.orders.models import Order
from marketplace.timeutil import tokyo_today

from ..conftest import PG_URL

needs_postgres = pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")


def _data(items: list[tuple[int, str]], n: int) -> dict:
    return {
        "items": [{"listing_id": listing_id, "quantity": quantity} for listing_id, quantity in items],
        "email": f"buyer{n}@example.jp",
        "ship_to": {
            "name": "買い手", "postal_code": "1000001", "prefecture": "東京都", "city": "千代田区",
            "address_line1": "1-1", "phone": "0312345678",
        },
        "delivery": {"date": (tokyo_today() + timedelta(days=3)).isoformat(), "slot": "am"},
    }


def race(app, listing_id: int | None, quantity: str, buyers: int, cart=None) -> tuple[int, int, list]:
    """`buyers` threads check out `quantity` of the listing at once (or `cart(n)`'s items)."""
    cart = cart or (lambda n: [(listing_id, quantity)])
    barrier = threading.Barrier(buyers)
    outcomes: list = []
    lock = threading.Lock()

    def buy(n: int):
        with app.app_context():
            barrier.wait()
            try:
                checkouts.create_checkout(buyer=None, guest_key=f"g{n}", data=_data(cart(n), n), locale="ja")
                tx.commit()
                result = "ok"
            except OutOfStock:
                tx.rollback()
                result = "sold_out"
            except Exception as error:  # noqa: BLE001 - recorded and asserted below
                tx.rollback()
                result = error
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(buyers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    wins = sum(1 for o in outcomes if o == "ok")
    sold_out = sum(1 for o in outcomes if o == "sold_out")
    return wins, sold_out, [o for o in outcomes if o not in ("ok", "sold_out")]


@pytest.mark.postgres
@needs_postgres
def test_twenty_buyers_for_the_last_five_pieces(app, make):
    listing_id = make.listing(kind="product", species="するめ", unit="piece", quantity="5", price_jpy=800).id
    db.session.remove()
    wins, sold_out, errors = race(app, listing_id, "1", 20)
    assert errors == []
    assert (wins, sold_out) == (5, 15)
    assert db.session.get(Listing, listing_id).quantity_available == Decimal("0")
    assert Order.query.count() == 5
    assert Reservation.query.count() == 5


@pytest.mark.postgres
@needs_postgres
def test_two_buyers_for_two_kilos_of_three(app, make):
    listing_id = make.listing(unit="kg", quantity="3.0", price_jpy=2000).id
    db.session.remove()
    wins, sold_out, errors = race(app, listing_id, "2.0", 2)
    assert errors == []
    assert (wins, sold_out) == (1, 1)
    assert db.session.get(Listing, listing_id).quantity_available == Decimal("1.0")


@pytest.mark.postgres
@needs_postgres
def test_carts_naming_the_same_listings_in_any_order_never_deadlock(app, make):
    """Half the buyers list A then B, the others B then A: every checkout goes through."""
    a = make.listing(kind="product", species="するめ", unit="piece", quantity="100", price_jpy=800).id
    b = make.listing(kind="product", species="昆布", unit="piece", quantity="100", price_jpy=900).id
    db.session.remove()
    wins, sold_out, errors = race(app, None, "", 20, cart=lambda n: [(a, "1"), (b, "1")][:: 1 if n % 2 else -1])
    assert errors == []
    assert (wins, sold_out) == (20, 0)
    assert db.session.get(Listing, a).quantity_available == db.session.get(Listing, b).quantity_available == 80


def test_stock_can_never_go_negative(app, make):
    """The CHECK constraint holds even against a careless direct update (on both databases)."""
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    listing = make.listing(kind="product", species="するめ", unit="piece", quantity="1")
    with pytest.raises(IntegrityError):
        db.session.execute(update(Listing).where(Listing.id == listing.id).values(quantity_available=Listing.quantity_available - Decimal("2")))
        db.session.flush()
    tx.rollback()
