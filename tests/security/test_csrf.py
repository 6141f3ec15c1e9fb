"""With CSRF protection on (as in production), every form POST needs the session's token."""

from __future__ import annotations

import itertools
import re

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.routing import AnyConverter

from marketplace.access import ACCESS_ATTR
from marketplace.catalog.models import Listing
from marketplace.extensions import db as _db

from .. import factories

EXPIRED = "This form has expired. Please reload the page and try again."
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


def token(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    found = TOKEN.search(page)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def sign_in_with_token(client, user) -> None:
    response = client.post(
        "/signin",
        data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token(client, "/signin")},
    )
    assert response.status_code == 302, re.findall(r"<h1>.*?</h1>|<p class=.error.*?</p>", response.get_data(as_text=True))


def dump() -> dict:
    """Every row of every table, to show that nothing changed."""
    _db.session.expire_all()
    return {
        table.name: sorted(map(repr, _db.session.execute(select(table)).all()))
        for table in _db.metadata.sorted_tables
    }


@pytest.fixture
def world(make):
    seller = make.seller()
    listing = make.listing(seller, photo_keys=["p" * 24])
    return {
        "seller": seller,
        "admin": make.admin(),
        "applicant": make.seller("Pending Maru", approved=False),
        "listing": listing,
        "photo": listing.photos[0],
    }


def _form_posts(app, world):
    """(url, who signs in) for every HTML route that takes a POST, with real ids."""
    # The token is checked before any view runs, so an order or checkout need not exist.
    ids = {"listing_id": world["listing"].id, "photo_id": world["photo"].id, "user_id": world["applicant"].id,
           "order_id": 1, "checkout_id": 1}
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        if rule.rule == "/stripe/webhook":  # signed by Stripe instead: tests/payments/test_webhooks.py
            continue
        decision = getattr(app.view_functions[rule.endpoint], ACCESS_ATTR)
        who = {"public": None, "role:admin": "admin"}.get(decision, "seller")
        choices = {
            name: sorted(conv.items) for name, conv in rule._converters.items() if isinstance(conv, AnyConverter)
        }
        for combo in itertools.product(*choices.values()):
            values = {**{k: v for k, v in ids.items() if k in rule.arguments}, **dict(zip(choices, combo, strict=True))}
            if "code" in rule.arguments:
                values["code"] = "en"
            yield rule.build(values)[1], who


def test_every_form_post_without_a_token_is_refused_and_changes_nothing(app, world):
    checked = []
    for url, who in _form_posts(app, world):
        client = app.test_client()
        if who:
            sign_in_with_token(client, world[who])
        before = dump()
        response = client.post(url, data={"email": world["seller"].email, "password": factories.PASSWORD,
                                          "reason": "x", "price_jpy": "1", "quantity": "1"},
                               headers={"Accept-Language": "en"})
        assert response.status_code == 400, (url, response.status_code)
        assert EXPIRED in response.get_data(as_text=True), url
        assert dump() == before, url
        checked.append(url)
    assert len(checked) >= 10, checked
    assert {"/signin", "/signup", "/signout", "/sell/apply", "/sell/listings/new"} <= set(checked)


def test_a_token_from_another_session_is_refused(client, make, world):
    stolen = token(client, "/signin")
    other = client.application.test_client()
    response = other.post("/signin", data={"email": world["seller"].email, "password": factories.PASSWORD,
                                           "csrf_token": stolen})
    assert response.status_code == 400


def test_the_message_is_translated(client):
    response = client.post("/signin", data={}, headers={"Accept-Language": "ja"})
    assert response.status_code == 400
    with force_locale("ja"):
        assert _(EXPIRED) in response.get_data(as_text=True)


def test_with_the_token_the_forms_work(client, db, world):
    seller, listing = world["seller"], world["listing"]
    sign_in_with_token(client, seller)
    edit = f"/sell/listings/{listing.id}/edit"

    data = {"kind": "catch", "species": "ホタテ", "unit": "kg", "quantity": "3", "price_jpy": "2000",
            "temperature": "chilled", "csrf_token": token(client, "/sell/listings/new")}
    assert client.post("/sell/listings/new", data=data).status_code == 302
    data["csrf_token"] = token(client, edit)
    data["price_jpy"] = "2100"
    assert client.post(edit, data=data).status_code == 302
    assert db.session.get(Listing, listing.id).price_jpy == 2100

    form_token = token(client, edit)  # the dashboard and edit page forms carry the same token
    for action in ("pause", "resume", "relist"):
        assert client.post(f"/sell/listings/{listing.id}/{action}", data={"csrf_token": form_token}).status_code == 302
    photo = f"/sell/listings/{listing.id}/photos/{world['photo'].id}/delete"
    assert client.post(photo, data={"csrf_token": form_token}).status_code == 302
    assert client.post(f"/sell/listings/{listing.id}/withdraw", data={"csrf_token": form_token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).status == "withdrawn"
    assert db.session.query(Listing).count() == 3

    assert client.post("/signout", data={"csrf_token": token(client, "/sell")}).status_code == 302
    assert client.get("/sell").status_code == 302


def test_the_admin_decides_with_the_token(client, db, world):
    sign_in_with_token(client, world["admin"])
    url = f"/admin/applications/{world['applicant'].id}/approve"
    assert client.post(url, data={"csrf_token": token(client, "/admin/applications")}).status_code == 302
    db.session.expire_all()
    assert world["applicant"].seller.status == "approved"


def test_sign_up_and_apply_with_the_token(client, db):
    response = client.post("/signup", data={
        "email": "new-fisher@example.jp", "password": "a long enough password", "role": "seller",
        "csrf_token": token(client, "/signup")})
    assert response.status_code == 302
    response = client.post("/sell/apply", data={
        "kind": "fisher", "name": "新丸", "boat_name": "新丸", "home_port": "枝幸",
        "csrf_token": token(client, "/sell/apply")})
    assert response.status_code == 302, response.get_data(as_text=True)
