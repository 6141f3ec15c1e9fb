"""Loading the demo village into an empty database, through the same services the app uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta

from flask_babel import force_locale
from sqlalchemy import func, inspect, select

from ..accounts import services as accounts
from ..accounts.models import User
from ..catalog import services as catalog
from ..catalog.models import Listing
from ..errors import DomainError
from ..extensions import db
from ..media.images import save_photo
from ..sellers import services as sellers
from ..timeutil import now, tokyo_today
from . import pictures
from .village import OFFERS, PASSWORD, PEOPLE, Offer, Picture


class NotEmpty(DomainError):
    """The demo only goes into an empty database."""


class NotMigrated(DomainError):
    """The tables do not exist yet."""


@dataclass(frozen=True)
class Login:
    email: str
    password: str
    role: str
    who: str


def database_is_migrated() -> bool:
    return inspect(db.engine).has_table(User.__tablename__)


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0


def logins() -> list[Login]:
    """The demo's sign-ins, for printing (the passwords are the demo's own, not secrets)."""
    labels = {"approved": "", "pending": " (application pending)"}
    return [
        Login(p.email, PASSWORD, p.role, p.display_name + (labels[p.status] if p.profile else ""))
        for p in PEOPLE
    ]


def load_village() -> list[Listing]:
    """Create the demo's people and listings. The caller commits. Refuses a non-empty database."""
    if not database_is_migrated():
        raise NotMigrated(
            "The database has no tables yet: run `flask --app wsgi db upgrade` first."
        )
    if user_count():
        raise NotEmpty(
            "The database already has users; the demo village only goes into an empty one."
        )
    drawn: dict[Picture, str] = {}

    def photo(picture: Picture) -> str:
        if picture not in drawn:
            drawn[picture] = save_photo(
                pictures.draw(
                    picture.motif,
                    picture.title,
                    picture.subtitle,
                    packaged=picture.packaged,
                    colour=picture.colour,
                )
            )
        return drawn[picture]

    # Texts that services store (validation messages aside) are given in both languages here;
    # the Japanese locale only decides what a single-language string would be filed under.
    with force_locale("ja"):
        people = {person.key: _person(person, photo) for person in PEOPLE}
        admin = people["admin"]
        for user in people.values():
            if user.seller is not None and user.seller.status == "approved":
                user.seller.decided_by_id = admin.id
        # Created last to first: the catalog shows the newest first, so it reads like OFFERS.
        return [
            catalog.create_listing(people[o.seller], _listing_data(o), [photo(o.picture)])
            for o in reversed(OFFERS)
        ]


def _person(person, photo) -> User:
    user = accounts.create_user(
        person.email, PASSWORD, person.role, locale=person.locale, display_name=person.display_name
    )
    if person.profile is not None:
        sellers.submit_application(
            user, person.profile, photo(person.portrait) if person.portrait else None
        )
        if person.status == "approved":
            accounts.approve_seller_now(user)
    return user


def _listing_data(offer: Offer) -> dict:
    data = dict(offer.data)
    if offer.hours_ago is not None:
        data["caught_at"] = (now() - timedelta(hours=offer.hours_ago)).replace(tzinfo=UTC)
    if offer.keeps_days is not None:
        data["best_before"] = tokyo_today() + timedelta(days=offer.keeps_days)
    return data
