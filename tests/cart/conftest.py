"""Builders for the cart and checkout tests: two sellers, a fish sold by weight and a
souvenir sold by the piece, and the checkout form filled in as a buyer would."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

from marketplace.timeutil import tokyo_today

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


@pytest.fixture
def shop(make):
    fisher = make.seller(name="浜丸水産")
    processor = make.seller(name="北の干物屋", kind="processor")
    salmon = make.listing(fisher, species="秋鮭", title={"ja": "朝獲れ秋鮭", "en": "Morning chum salmon"},
                          unit="kg", price_jpy=2000, quantity="3.0", min_order="0.5")
    squid = make.listing(processor, kind="product", species="するめ", title={"ja": "するめ", "en": "Dried squid"},
                         unit="piece", price_jpy=1200, quantity="5", temperature="ambient")
    return SimpleNamespace(fisher=fisher, processor=processor, salmon=salmon, squid=squid)


def add(client, listing, quantity, **kwargs):
    return client.post("/cart/items", data={"listing_id": str(listing.id), "quantity": quantity}, **kwargs)


def delivery_day(days: int = 3) -> str:
    return (tokyo_today() + timedelta(days=days)).isoformat()


def details(**changes) -> dict:
    data = {
        "email": "tourist@example.com",
        "name": "Ada Lovelace",
        "postal_code": "100-0001",
        "prefecture": "東京都",
        "city": "千代田区千代田",
        "address_line1": "1-1",
        "address_line2": "",
        "phone": "090-1234-5678",
        "delivery_date": delivery_day(),
        "delivery_slot": "14-16",
        "gift_message": "",
    }
    data.update(changes)
    return data


def hidden_fields(html: str) -> dict:
    return {name: value for name, value in HIDDEN.findall(html)}


def review(client, headers=None, **changes):
    return client.post("/checkout", data={**details(**changes), "action": "review"}, headers=headers)


def place(client, headers=None, **changes):
    """Review, then confirm with exactly what the confirmation screen carries."""
    page = review(client, headers=headers, **changes)
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    fields = hidden_fields(page.get_data(as_text=True))
    return client.post("/checkout", data={**fields, "action": "place"}, headers=headers)
