"""Builders for tests. Each builds through the services and flushes (no commit side effects)."""

from __future__ import annotations

import itertools

from marketplace import db as tx
from marketplace.accounts import services as accounts
from marketplace.catalog import services as catalog

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def user(role: str = "customer", email: str | None = None, **kwargs):
    made = accounts.create_user(email or f"{role}{next(_seq)}@example.jp", PASSWORD, role, **kwargs)
    tx.commit()
    return made


def admin(**kwargs):
    return user("admin", **kwargs)


def seller(
    name: str = "第八 浜丸",
    *,
    approved: bool = True,
    kind: str = "fisher",
    home_port: str = "枝幸",
    boat_name: str = "浜丸",
    fishing_method: str = "定置網",
    **kwargs,
):
    made = accounts.create_user(kwargs.pop("email", None) or f"seller{next(_seq)}@example.jp", PASSWORD, "seller")
    profile = made.seller
    profile.kind, profile.name, profile.home_port, profile.boat_name = kind, name, home_port, boat_name
    profile.fishing_method = fishing_method
    profile.member_number = kwargs.pop("member_number", "E-1234")
    if approved:
        accounts.approve_seller_now(made)
    tx.commit()
    return made


def listing(seller_user=None, **data):
    seller_user = seller_user or seller()
    values = {"kind": "catch", "species": "秋鮭", "unit": "kg", "price_jpy": 1800, "quantity": "10"}
    values.update(data)
    photo_keys = values.pop("photo_keys", [])
    made = catalog.create_listing(seller_user, values, photo_keys)
    tx.commit()
    return made
