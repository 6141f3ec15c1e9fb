"""Accounts: registration, authentication, seller applications and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..timeutil import now
from .models import ROLES, ApiToken, SellerProfile, User

# A hash to compare against when the e-mail is unknown, so both paths cost the same.
_DUMMY_HASH = generate_password_hash("not-a-real-password")
MIN_PASSWORD = 10


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def create_user(
    email: str,
    password: str,
    role: str = "customer",
    *,
    locale: str | None = None,
    display_name: str | None = None,
) -> User:
    email = normalise_email(email)
    if role not in ROLES:
        raise ValidationFailed(_("Unknown role."), {"role": _("Unknown role.")})
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed(
            _("Use at least %(n)d characters.", n=MIN_PASSWORD),
            {"password": _("Use at least %(n)d characters.", n=MIN_PASSWORD)},
        )
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise ValidationFailed(
            _("An account with this e-mail address already exists."),
            {"email": _("An account with this e-mail address already exists.")},
        )
    user = User(
        email=email,
        password_hash=generate_password_hash(password),
        role=role,
        locale=locale,
        display_name=display_name,
    )
    db.session.add(user)
    if role == "seller":
        user.seller = SellerProfile(status="pending")
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same work either way)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    return user


def approve_seller_now(user: User) -> None:
    """Operators' shortcut (`users create --approved`): approved without an application."""
    if user.seller is None:
        user.seller = SellerProfile()
    user.seller.status = "approved"
    user.seller.decided_at = now()


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("Not found."))
    return user


# --- API tokens -------------------------------------------------------------------------


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User) -> str:
    raw = "hm_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=_digest(raw)))
    return raw


def user_for_token(raw: str) -> User | None:
    if not raw:
        return None
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _digest(raw), ApiToken.revoked_at.is_(None))
    )
    if token is None or not token.user.active:
        return None
    return token.user


def revoke_token(raw: str) -> bool:
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(raw)))
    if token is None or token.revoked_at is not None:
        return False
    token.revoked_at = now()
    return True
