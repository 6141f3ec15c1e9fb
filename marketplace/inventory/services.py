"""Stock moves. Every change of `quantity_available` is one conditional UPDATE, so two buyers
can never take the same fish: the database decides who was first, on SQLite and PostgreSQL
alike, and a CHECK constraint keeps stock from going negative whatever happens."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, func, select, update

from ..catalog.models import Listing
from ..catalog.services import bump_catalog_version
from ..extensions import db
from ..timeutil import now
from .models import Reservation


def take(listing_id: int, quantity: Decimal) -> bool:
    """Take `quantity` off the listing if that much is left and it is on sale."""
    current = now()
    result = db.session.execute(
        update(Listing)
        .where(
            Listing.id == listing_id,
            Listing.quantity_available >= quantity,
            Listing.status == "active",
            Listing.hidden.is_(False),
            (Listing.available_until.is_(None)) | (Listing.available_until > current),
        )
        .values(quantity_available=Listing.quantity_available - quantity)
    )
    return result.rowcount == 1


def _put_back(listing_id: int, quantity: Decimal) -> None:
    db.session.execute(
        update(Listing)
        .where(Listing.id == listing_id)
        .values(quantity_available=Listing.quantity_available + quantity)
    )


def hold(listing_id: int, quantity: Decimal, expires_at: datetime) -> Reservation | None:
    """Reserve stock until `expires_at`; None when not enough is left."""
    release_expired(listing_id)
    if not take(listing_id, quantity):
        return None
    reservation = Reservation(listing_id=listing_id, quantity=quantity, expires_at=expires_at, state="held")
    db.session.add(reservation)
    bump_catalog_version()
    return reservation


def _end(reservation_id: int, from_states: tuple[str, ...], to_state: str, *, expired_only=False) -> bool:
    """Move one reservation out of `from_states` — exactly once, whoever else tries."""
    conditions = [Reservation.id == reservation_id, Reservation.state.in_(from_states)]
    if expired_only:
        conditions.append(Reservation.expires_at <= now())
    result = db.session.execute(
        update(Reservation)
        .where(and_(*conditions))
        .values(state=to_state, ended_at=now())
    )
    return result.rowcount == 1


def release_expired(listing_id: int | None = None) -> int:
    """Give back the stock of holds that expired unpaid. Safe to run concurrently."""
    query = select(Reservation.id, Reservation.listing_id, Reservation.quantity).where(
        Reservation.state == "held", Reservation.expires_at <= now()
    )
    if listing_id is not None:
        query = query.where(Reservation.listing_id == listing_id)
    released = 0
    for reservation_id, reservation_listing, quantity in db.session.execute(query).all():
        if _end(reservation_id, ("held",), "released", expired_only=True):
            _put_back(reservation_listing, quantity)
            released += 1
    if released:
        bump_catalog_version()
    return released


def release(reservation: Reservation) -> bool:
    """An unpaid hold ends early (checkout abandoned or cancelled)."""
    if _end(reservation.id, ("held",), "released"):
        _put_back(reservation.listing_id, reservation.quantity)
        bump_catalog_version()
        return True
    return False


def confirm_sold(reservation: Reservation) -> bool:
    """Payment authorised: the hold becomes a sale — unless it had already expired and been
    released, in which case the stock must be taken again (False when it is gone)."""
    if _end(reservation.id, ("held",), "sold"):
        return True
    if reservation.state == "released":
        if take(reservation.listing_id, reservation.quantity):
            reservation.state, reservation.ended_at = "sold", now()
            bump_catalog_version()
            return True
        return False
    return reservation.state == "sold"


def return_unsold(reservation: Reservation) -> Decimal:
    """A sale or hold is cancelled: its stock goes back, exactly once. Returns what went back."""
    if _end(reservation.id, ("sold", "held"), "returned"):
        _put_back(reservation.listing_id, reservation.quantity)
        bump_catalog_version()
        return reservation.quantity
    return Decimal(0)


def held_expired_quantity(listing_ids: list[int]) -> dict[int, Decimal]:
    """Stock still counted as held although its hold has expired (not yet cleaned up)."""
    if not listing_ids:
        return {}
    rows = db.session.execute(
        select(Reservation.listing_id, func.sum(Reservation.quantity))
        .where(Reservation.listing_id.in_(listing_ids), Reservation.state == "held", Reservation.expires_at <= now())
        .group_by(Reservation.listing_id)
    ).all()
    return {listing_id: Decimal(total) for listing_id, total in rows}  # the column type gives kg/pieces
