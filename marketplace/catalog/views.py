from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for

from ..access import public
from ..errors import NotFound
from ..security import parse_id
from ..textclean import clean_text
from . import cache, reference, services
from .cache import shared_page
from .models import KINDS, TEMPERATURES
from .services import CatalogFilter

bp = Blueprint("catalog", __name__)
# The shared page cache's WSGI layer comes with the catalog (marketplace/catalog/cache.py).
bp.record_once(lambda state: cache.init_app(state.app))
HOME_SECTION = 8


def _filters() -> CatalogFilter:
    args = request.args
    kind = args.get("kind") if args.get("kind") in KINDS else None
    temperature = args.get("temperature") if args.get("temperature") in TEMPERATURES else None
    return CatalogFilter(
        kind=kind,
        # clean_text as the API does: no control characters (PostgreSQL refuses NUL in text)
        species=clean_text(args.get("species") or "")[:120] or None,
        port=clean_text(args.get("port") or "")[:80] or None,
        temperature=temperature,
        q=clean_text(args.get("q") or "")[:100] or None,
    )


def _cursor() -> int | None:
    return parse_id(request.args.get("cursor", ""))


def _next_url(next_id: int | None, **values) -> str | None:
    if not next_id:
        return None
    args = {k: v for k, v in request.args.items() if k != "cursor" and v}
    return url_for(request.endpoint, **values, **args, cursor=next_id)


def _references() -> dict:
    return {"species_list": reference.species(), "ports": reference.ports()}


@bp.route("/")
@public
@shared_page
def home():
    sections = services.newest_by_kind(KINDS, limit=HOME_SECTION)
    return render_template(
        "catalog/home.html",
        catches=sections["catch"],
        products=sections["product"],
        filters=CatalogFilter(),
        **_references(),
    )


@bp.route("/catalog")
@public
@shared_page
def browse():
    filters = _filters()
    listings, next_id = services.browse(
        filters,
        limit=current_app.config["CATALOG_PAGE_SIZE"],
        before_id=_cursor(),
        with_tiers=False,
    )
    return render_template(
        "catalog/browse.html",
        listings=listings,
        next_url=_next_url(next_id),
        filters=filters,
        **_references(),
    )


@bp.route("/listings/<int:listing_id>")
@public
@shared_page
def listing(listing_id: int):
    try:
        item = services.live_listing(listing_id)
    except NotFound:
        abort(404)
    return render_template(
        "catalog/listing.html",
        listing=item,
        species=reference.by_code("species", item.species_code),
        port=reference.by_code("ports", item.landing_port_code),
    )


@bp.route("/sellers/<int:seller_id>")
@public
@shared_page
def seller(seller_id: int):
    try:
        user = services.public_seller(seller_id)
    except NotFound:
        abort(404)
    listings, next_id = services.browse(
        CatalogFilter(seller_id=seller_id),
        limit=current_app.config["CATALOG_PAGE_SIZE"],
        before_id=_cursor(),
        with_tiers=False,
    )
    return render_template(
        "catalog/seller.html",
        seller=user,
        profile=user.seller,
        listings=listings,
        next_url=_next_url(next_id, seller_id=seller_id),
    )
