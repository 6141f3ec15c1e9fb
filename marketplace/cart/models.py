from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalog.models import Listing
from ..extensions import db
from ..timeutil import now
from ..units import Quantity


class Cart(db.Model):
    """A signed-in buyer has one cart (`user_id`); a guest's cart is found by `token`, which
    lives in their session cookie."""

    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    token: Mapped[str | None] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    items: Mapped[list[CartItem]] = relationship(
        cascade="all, delete-orphan", order_by="CartItem.id", back_populates="cart"
    )


class CartItem(db.Model):
    __tablename__ = "cart_items"
    __table_args__ = (UniqueConstraint("cart_id", "listing_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id"), index=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)

    cart: Mapped[Cart] = relationship(back_populates="items")
    listing: Mapped[Listing] = relationship()
