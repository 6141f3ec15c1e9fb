from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from .. import db as tx
from ..access import public, role_required
from ..api import bp, json_body
from ..errors import ValidationFailed
from ..extensions import limiter
from . import services
from .models import KINDS, TEMPERATURES
from .serializers import listing_json
from .services import CatalogFilter

MAX_LIMIT = 100
LISTING_WRITES = "1000 per hour"


def _seller_key() -> str:
    return f"seller:{current_user.get_id()}"


def _int_arg(name: str, default: int | None, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValidationFailed(_("Please correct the marked fields."), {name: _("Enter a whole number between %(low)d and %(high)d.", low=low, high=high)})
    return int(raw)


def _choice_arg(name: str, choices) -> str | None:
    raw = request.args.get(name) or None
    if raw is not None and raw not in choices:
        raise ValidationFailed(_("Please correct the marked fields."), {name: _("Choose one of: %(choices)s", choices=", ".join(choices))})
    return raw


@bp.route("/listings")
@public
def list_listings():
    limit = _int_arg("limit", 20, 1, MAX_LIMIT)
    cursor = _int_arg("cursor", None, 1, 2**62)
    args = request.args
    filters = CatalogFilter(
        kind=_choice_arg("kind", KINDS),
        temperature=_choice_arg("temperature", TEMPERATURES),
        species=(args.get("species") or "")[:120] or None,
        port=(args.get("port") or "")[:80] or None,
        seller_id=_int_arg("seller", None, 1, 2**62),
        q=(args.get("q") or "")[:100] or None,
    )
    listings, next_id = services.browse(filters, limit=limit, before_id=cursor)
    return jsonify({"items": [listing_json(item) for item in listings], "next": str(next_id) if next_id else None})


@bp.route("/listings/<int:listing_id>")
@public
def get_listing(listing_id: int):
    viewer = current_user if current_user.is_authenticated else None
    return jsonify(listing_json(services.visible_listing(listing_id, viewer)))


@bp.route("/listings", methods=["POST"])
@limiter.limit(LISTING_WRITES, key_func=_seller_key)
@role_required("seller")
def create_listing():
    listing = services.create_listing(current_user, json_body())
    tx.commit()
    return jsonify(listing_json(listing)), 201


@bp.route("/listings/<int:listing_id>", methods=["PATCH"])
@limiter.limit(LISTING_WRITES, key_func=_seller_key)
@role_required("seller")
def update_listing(listing_id: int):
    listing = services.seller_listing(current_user, listing_id)
    data = json_body()
    status = data.get("status")
    services.update_listing(listing, data)
    if status in ("active", "paused") and status != listing.status:
        services.change_status(listing, "resume" if status == "active" else "pause")
    tx.commit()
    return jsonify(listing_json(listing))


@bp.route("/listings/<int:listing_id>", methods=["DELETE"])
@role_required("seller")
def delete_listing(listing_id: int):
    listing = services.seller_listing(current_user, listing_id)
    services.change_status(listing, "withdraw")
    tx.commit()
    return "", 204
