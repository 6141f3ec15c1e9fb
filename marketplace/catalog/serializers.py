"""Listings as the API shows them."""

from __future__ import annotations

from ..i18n import pick
from ..timeutil import isoformat
from ..units import format_quantity
from ..urls import absolute_url
from .models import Listing


def listing_json(listing: Listing) -> dict:
    profile = listing.seller.seller
    return {
        "id": listing.id,
        "kind": listing.kind,
        "status": listing.status,
        "title": pick(listing.title),
        "titles": listing.title,
        "description": pick(listing.description),
        "species": listing.species_name,
        "species_code": listing.species_code,
        "unit": listing.unit,
        "price_jpy": listing.price_jpy,
        "quantity_available": format_quantity(listing.quantity_available, listing.unit),
        "min_order": format_quantity(listing.min_order, listing.unit),
        "temperature": listing.temperature,
        "caught_at": isoformat(listing.caught_at),
        "landing_port": listing.landing_port,
        "landing_port_code": listing.landing_port_code,
        "method": listing.method,
        "available_until": isoformat(listing.available_until),
        "best_before": listing.best_before.isoformat() if listing.best_before else None,
        "seller": {
            "id": listing.seller_id,
            "name": profile.name if profile else None,
            "port": profile.home_port if profile else None,
        },
        "photos": [absolute_url("media.photo", name=f"{p.key}-large.webp") for p in listing.photos],
        "price_tiers": [
            {"min_quantity": format_quantity(t.min_quantity, listing.unit), "price_jpy": t.price_jpy}
            for t in listing.price_tiers
        ],
        "url": absolute_url("catalog.listing", listing_id=listing.id),
    }
