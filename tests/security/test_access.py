"""Every route has an access decision; other people's things are 404; roles are enforced."""

from __future__ import annotations

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from marketplace.access import ACCESS_ATTR
from marketplace.catalog.models import Listing

from ..conftest import sign_in

EXEMPT = {"static"}  # Flask's own static files: nothing behind them but CSS and icons.


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in EXEMPT:
            continue
        yield rule, app.view_functions[rule.endpoint]


def _example_url(rule) -> str:
    """The rule built with harmless values, so it can be requested."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = "x"
    return rule.build(values)[1]


def test_every_route_declares_an_access_decision(app):
    missing = [rule.rule for rule, view in _routes(app) if not getattr(view, ACCESS_ATTR, None)]
    assert missing == [], f"routes without an access decision: {missing}"


def test_access_decisions_are_known_kinds(app):
    for rule, view in _routes(app):
        decision = getattr(view, ACCESS_ATTR)
        assert decision in ("public", "signed_in") or decision.startswith("role:"), (rule, decision)


def test_anonymous_users_are_sent_to_sign_in_on_every_protected_route(app, client):
    checked = 0
    for rule, view in _routes(app):
        if getattr(view, ACCESS_ATTR) == "public":
            continue
        url = _example_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            checked += 1
            if url.startswith("/api/"):
                assert response.status_code == 401, (method, url)
            else:
                assert response.status_code == 302, (method, url, response.status_code)
                assert response.headers["Location"].startswith("/signin?next="), (method, url)
    assert checked >= 10


def test_signing_in_after_the_redirect_lands_on_the_page(client, make):
    seller = make.seller()
    response = client.get("/sell/listings/new")
    target = response.headers["Location"]
    assert client.get(target).status_code == 200
    response = client.post(target, data={"email": seller.email, "password": make.PASSWORD,
                                         "next": "/sell/listings/new"})
    assert response.headers["Location"] == "/sell/listings/new"


# --- ownership -------------------------------------------------------------------------------


@pytest.fixture
def two_sellers(make, db):
    alice, bob = make.seller("Alice Maru"), make.seller("Bob Maru")
    listing = make.listing(bob, photo_keys=["b" * 24])
    return alice, bob, listing


def _snapshot(db, listing_id):
    db.session.expire_all()
    listing = db.session.get(Listing, listing_id)
    return (listing.status, listing.price_jpy, listing.quantity_available, len(listing.photos))


def test_a_seller_gets_404_for_another_sellers_listing(client, db, two_sellers):
    alice, _bob, listing = two_sellers
    before = _snapshot(db, listing.id)
    photo_id = listing.photos[0].id
    total = db.session.query(Listing).count()
    sign_in(client, alice)
    base = f"/sell/listings/{listing.id}"
    assert client.get(base + "/edit").status_code == 404
    assert client.post(base + "/edit", data={"price_jpy": "1", "quantity": "1"}).status_code == 404
    for action in ("pause", "resume", "withdraw", "relist"):
        assert client.post(f"{base}/{action}").status_code == 404, action
    assert client.post(f"{base}/photos/{photo_id}/delete").status_code == 404
    assert _snapshot(db, listing.id) == before
    assert db.session.query(Listing).count() == total  # no relisted copy either


def test_a_seller_cannot_delete_another_listings_photo_through_their_own(client, db, make, two_sellers):
    alice, _bob, listing = two_sellers
    own = make.listing(alice)
    sign_in(client, alice)
    response = client.post(f"/sell/listings/{own.id}/photos/{listing.photos[0].id}/delete")
    assert response.status_code == 404
    assert _snapshot(db, listing.id)[3] == 1


def test_the_owner_can_do_those_things(client, db, two_sellers):
    _alice, bob, listing = two_sellers
    sign_in(client, bob)
    base = f"/sell/listings/{listing.id}"
    assert client.get(base + "/edit").status_code == 200
    assert client.post(base + "/pause").status_code == 302
    assert _snapshot(db, listing.id)[0] == "paused"
    assert client.post(f"{base}/photos/{listing.photos[0].id}/delete").status_code == 302
    assert client.post(base + "/relist").status_code == 302
    assert client.post(base + "/withdraw").status_code == 302
    assert _snapshot(db, listing.id)[0] == "withdrawn"


def test_a_paused_listing_is_not_public(client, db, two_sellers):
    _alice, bob, listing = two_sellers
    sign_in(client, bob)
    client.post(f"/sell/listings/{listing.id}/pause")
    client.post("/signout")
    assert client.get(f"/listings/{listing.id}").status_code == 404


@pytest.mark.parametrize("role", ["customer", "restaurant", "seller"])
def test_non_admins_get_403_on_admin_pages(client, make, role):
    applicant = make.seller("Pending Maru", approved=False)
    user = make.seller() if role == "seller" else make.user(role)
    sign_in(client, user)
    assert client.get("/admin/applications").status_code == 403
    for decision in ("approve", "reject"):
        response = client.post(f"/admin/applications/{applicant.id}/{decision}", data={"reason": "x"})
        assert response.status_code == 403
    assert applicant.seller.status == "pending"


def test_an_unapproved_seller_cannot_list(client, db, make):
    pending = make.seller("Pending Maru", approved=False)
    sign_in(client, pending)
    assert client.get("/sell").status_code == 200  # may see the dashboard and apply
    assert client.get("/sell/listings/new").status_code == 403
    response = client.post("/sell/listings/new", data={
        "kind": "catch", "species": "秋鮭", "unit": "kg", "quantity": "5", "price_jpy": "1000",
        "temperature": "chilled"})
    assert response.status_code == 403
    assert db.session.query(Listing).count() == 0


def test_a_rejected_seller_cannot_list(client, db, make):
    rejected = make.seller("Rejected Maru", approved=False)
    rejected.seller.status = "rejected"
    db.session.commit()
    sign_in(client, rejected)
    assert client.get("/sell/listings/new").status_code == 403


def test_buyers_cannot_reach_the_seller_pages(client, make):
    sign_in(client, make.user("restaurant"))
    assert client.get("/sell").status_code == 403
    assert client.get("/sell/apply").status_code == 403
    assert client.get("/sell/listings/new").status_code == 403


def test_a_deactivated_user_loses_their_session(client, db, make):
    seller = make.seller()
    sign_in(client, seller)
    seller.active = False
    db.session.commit()
    response = client.get("/sell")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin")
