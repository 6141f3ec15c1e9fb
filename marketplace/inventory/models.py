from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import now
from ..units import Quantity


class Reservation(db.Model):
    """Stock taken off a listing for one order line.

    `held` until the order is paid or the hold expires; `sold` once paid (it comes back only
    through a cancellation: `returned`); `released` when an unpaid hold ends. The listing's
    `quantity_available` was decreased when the hold was taken and is increased exactly once
    when the state leaves held/sold for released/returned.
    """

    __tablename__ = "reservations"
    __table_args__ = (
        CheckConstraint("state IN ('held','sold','released','returned')", name="state"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_reservations_listing_state", "listing_id", "state", "expires_at"),
        Index("ix_reservations_expiry", "state", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    state: Mapped[str] = mapped_column(String(16), default="held")
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=now)
    ended_at: Mapped[datetime | None]

    order_line = relationship("OrderLine")
