"""Listings over the JSON API: the public catalog, and a seller's own listings."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from .. import db as tx
from ..access import public, role_required
from ..api import bp, openapi, viewer
from ..api.requests import hint, json_body, query_args
from ..errors import NotFound
from ..extensions import limiter
from ..i18n import current_language
from ..textclean import clean_text
from ..units import BadQuantity
from . import services
from .models import KINDS, TEMPERATURES, Listing
from .serializers import CREATE_EXAMPLE, SCHEMAS, UPDATE_EXAMPLE, listing_json
from .services import CatalogFilter
from .validation import quantity_error

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_ID = 2**31 - 1  # ids are 32-bit integers (PostgreSQL INTEGER)
LISTING_WRITES = "1000 per hour"
ID = "<int:listing_id>"


def _seller_key() -> str:
    return f"seller:{current_user.get_id()}"


def _anonymous() -> bool:
    return not current_user.is_authenticated


_write_limit = limiter.limit(LISTING_WRITES, key_func=_seller_key, exempt_when=_anonymous)


@bp.route("/listings")
@public
def list_listings():
    args = query_args("/listings")
    filters = CatalogFilter(
        kind=args.get("kind"),
        temperature=args.get("temperature"),
        species=clean_text(args.get("species", "")) or None,
        port=clean_text(args.get("port", "")) or None,
        seller_id=args.get("seller"),
        q=clean_text(args.get("q", "")) or None,
    )
    # A cursor is the id to continue below; one beyond any id we issue starts from the top.
    cursor = min(int(args["cursor"]), MAX_ID) if "cursor" in args else None
    listings, next_id = services.browse(
        filters, limit=args.get("limit", DEFAULT_LIMIT), before_id=cursor
    )
    return jsonify(
        {
            "items": [listing_json(item) for item in listings],
            "next": str(next_id) if next_id else None,
        }
    )


@bp.route(f"/listings/{ID}")
@public
def get_listing(listing_id: int):
    listing = services.visible_listing(_in_range(listing_id), viewer())
    if listing.status == "withdrawn":  # deleted through the API: gone for everybody
        raise NotFound(_("Not found."))
    return jsonify(listing_json(listing))


@bp.route("/listings", methods=["POST"])
@_write_limit
@role_required("seller")
def create_listing():
    listing = services.create_listing(current_user, json_body("ListingCreate"))
    tx.commit()
    return jsonify(listing_json(listing)), 201


@bp.route(f"/listings/{ID}", methods=["PATCH"])
@_write_limit
@role_required("seller")
def update_listing(listing_id: int):
    listing = _own_listing(listing_id)
    data = _merge_texts(listing, json_body("ListingUpdate"))
    services.update_listing(listing, data)
    status = data.get("status")
    if status is not None and status != listing.status:
        services.change_status(listing, "resume" if status == "active" else "pause")
    tx.commit()
    return jsonify(listing_json(listing))


@bp.route(f"/listings/{ID}", methods=["DELETE"])
@_write_limit
@role_required("seller")
def delete_listing(listing_id: int):
    services.change_status(_own_listing(listing_id), "withdraw")
    tx.commit()
    return "", 204


def _own_listing(listing_id: int) -> Listing:
    """One of the caller's listings that is not deleted; anything else is 404."""
    listing = services.seller_listing(current_user, _in_range(listing_id))
    if listing.status == "withdrawn":
        raise NotFound(_("Not found."))
    return listing


def _in_range(listing_id: int) -> int:
    """Ids beyond what the database holds are simply not found (never an overflow)."""
    if not 1 <= listing_id <= MAX_ID:
        raise NotFound(_("Not found."))
    return listing_id


def _merge_texts(listing: Listing, data: dict) -> dict:
    """A title or description sent as a string changes the request language's text only; the
    other languages stay (an object replaces them all)."""
    for name, current in (("title", listing.title), ("description", listing.description)):
        if isinstance(data.get(name), str) and data[name] and current:
            data = {**data, name: {**current, current_language(): data[name]}}
    return data


# --- the OpenAPI description and field hints ------------------------------------------------

hint("kind", lambda: _("Choose a catch or a product."))
hint("unit", lambda: _("Choose kg or pieces."))
hint("temperature", lambda: _("Choose chilled, frozen or ambient."))
hint("price_jpy", lambda: _("Enter the price in whole yen, tax included."))
hint("price_tiers", lambda: _("Each tier needs a minimum quantity and a price."))
for _name in ("quantity", "min_order"):
    hint(_name, lambda: quantity_error(BadQuantity("not_a_number"), "kg"))
