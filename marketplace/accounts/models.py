from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import now

ROLES = ("seller", "restaurant", "customer", "admin")
SELLER_KINDS = ("fisher", "processor")
APPLICATION_STATES = ("pending", "approved", "rejected")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('seller','restaurant','customer','admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="customer")
    display_name: Mapped[str | None] = mapped_column(String(80))
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now)

    seller: Mapped[SellerProfile | None] = relationship(
        back_populates="user", uselist=False, foreign_keys="SellerProfile.user_id"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_approved_seller(self) -> bool:
        return self.role == "seller" and self.seller is not None and self.seller.status == "approved"


class SellerProfile(db.Model):
    """A fisher's or processor's shop; `status` is the cooperative's decision."""

    __tablename__ = "seller_profiles"
    __table_args__ = (
        CheckConstraint("status IN ('pending','approved','rejected')", name="status"),
        CheckConstraint("kind IN ('fisher','processor')", name="kind"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    kind: Mapped[str] = mapped_column(String(16), default="fisher")
    name: Mapped[str | None] = mapped_column(String(80))
    boat_name: Mapped[str | None] = mapped_column(String(80))
    home_port_code: Mapped[str | None] = mapped_column(String(32))
    home_port: Mapped[str | None] = mapped_column(String(80))
    fishing_method: Mapped[str | None] = mapped_column(String(80))
    member_number: Mapped[str | None] = mapped_column(String(40))
    photo_key: Mapped[str | None] = mapped_column(String(80))
    story: Mapped[str | None] = mapped_column(Text)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    applied_at: Mapped[datetime] = mapped_column(default=now)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(back_populates="seller", foreign_keys=[user_id])


class ApiToken(db.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
