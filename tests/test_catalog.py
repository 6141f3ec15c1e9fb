"""What the public sees: only approved sellers' live listings, filters, search, expiry."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from marketplace import db as tx
from marketplace.catalog import services
from marketplace.catalog.services import CatalogFilter
from marketplace.errors import InvalidTransition, ValidationFailed
from marketplace.timeutil import freeze, now


def ids(f: CatalogFilter) -> set[int]:
    return {listing.id for listing in services.browse(f, limit=100)[0]}


def test_only_live_listings_of_approved_sellers_are_shown(make):
    seller = make.seller()
    live = make.listing(seller)
    paused = make.listing(seller)
    services.change_status(paused, "pause")
    withdrawn = make.listing(seller)
    services.change_status(withdrawn, "withdraw")
    hidden = make.listing(seller)
    hidden.hidden = True
    sold_out = make.listing(seller)
    sold_out.quantity_available = Decimal("0")
    pending = make.listing(make.seller(approved=False))
    tx.commit()
    assert ids(CatalogFilter()) == {live.id}
    for listing in (paused, withdrawn, hidden, sold_out, pending):
        with pytest.raises(Exception):
            services.live_listing(listing.id)


def test_a_catch_stops_being_sold_when_it_expires(make, client):
    freeze(datetime(2026, 11, 25, 3, 0))  # 12:00 in Tokyo
    listing = make.listing()
    # Default: on sale until the end of the next day, Tokyo time (23:59 JST = 14:59 UTC).
    assert listing.available_until == datetime(2026, 11, 26, 14, 59)
    assert client.get(f"/listings/{listing.id}").status_code == 200
    freeze(datetime(2026, 11, 26, 14, 59))
    assert client.get(f"/listings/{listing.id}").status_code == 404
    assert listing.id not in ids(CatalogFilter())


def test_products_do_not_expire(make):
    listing = make.listing(kind="product", species="するめ", unit="piece", quantity="30", best_before="2027-03-31")
    assert listing.available_until is None and listing.caught_at is None
    freeze(now() + timedelta(days=90))
    assert listing.id in ids(CatalogFilter())


def test_filters_and_search(make):
    a = make.seller(name="浜丸", home_port="枝幸")
    b = make.seller(name="北斗丸", home_port="紋別")
    salmon = make.listing(a, species="秋鮭")
    scallop = make.listing(b, species="Scallop", landing_port="紋別", temperature="frozen")
    squid = make.listing(b, kind="product", species="するめ", unit="piece", quantity="5", title={"ja": "枝幸のするめ", "en": "Dried squid"})
    free = make.listing(a, species="ナメタガレイ")
    assert ids(CatalogFilter(kind="product")) == {squid.id}
    assert ids(CatalogFilter(species="chum_salmon")) == {salmon.id}
    assert ids(CatalogFilter(species="ホタテ")) == {scallop.id}
    assert ids(CatalogFilter(species="ナメタガレイ")) == {free.id}  # free text matches what was sent
    assert ids(CatalogFilter(port="monbetsu")) == {scallop.id, squid.id}  # home port by default
    assert ids(CatalogFilter(temperature="frozen")) == {scallop.id}
    assert ids(CatalogFilter(q="salmon")) == {salmon.id}
    assert ids(CatalogFilter(q="さけ")) == {salmon.id}  # kana reading of 秋鮭
    assert ids(CatalogFilter(q="dried SQUID")) == {squid.id}
    assert ids(CatalogFilter(q="北斗丸")) == {scallop.id, squid.id}
    assert ids(CatalogFilter(q="100%")) == set()


def test_keyset_pagination_visits_every_listing_once(make):
    seller = make.seller()
    made = {make.listing(seller).id for _ in range(7)}
    seen, cursor = [], None
    while True:
        page, cursor = services.browse(CatalogFilter(), limit=3, before_id=cursor)
        seen += [listing.id for listing in page]
        if cursor is None:
            break
    assert sorted(seen, reverse=True) == seen and set(seen) == made


def test_relist_copies_an_earlier_listing_in_one_step(make):
    freeze(datetime(2026, 11, 24, 0, 0))
    original = make.listing(price_tiers=[{"min_quantity": "10", "price_jpy": 1500}], photo_keys=["k" * 24])
    freeze(datetime(2026, 11, 25, 0, 0))
    copy = services.relist(original)
    tx.commit()
    assert copy.id != original.id and copy.relisted_from_id == original.id
    assert copy.caught_at == datetime(2026, 11, 25, 0, 0)
    assert copy.quantity_available == original.quantity_listed
    assert [(t.min_quantity, t.price_jpy) for t in copy.price_tiers] == [(Decimal("10"), 1500)]
    assert [p.key for p in copy.photos] == ["k" * 24]


def test_status_moves(make):
    listing = make.listing()
    services.change_status(listing, "pause")
    with pytest.raises(InvalidTransition):
        services.change_status(listing, "pause")
    services.change_status(listing, "resume")
    services.change_status(listing, "withdraw")
    with pytest.raises(InvalidTransition):
        services.change_status(listing, "resume")
    with pytest.raises(InvalidTransition):
        services.update_listing(listing, {"price_jpy": 100})


@pytest.mark.parametrize(
    "field, value",
    [
        ("quantity", "-1"), ("quantity", "0"), ("quantity", "NaN"), ("quantity", "1,5"), ("quantity", "1e3"),
        ("quantity", "12.34"), ("quantity", "9999999"), ("price_jpy", 0), ("price_jpy", -5), ("price_jpy", 12.5),
        ("price_jpy", "1.2e3"), ("price_jpy", True), ("kind", "boat"), ("unit", "ton"), ("temperature", "warm"),
        ("caught_at", "yesterday"), ("available_until", "2020-01-01T00:00:00+09:00"), ("min_order", "100"),
    ],
)
def test_bad_values_are_refused_by_field(make, field, value):
    seller = make.seller()
    with pytest.raises(ValidationFailed) as error:
        services.create_listing(seller, {"kind": "catch", "species": "秋鮭", "unit": "kg", "price_jpy": 1800, "quantity": "10", field: value})
    assert field in error.value.fields


def test_full_width_digits_from_a_japanese_keyboard_are_accepted(make):
    listing = make.listing(price_jpy="１，８００", quantity="１２．５")
    assert listing.price_jpy == 1800 and listing.quantity_available == Decimal("12.5")


def test_pieces_are_whole(make):
    with pytest.raises(ValidationFailed) as error:
        make.listing(unit="piece", quantity="2.5")
    assert "quantity" in error.value.fields


def test_text_is_cleaned_of_invisible_characters(make):
    listing = make.listing(title="Sal\u200bmon \u202eevil", description="<script>alert(1)</script>")
    assert listing.title == {"ja": "Salmon evil"}
    assert listing.description == {"ja": "<script>alert(1)</script>"}  # kept as text, escaped on output
