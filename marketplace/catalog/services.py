"""Listings: create, change, pause, withdraw, relist; and the public catalog queries."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, event, or_, select, union_all, update
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from ..accounts.models import SellerProfile, User
from ..errors import InvalidTransition, NotFound, ValidationFailed
from ..extensions import db
from ..timeutil import end_of_next_day, now
from . import reference
from .models import CatalogState, Listing, ListingPhoto, PriceTier
from .reference import fold
from .validation import clean_listing

MAX_PHOTOS = 4

# --- writing -------------------------------------------------------------------------------


def create_listing(seller: User, data: dict, photo_keys: list[str] = ()) -> Listing:
    values = clean_listing(data, seller=seller)
    tiers = values.pop("price_tiers", [])
    listing = Listing(seller=seller, status="active", **values)
    listing.price_tiers = [PriceTier(min_quantity=q, price_jpy=p) for q, p in tiers]
    listing.photos = [ListingPhoto(key=key, position=i) for i, key in enumerate(photo_keys[:MAX_PHOTOS])]
    _refresh_search_text(listing)
    db.session.add(listing)
    db.session.flush()
    bump_catalog_version()
    return listing


def update_listing(listing: Listing, data: dict) -> Listing:
    if listing.status == "withdrawn":
        raise InvalidTransition(_("This listing was withdrawn and can no longer be changed."))
    values = clean_listing(data, seller=listing.seller, existing=listing)
    tiers = values.pop("price_tiers", None)
    for name, value in values.items():
        setattr(listing, name, value)
    if tiers is not None:
        listing.price_tiers = [PriceTier(min_quantity=q, price_jpy=p) for q, p in tiers]
    _refresh_search_text(listing)
    bump_catalog_version()
    return listing


def add_photos(listing: Listing, keys: list[str]) -> None:
    room = MAX_PHOTOS - len(listing.photos)
    if len(keys) > room:
        raise ValidationFailed(
            _("A listing can have at most %(n)d photos.", n=MAX_PHOTOS),
            {"photos": _("A listing can have at most %(n)d photos.", n=MAX_PHOTOS)},
        )
    start = len(listing.photos)
    for offset, key in enumerate(keys):
        listing.photos.append(ListingPhoto(key=key, position=start + offset))
    bump_catalog_version()


def remove_photo(listing: Listing, photo_id: int) -> None:
    photo = next((p for p in listing.photos if p.id == photo_id), None)
    if photo is None:
        raise NotFound(_("Not found."))
    listing.photos.remove(photo)
    for position, remaining in enumerate(listing.photos):
        remaining.position = position
    bump_catalog_version()


_MOVES = {"pause": ("active", "paused"), "resume": ("paused", "active")}


def change_status(listing: Listing, action: str) -> Listing:
    """pause / resume / withdraw; withdrawing is final."""
    if action == "withdraw" and listing.status != "withdrawn":
        listing.status = "withdrawn"
    elif action in _MOVES and listing.status == _MOVES[action][0]:
        listing.status = _MOVES[action][1]
    else:
        raise InvalidTransition(_("That cannot be done to this listing now."))
    bump_catalog_version()
    return listing


def relist(listing: Listing) -> Listing:
    """A fresh copy of an earlier listing: caught now, on sale until the end of tomorrow."""
    copy = Listing(
        seller=listing.seller,
        kind=listing.kind,
        title=dict(listing.title),
        description=dict(listing.description or {}),
        species_code=listing.species_code,
        species_name=listing.species_name,
        unit=listing.unit,
        price_jpy=listing.price_jpy,
        quantity_available=listing.quantity_listed,
        quantity_listed=listing.quantity_listed,
        min_order=listing.min_order,
        temperature=listing.temperature,
        caught_at=now() if listing.kind == "catch" else None,
        landing_port_code=listing.landing_port_code,
        landing_port=listing.landing_port,
        method=listing.method,
        available_until=end_of_next_day() if listing.kind == "catch" else listing.available_until,
        best_before=listing.best_before,
        status="active",
        relisted_from_id=listing.id,
    )
    copy.price_tiers = [PriceTier(min_quantity=t.min_quantity, price_jpy=t.price_jpy) for t in listing.price_tiers]
    copy.photos = [ListingPhoto(key=p.key, position=p.position) for p in listing.photos]
    _refresh_search_text(copy)
    db.session.add(copy)
    db.session.flush()
    bump_catalog_version()
    return copy


def _refresh_search_text(listing: Listing) -> None:
    parts = list((listing.title or {}).values()) + list((listing.description or {}).values())
    parts += [listing.species_name or "", listing.landing_port or "", listing.method or ""]
    for kind, code in (("species", listing.species_code), ("ports", listing.landing_port_code)):
        entry = reference.by_code(kind, code)
        if entry:
            parts.append(entry.search_terms)
    profile = listing.seller.seller if listing.seller else None
    if profile:
        parts += [profile.name or "", profile.boat_name or ""]
    listing.search_text = fold(" ".join(p for p in parts if p))


_CATALOG_CHANGED = "hamaichi_catalog_changed"


def bump_catalog_version() -> None:
    """Every change that can alter a public page moves the shared catalog version on: once per
    transaction, as it commits. The version row is then locked last and only for an instant,
    so checkouts of different listings neither queue on it nor deadlock over it (one that took
    listing A then the version, another listing B then the version, each waiting for the other)."""
    db.session.info[_CATALOG_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _move_catalog_version(session: Session) -> None:
    if session.info.pop(_CATALOG_CHANGED, False):
        moved = session.execute(update(CatalogState).where(CatalogState.id == 1).values(version=CatalogState.version + 1))
        if moved.rowcount == 0:
            session.add(CatalogState(id=1, version=1))


@event.listens_for(Session, "after_soft_rollback")
def _forget_catalog_change(session: Session, previous_transaction) -> None:
    session.info.pop(_CATALOG_CHANGED, None)


def catalog_version() -> int:
    return db.session.scalar(select(CatalogState.version).where(CatalogState.id == 1)) or 0


# --- reading -------------------------------------------------------------------------------


def seller_listing(seller: User, listing_id: int) -> Listing:
    """One of the seller's own listings; anybody else's is NotFound."""
    listing = db.session.get(Listing, listing_id)
    if listing is None or listing.seller_id != seller.id:
        raise NotFound(_("Not found."))
    return listing


def seller_listings(seller: User, *, include_withdrawn: bool = False) -> list[Listing]:
    query = (
        select(Listing)
        .where(Listing.seller_id == seller.id)
        .options(selectinload(Listing.photos))
        .order_by(Listing.id.desc())
    )
    if not include_withdrawn:
        query = query.where(Listing.status != "withdrawn")
    return list(db.session.scalars(query))


@dataclass
class CatalogFilter:
    kind: str | None = None
    species: str | None = None
    port: str | None = None
    temperature: str | None = None
    seller_id: int | None = None
    q: str | None = None


def _live_only(query: Select) -> Select:
    """Listings anyone may see and buy: active, not hidden, in stock, not expired, and from
    a seller the cooperative approved."""
    return (
        query.join(User, User.id == Listing.seller_id)
        .join(SellerProfile, SellerProfile.user_id == Listing.seller_id)
        .where(
            Listing.status == "active",
            Listing.hidden.is_(False),
            Listing.quantity_available > 0,
            or_(Listing.available_until.is_(None), Listing.available_until > now()),
            SellerProfile.status == "approved",
            User.active.is_(True),
        )
    )


def _live(*, with_tiers: bool = True) -> Select:
    """Live listings with their seller, profile and photos (and price tiers) loaded: one query
    plus one per collection, however many rows."""
    related = [selectinload(Listing.photos)]
    if with_tiers:
        related.append(selectinload(Listing.price_tiers))
    return _live_only(select(Listing)).options(
        contains_eager(Listing.seller).contains_eager(User.seller), *related
    )


def _apply(query: Select, f: CatalogFilter) -> Select:
    if f.kind:
        query = query.where(Listing.kind == f.kind)
    if f.temperature:
        query = query.where(Listing.temperature == f.temperature)
    if f.seller_id:
        query = query.where(Listing.seller_id == f.seller_id)
    # A name the reference knows is matched by its code alone: listings store the code of the
    # same lookup, and one indexed column keeps the query on its index (an OR would scan).
    if f.species:
        entry = reference.find("species", f.species)
        if entry:
            query = query.where(Listing.species_code == entry.code)
        else:
            query = query.where(Listing.species_name == f.species)
    if f.port:
        entry = reference.find("ports", f.port)
        if entry:
            query = query.where(Listing.landing_port_code == entry.code)
        else:
            query = query.where(Listing.landing_port == f.port)
    if f.q:
        for word in fold(f.q).split()[:5]:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(Listing.search_text.like(f"%{escaped}%", escape="\\"))
    return query


def browse(
    f: CatalogFilter, *, limit: int, before_id: int | None = None, with_tiers: bool = True
) -> tuple[list[Listing], int | None]:
    """A page of live listings, newest first, and the id to continue before (keyset).
    Catalog cards show no price tiers: `with_tiers=False` saves their query."""
    query = _apply(_live(with_tiers=with_tiers), f).order_by(Listing.id.desc()).limit(limit + 1)
    if before_id:
        query = query.where(Listing.id < before_id)
    rows = list(db.session.scalars(query).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def newest_by_kind(kinds: tuple[str, ...], *, limit: int) -> dict[str, list[Listing]]:
    """The newest live listings of each kind (the home page's sections) in one query: the
    ids come from a UNION of per-kind top-`limit` index walks."""
    ids = union_all(
        *(
            _live_only(select(Listing.id)).where(Listing.kind == kind).order_by(Listing.id.desc()).limit(limit).subquery().select()
            for kind in kinds
        )
    )
    query = _live(with_tiers=False).where(Listing.id.in_(ids)).order_by(Listing.id.desc())
    sections: dict[str, list[Listing]] = {kind: [] for kind in kinds}
    for listing in db.session.scalars(query).unique():
        sections[listing.kind].append(listing)
    return sections


def live_listing(listing_id: int) -> Listing:
    listing = db.session.scalars(_live().where(Listing.id == listing_id)).unique().first()
    if listing is None:
        raise NotFound(_("This listing is not on sale."))
    return listing


def live_ids(listing_ids: list[int]) -> set[int]:
    """Which of these listings are on sale now (the catalog's rules: `_live_only`)."""
    if not listing_ids:
        return set()
    return set(db.session.scalars(_live_only(select(Listing.id)).where(Listing.id.in_(listing_ids))))


def public_seller(seller_id: int) -> User:
    user = db.session.get(User, seller_id, options=[joinedload(User.seller)])
    if user is None or user.seller is None or user.seller.status != "approved" or not user.active:
        raise NotFound(_("Not found."))
    return user


def visible_listing(listing_id: int, viewer: User | None) -> Listing:
    """A live listing, or any of the viewer's own listings (a seller sees paused ones too)."""
    if viewer is not None:
        own = db.session.get(Listing, listing_id)
        if own is not None and own.seller_id == viewer.id:
            return own
    return live_listing(listing_id)
