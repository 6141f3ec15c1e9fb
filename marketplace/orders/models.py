from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..extensions import db
from ..timeutil import now
from ..units import Quantity


class Checkout(db.Model):
    """One payment for a cart: it makes one order per seller and reserves their stock."""

    __tablename__ = "checkouts"
    __table_args__ = (
        CheckConstraint("status IN ('awaiting_payment','paid','expired')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    guest_key: Mapped[str | None] = mapped_column(String(64), index=True)
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(8), default="ja")
    ship_to: Mapped[dict] = mapped_column(JSON)
    delivery_date: Mapped[date]
    delivery_slot: Mapped[str] = mapped_column(String(8))
    gift_message: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="awaiting_payment")
    expires_at: Mapped[datetime]
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255))
    setup_intent_id: Mapped[str | None] = mapped_column(String(255))
    setup_intent_secret: Mapped[str | None] = mapped_column(String(255))
    payment_method_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=now)

    buyer: Mapped[User | None] = relationship()
    orders: Mapped[list[Order]] = relationship(back_populates="checkout", order_by="Order.id")

    @property
    def authorise_jpy(self) -> int:
        return sum(order.authorised_jpy for order in self.orders)


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(
            "status IN ('awaiting_payment','paid','packed','shipped','delivered','cancelled')", name="status"
        ),
        CheckConstraint("captured_jpy <= authorised_jpy", name="capture_within_authorisation"),
        CheckConstraint("refunded_jpy <= captured_jpy", name="refund_within_capture"),
        CheckConstraint("refunded_jpy >= 0 AND captured_jpy >= 0", name="amounts_not_negative"),
        Index("ix_orders_seller_status", "seller_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkouts.id"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="awaiting_payment")
    subtotal_jpy: Mapped[int] = mapped_column(default=0)
    shipping_jpy: Mapped[int] = mapped_column(default=0)
    total_jpy: Mapped[int] = mapped_column(default=0)
    authorised_jpy: Mapped[int] = mapped_column(default=0)
    captured_jpy: Mapped[int] = mapped_column(default=0)
    refunded_jpy: Mapped[int] = mapped_column(default=0)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    payment_attempts: Mapped[int] = mapped_column(default=0)
    authorised_at: Mapped[datetime | None]
    tracking_token: Mapped[str] = mapped_column(String(64), unique=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    checkout: Mapped[Checkout] = relationship(back_populates="orders")
    seller: Mapped[User] = relationship(foreign_keys=[seller_id])
    buyer: Mapped[User | None] = relationship(foreign_keys=[buyer_id])
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[OrderEvent]] = relationship(order_by="OrderEvent.id", cascade="all, delete-orphan")
    refunds: Mapped[list[Refund]] = relationship(order_by="Refund.id", cascade="all, delete-orphan")
    shipments: Mapped[list[Shipment]] = relationship(order_by="Shipment.id", cascade="all, delete-orphan")

    @property
    def sold_by_weight(self) -> bool:
        return any(line.unit == "kg" for line in self.lines)


class OrderLine(db.Model):
    __tablename__ = "order_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    title: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    quantity_actual: Mapped[Decimal | None] = mapped_column(Quantity)
    unit_price_jpy: Mapped[int]
    total_jpy: Mapped[int]

    order: Mapped[Order] = relationship(back_populates="lines")


class OrderEvent(db.Model):
    """Every move of an order, with its time and actor: shown on tracking, kept for audit."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=now)


class Refund(db.Model):
    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount_jpy > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    amount_jpy: Mapped[int]
    reason: Mapped[str | None] = mapped_column(Text)
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255))
    request_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)


class Shipment(db.Model):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    carrier: Mapped[str] = mapped_column(String(20))
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    shipped_at: Mapped[datetime] = mapped_column(default=now)
