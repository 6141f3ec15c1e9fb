"""Schemathesis against the WSGI app: the OpenAPI document and the real behaviour agree.

Every documented auth and listing operation gets generated requests, valid and invalid, and all
of schemathesis' checks: no 5xx, only documented statuses, content types and bodies, valid data
accepted, invalid data refused, auth enforced. Write operations run as an approved seller, and
valid requests for `/listings/{listing_id}` are aimed at one of that seller's own listings, so
they exercise real changes rather than 404s.

One relaxation, documented in the OpenAPI description: a well-formed request may break a rule
that a schema cannot express (a catch time in the future, a quantity off the unit's step), and
that is `422`. Anything the document itself refuses must be `400`, so "valid data is accepted"
is still checked for every field the document describes.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from flask import Flask, g, has_app_context
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from marketplace import db as tx
from marketplace.accounts import services as accounts
from marketplace.api.openapi import document
from marketplace.catalog import services as catalog

from .conftest import new_listing

CONFIG = {
    "generation": {"max-examples": 25, "deterministic": True, "database": "none"},
    "checks": {
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]
        },
    },
}


class CurrentApp:
    """The WSGI app under test: the running test's app. The document needs no app to be built
    (cases for the coverage phase are made at collection), but every request and every probe a
    check sends must reach the test's own app and database. Like the test client, each request
    starts with a fresh `g` although the test keeps one app context pushed."""

    app: Flask | None = None

    def __call__(self, environ, start_response):
        assert self.app is not None, "no app: use the `current_app` fixture"
        if has_app_context():
            g.__dict__.clear()
        return self.app(environ, start_response)


current = CurrentApp()
schema = schemathesis.openapi.from_dict(document(), config=SchemathesisConfig.from_dict(CONFIG))
schema.app = current
_current: dict = {}


PLACEHOLDER = "Bearer <seller token>"


@schema.auth(refresh_interval=None, retry_on=[])
class SellerToken:
    """Marks the requests that carry the seller's token. Cases are built before any app exists
    (at collection), so the real token is put in at call time: a new one for each request, as
    `DELETE /auth/token` revokes the one it is sent with."""

    def get(self, case, context):
        return PLACEHOLDER

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": data}


@pytest.fixture
def seller(app, make):
    current.app = app
    yield make.seller()
    current.app = None


def _fresh_token(user) -> str:
    token = accounts.issue_token(user)
    tx.commit()
    return f"Bearer {token}"


# The fields whose rules the document states in words only (the time now, the unit's step, the
# stock, text that is blank once invisible characters are removed): the only ones a valid
# request may be refused for, with 422.
RULE_FIELDS = {
    "unit",
    "quantity",
    "min_order",
    "caught_at",
    "available_until",
    "best_before",
    "title",
    "description",
    "price_tiers",
    # checkouts and orders: stock, steps, dates the sellers can meet, addresses, carriers' numbers
    "items",
    "email",
    "ship_to",
    "delivery",
    "lines",
    "tracking_number",
}


def only_stated_rules_refuse_valid_data(ctx, response, case):
    """A request that fits the document is never 400, and a 422 for it names only fields whose
    rules the document states in words."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code == 400:
        raise AssertionError(
            f"a request that fits the document was refused as malformed: {response.text}"
        )
    if response.status_code == 422:
        fields = {re.split(r"[.\[]", name)[0] for name in response.json()["error"]["fields"]}
        assert fields and fields <= RULE_FIELDS, (
            f"422 for fields without a stated rule: {response.text}"
        )
    return None


def _fresh_listing(user) -> int:
    listing = catalog.create_listing(user, new_listing(quantity="20", min_order="1"))
    tx.commit()
    return listing.id


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_the_api_behaves_as_its_document_says(case, seller):
    meta = case.meta
    positive = meta is not None and meta.generation.mode.is_positive
    if positive and "listing_id" in (case.path_parameters or {}):
        case.path_parameters["listing_id"] = _fresh_listing(seller)
    if (case.headers or {}).get("Authorization") == PLACEHOLDER:
        case.headers["Authorization"] = _fresh_token(seller)
    case.call_and_validate(additional_checks=[only_stated_rules_refuse_valid_data])