for _name in ("title", "description", "species", "landing_port", "method"):
    hint(_name, lambda: _("Enter text."))
for _name in ("caught_at", "available_until"):
    hint(_name, lambda: _("Enter a date and time."))
hint("best_before", lambda: _("Enter a date (YYYY-MM-DD)."))
hint("status", lambda: _("Choose active or paused."))
hint(
    "limit", lambda: _("Enter a whole number between %(low)d and %(high)d.", low=1, high=MAX_LIMIT)
)
hint("cursor", lambda: _("Pass back the next value of the previous page."))
hint("seller", lambda: _("Enter a seller's id."))
for _name in ("q", "port"):
    hint(_name, lambda: _("Enter text."))

_listing_id = {
    "name": "listing_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
}
_listing = {"description": "The listing.", **openapi.json_content(openapi.ref("Listing"))}


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


openapi.add(
    schemas=SCHEMAS,
    paths={
        "/listings": {
            "get": {
                "operationId": "listListings",
                "tags": ["listings"],
                "summary": "Live listings of approved sellers, newest first",
                "security": [],
                "parameters": [
                    _query(
                        "kind",
                        {"type": "string", "enum": list(KINDS)},
                        "Today's catch or processed products.",
                    ),
                    _query(
                        "species",
                        {"type": "string", "maxLength": 120},
                        "The species as sent with the listing (free text), or a known species' "
                        "code, Japanese or English name.",
                    ),
                    _query(
                        "port",
                        {"type": "string", "maxLength": 80},
                        "Landing port: free text, or a known port's code or name.",
                    ),
                    _query(
                        "seller",
                        {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                        "A seller's id.",
                    ),
                    _query(
                        "temperature",
                        {"type": "string", "enum": list(TEMPERATURES)},
                        "How it is shipped.",
                    ),
                    _query(
                        "q",
                        {"type": "string", "maxLength": 100},
                        "Words to search for (all must match).",
                    ),
                    _query(
                        "limit",
                        {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": MAX_LIMIT,
                            "default": DEFAULT_LIMIT,
                        },
                        "Listings per page.",
                    ),
                    _query(
                        "cursor",
                        {"type": "string", "pattern": "^[1-9][0-9]{0,9}$"},
                        "The `next` value of the previous page.",
                    ),
                ],
                "responses": {
                    "200": {
                        "description": "A page of listings.",
                        **openapi.json_content(openapi.ref("ListingPage")),
                    },
                    **openapi.errors(400),
                },
            },
            "post": {
                "operationId": "createListing",
                "tags": ["listings"],
                "summary": "List a catch or a product (an approved seller)",
                "security": [{"bearerAuth": []}],
                "requestBody": {
                    "required": True,
                    **openapi.json_content(openapi.ref("ListingCreate"), CREATE_EXAMPLE),
                },
                "responses": {
                    "201": {
                        "description": "The new listing.",
                        **openapi.json_content(openapi.ref("Listing")),
                    },
                    **openapi.errors(400, 401, 403, 413, 415, 422, 429),
                },
            },
        },
        "/listings/{listing_id}": {
            "parameters": [_listing_id],
            "get": {
                "operationId": "getListing",
                "tags": ["listings"],
                "summary": "A live listing (its seller also sees it while paused)",
                "security": [{}, {"bearerAuth": []}],
                "responses": {"200": _listing, **openapi.errors(404)},
            },
            "patch": {
                "operationId": "updateListing",
                "tags": ["listings"],
                "summary": "Change one of your listings",
                "description": "Another seller's listing is `404`.",
                "security": [{"bearerAuth": []}],
                "requestBody": {
                    "required": True,
                    **openapi.json_content(openapi.ref("ListingUpdate"), UPDATE_EXAMPLE),
                },
                "responses": {
                    "200": _listing,
                    **openapi.errors(400, 401, 403, 404, 409, 413, 415, 422, 429),
                },
            },
            "delete": {
                "operationId": "deleteListing",
                "tags": ["listings"],
                "summary": "Withdraw one of your listings",
                "description": "Another seller's listing is `404`; so is a withdrawn one.",
                "security": [{"bearerAuth": []}],
                "responses": {
                    "204": {"description": "Withdrawn."},
                    **openapi.errors(401, 403, 404, 413, 415, 429),
                },
            },
        },
    },
)
