from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..extensions import db
from ..timeutil import now
from ..units import Quantity

KINDS = ("catch", "product")
TEMPERATURES = ("chilled", "frozen", "ambient")
STATUSES = ("active", "paused", "withdrawn")


class Listing(db.Model):
    __tablename__ = "listings"
    __table_args__ = (
        CheckConstraint("kind IN ('catch','product')", name="kind"),
        CheckConstraint("unit IN ('kg','piece')", name="unit"),
        CheckConstraint("temperature IN ('chilled','frozen','ambient')", name="temperature"),
        CheckConstraint("status IN ('active','paused','withdrawn')", name="status"),
        CheckConstraint("price_jpy > 0", name="price_positive"),
        CheckConstraint("quantity_available >= 0", name="stock_not_negative"),
        CheckConstraint("min_order > 0", name="min_order_positive"),
        Index("ix_listings_catalog", "status", "kind", "id"),
        # Each catalog filter walks its index newest first and stops at a page (keyset), so a
        # page costs the same with 1,000 or 100,000 listings (benchmarks/README.md).
        Index("ix_listings_seller_newest", "seller_id", "id"),
        Index("ix_listings_species_newest", "species_code", "id"),
        Index("ix_listings_species_name_newest", "species_name", "id"),
        Index("ix_listings_port_newest", "landing_port_code", "id"),
        Index("ix_listings_port_name_newest", "landing_port", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[dict] = mapped_column(JSON)
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    species_code: Mapped[str | None] = mapped_column(String(40))
    species_name: Mapped[str | None] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(8))
    price_jpy: Mapped[int]
    quantity_available: Mapped[Decimal] = mapped_column(Quantity)
    quantity_listed: Mapped[Decimal] = mapped_column(Quantity)
    min_order: Mapped[Decimal] = mapped_column(Quantity)
    temperature: Mapped[str] = mapped_column(String(16))
    caught_at: Mapped[datetime | None]
    landing_port_code: Mapped[str | None] = mapped_column(String(32))
    landing_port: Mapped[str | None] = mapped_column(String(80))
    method: Mapped[str | None] = mapped_column(String(80))
    available_until: Mapped[datetime | None]
    best_before: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16), default="active")
    hidden: Mapped[bool] = mapped_column(default=False)
    search_text: Mapped[str] = mapped_column(Text, default="")
    relisted_from_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    seller: Mapped[User] = relationship()
    photos: Mapped[list[ListingPhoto]] = relationship(
        order_by="ListingPhoto.position", cascade="all, delete-orphan", back_populates="listing"
    )
    price_tiers: Mapped[list[PriceTier]] = relationship(
        order_by="PriceTier.min_quantity", cascade="all, delete-orphan"
    )


class ListingPhoto(db.Model):
    __tablename__ = "listing_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(String(80))

    listing: Mapped[Listing] = relationship(back_populates="photos")


class PriceTier(db.Model):
    """From `min_quantity` upwards the unit price is `price_jpy` (bulk discount)."""

    __tablename__ = "price_tiers"
    __table_args__ = (CheckConstraint("price_jpy > 0", name="price_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    min_quantity: Mapped[Decimal] = mapped_column(Quantity)
    price_jpy: Mapped[int]


class CatalogState(db.Model):
    """One row: a version that every listing or stock change bumps (cache key for all workers)."""

    __tablename__ = "catalog_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
