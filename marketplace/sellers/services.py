"""Seller applications and the cooperative's decision on them."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import SellerProfile, User
from ..catalog import reference
from ..catalog.services import bump_catalog_version
from ..errors import InvalidTransition, NotFound, ValidationFailed
from ..extensions import db
from ..notifications.services import queue_email
from ..textclean import clean_text
from ..timeutil import now

PROFILE_FIELDS = {
    "name": 80,
    "boat_name": 80,
    "home_port": 80,
    "fishing_method": 80,
    "member_number": 40,
    "story": 2000,
}


def submit_application(user: User, data: dict, photo_key: str | None = None) -> SellerProfile:
    """Fill in (or correct) the seller profile and put it before the cooperative."""
    if user.role != "seller":
        raise ValidationFailed(_("Only seller accounts can apply to sell."))
    profile = user.seller or SellerProfile(user=user)
    errors = {}
    kind = data.get("kind") or "fisher"
    if kind not in ("fisher", "processor"):
        errors["kind"] = _("Choose fisher or processor.")
    values = {}
    for name, limit in PROFILE_FIELDS.items():
        text = clean_text(data.get(name) or "", multiline=name == "story")
        if len(text) > limit:
            errors[name] = _("Use at most %(n)d characters.", n=limit)
        values[name] = text or None
    if not values["name"]:
        errors["name"] = _("This field is required.")
    if not values["home_port"]:
        errors["home_port"] = _("This field is required.")
    if kind == "fisher" and not values["boat_name"]:
        errors["boat_name"] = _("This field is required.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), errors)
    if profile.status == "approved":
        # An approved seller editing the profile stays approved.
        pass
    else:
        profile.status = "pending"
        profile.applied_at = now()
        profile.rejection_reason = None
    profile.kind = kind
    for name, value in values.items():
        setattr(profile, name, value)
    port = reference.find("ports", values["home_port"])
    profile.home_port_code = port.code if port else None
    if photo_key:
        profile.photo_key = photo_key
    db.session.add(profile)
    bump_catalog_version()
    return profile


def pending_applications() -> list[SellerProfile]:
    return list(
        db.session.scalars(
            select(SellerProfile)
            .where(SellerProfile.status == "pending", SellerProfile.name.is_not(None))
            .order_by(SellerProfile.applied_at)
        )
    )


def recent_decisions(limit: int = 20) -> list[SellerProfile]:
    return list(
        db.session.scalars(
            select(SellerProfile)
            .where(SellerProfile.status != "pending")
            .order_by(SellerProfile.decided_at.desc())
            .limit(limit)
        )
    )


def _application(user_id: int) -> SellerProfile:
    profile = db.session.get(SellerProfile, user_id)
    if profile is None:
        raise NotFound(_("Not found."))
    return profile


def decide(admin: User, user_id: int, approve: bool, reason: str = "") -> SellerProfile:
    profile = _application(user_id)
    if profile.status != "pending":
        raise InvalidTransition(_("This application was already decided."))
    reason = clean_text(reason, multiline=True)[:1000]
    if not approve and not reason:
        raise ValidationFailed(
            _("Say why the application is rejected."), {"reason": _("This field is required.")}
        )
    profile.status = "approved" if approve else "rejected"
    profile.rejection_reason = None if approve else reason
    profile.decided_at = now()
    profile.decided_by_id = admin.id
    queue_email(
        profile.user.email,
        "seller_approved" if approve else "seller_rejected",
        locale=profile.user.locale,
        profile=profile,
        reason=reason,
    )
    bump_catalog_version()
    return profile
