"""/api/v1/listings: the public catalog, and sellers' own listings (create, change, withdraw)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from marketplace import db as tx
from marketplace.accounts import services as accounts
from marketplace.catalog import services
from marketplace.catalog.models import Listing
from marketplace.timeutil import freeze, now

from .conftest import new_listing

OFFSET = re.compile(r"[+-]\d\d:\d\d$")


@pytest.fixture
def seller_token(api, make):
    seller = make.seller(name="第八 浜丸", home_port="枝幸")
    return seller, api.token(seller)


def listing_count(db) -> int:
    return db.session.query(Listing).count()


# --- creating --------------------------------------------------------------------------------


def test_a_seller_lists_a_catch(api, seller_token):
    seller, token = seller_token
    response = api.post("/listings", token=token, json=new_listing(), lang="en")
    assert response.status_code == 201
    body = response.get_json()
    assert body["kind"] == "catch" and body["status"] == "active"
    assert body["title"] == "Chum salmon, 3 fish"
    assert body["titles"] == {"ja": "秋鮭 3尾", "en": "Chum salmon, 3 fish"}
    assert body["species"] == "秋鮭" and body["species_code"] == "chum_salmon"
    assert body["landing_port"] == "枝幸" and body["landing_port_code"] == "esashi"
    assert body["price_jpy"] == 1800 and isinstance(body["price_jpy"], int)
    assert body["quantity_available"] == "12.5" and body["min_order"] == "1.0"
    assert body["seller"] == {"id": seller.id, "name": "第八 浜丸", "port": "枝幸"}
    assert OFFSET.search(body["caught_at"]) and OFFSET.search(body["available_until"])
    assert body["url"] == f"http://shop.test/listings/{body['id']}"
    assert body["photos"] == [] and body["price_tiers"] == []
    assert api.get(f"/listings/{body['id']}").get_json()["id"] == body["id"]


def test_title_and_description_may_be_plain_strings_in_the_request_language(api, seller_token):
    _, token = seller_token
    body = new_listing(
        title="Kelp, dried",
        description="Sun-dried on the beach.",
        kind="product",
        unit="piece",
        quantity="40",
        species="Kombu",
    )
    created = api.post("/listings", token=token, json=body, lang="en").get_json()
    assert created["titles"] == {"en": "Kelp, dried"}
    assert created["descriptions"] == {"en": "Sun-dried on the beach."}
    assert created["species"] == "Kombu" and created["species_code"] is None


def test_the_title_defaults_to_the_species_name(api, seller_token):
    _, token = seller_token
    body = new_listing()
    del body["title"]
    created = api.post("/listings", token=token, json=body, lang="ja").get_json()
    assert created["title"] == "秋鮭"


def test_times_with_any_offset_are_read_and_answered_in_japan_time(api, seller_token):
    _, token = seller_token
    freeze(datetime(2026, 10, 1, 0, 0))  # 09:00 in Tokyo
    body = new_listing(
        caught_at="2026-09-30T20:30:00Z", available_until="2026-10-02T23:00:00+09:00"
    )
    created = api.post("/listings", token=token, json=body).get_json()
    assert created["caught_at"] == "2026-10-01T05:30:00+09:00"
    assert created["available_until"] == "2026-10-02T23:00:00+09:00"


def test_price_tiers_are_set_by_post_and_patch_in_the_shape_shown(api, seller_token):
    _, token = seller_token
    body = new_listing(
        price_tiers=[
            {"min_quantity": "10", "price_jpy": 1600},
            {"min_quantity": "5", "price_jpy": 1700},
        ]
    )
    created = api.post("/listings", token=token, json=body).get_json()
    assert created["price_tiers"] == [
        {"min_quantity": "5.0", "price_jpy": 1700},
        {"min_quantity": "10.0", "price_jpy": 1600},
    ]
    changed = api.patch(
        f"/listings/{created['id']}", token=token, json={"price_tiers": created["price_tiers"][1:]}
    )
    assert changed.get_json()["price_tiers"] == [{"min_quantity": "10.0", "price_jpy": 1600}]
    cleared = api.patch(f"/listings/{created['id']}", token=token, json={"price_tiers": []})
    assert cleared.get_json()["price_tiers"] == []


def test_a_seller_approved_by_the_operators_command_lists_before_any_profile(api, db):
    # What `flask users create EMAIL --role seller --password … --approved` does.
    user = accounts.create_user("quick@example.jp", "a long password", "seller")
    accounts.approve_seller_now(user)
    tx.commit()
    token = api.post(
        "/auth/token", json={"email": "quick@example.jp", "password": "a long password"}
    ).get_json()["token"]
    body = new_listing()
    del body["landing_port"]
    response = api.post("/listings", token=token, json=body)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["seller"] == {"id": user.id, "name": None, "port": None}
    assert created["landing_port"] is None
    assert created["id"] in [item["id"] for item in api.get("/listings").get_json()["items"]]


def test_only_approved_sellers_may_list(api, make, db):
    before = listing_count(db)
    for user in (make.seller(approved=False), make.user(), make.user("restaurant")):
        response = api.post("/listings", token=api.token(user), json=new_listing())
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
    anonymous = api.post("/listings", json=new_listing())
    assert anonymous.status_code == 401
    assert anonymous.get_json()["error"]["code"] == "unauthorized"
    assert listing_count(db) == before


def test_unknown_fields_are_ignored_and_server_owned_fields_never_set(api, seller_token, make):
    seller, token = seller_token
    other = make.seller()
    body = new_listing(
        id=424242,
        seller={"id": other.id},
        seller_id=other.id,
        status="paused",
        hidden=True,
        quantity_listed="99999",
        quantity_available="1",
        url="https://evil.example/",
        colour="silver",
    )
    created = api.post("/listings", token=token, json=body).get_json()
    assert created["id"] != 424242
    assert created["seller"]["id"] == seller.id
    assert created["status"] == "active"
    assert created["quantity_available"] == "12.5"
    assert created["url"].startswith("http://shop.test/")
    listing = services.live_listing(created["id"])
    assert listing.hidden is False and listing.quantity_listed == Decimal("12.5")

    changed = api.patch(
        f"/listings/{created['id']}",
        token=token,
        json={"seller_id": other.id, "id": 1, "hidden": True, "price_jpy": 1900},
    )
    assert changed.status_code == 200
    assert (
        changed.get_json()["seller"]["id"] == seller.id and changed.get_json()["price_jpy"] == 1900
    )


# --- bad input -------------------------------------------------------------------------------


def test_validation_errors_name_every_offending_field(api, seller_token, db):
    _, token = seller_token
    before = listing_count(db)
    body = new_listing(
        kind="fish",
        quantity="1,5",
        price_jpy=-3,
        unit="litre",
        temperature="warm",
        title=["a"],
        caught_at="yesterday",
        price_tiers={"min_quantity": "1"},
    )
    del body["species"]
    response = api.post("/listings", token=token, json=body, lang="en")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {
        "kind",
        "quantity",
        "price_jpy",
        "unit",
        "temperature",
        "title",
        "caught_at",
        "price_tiers",
    }
    assert error["fields"]["quantity"] == "Enter a number such as 2.5 (use a dot, not a comma)."
    assert listing_count(db) == before


def test_missing_required_fields_are_named(api, seller_token):
    _, token = seller_token
    error = api.post("/listings", token=token, json={}).get_json()["error"]
    assert set(error["fields"]) == {"kind", "unit", "price_jpy", "quantity"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantity", "NaN"),
        ("quantity", "-1"),
        ("quantity", "1e3"),
        ("quantity", "Infinity"),
        ("quantity", "١٢"),  # Arabic-Indic digits
        ("quantity", "99999999999999999999"),
        ("quantity", 2.5),
        ("quantity", True),
        ("quantity", None),
        ("price_jpy", 10**30),
        ("price_jpy", 0),
        ("price_jpy", 12.5),
        ("price_jpy", "1800"),
        ("price_jpy", [1800]),
        ("price_jpy", {"amount": 1800}),
        ("min_order", "0.0.1"),
        ("title", {"ja": 5}),
        ("title", {"fr": "Saumon"}),
        ("title", "x" * 121),
        ("description", "x" * 2001),
        ("species", 12),
        ("available_until", "2026-13-45T00:00:00+09:00"),
        ("caught_at", "2026-10-01T05:30:00"),  # no offset
        ("price_tiers", [{"min_quantity": "1"}]),
        ("price_tiers", [{"min_quantity": "1", "price_jpy": 1}] * 6),
    ],
)
def test_bad_values_are_a_400_naming_the_field(api, seller_token, db, field, value):
    _, token = seller_token
    response = api.post("/listings", token=token, json=new_listing(**{field: value}))
    assert response.status_code == 400, response.get_json()
    assert list(response.get_json()["error"]["fields"]) == [field]
    assert listing_count(db) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"quantity": "2.55"}, "quantity"),  # off the 0.1 kg step
        ({"unit": "piece", "quantity": "2.5"}, "quantity"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "100000.1"}, "quantity"),
        ({"quantity": "2", "min_order": "3"}, "min_order"),
        ({"caught_at": "2099-01-01T00:00:00+09:00"}, "caught_at"),
        ({"available_until": "2001-01-01T00:00:00+09:00"}, "available_until"),
        ({"title": " \u200b ", "species": None}, "title"),
    ],
)
def test_rules_a_schema_cannot_express_are_a_422_naming_the_field(
    api, seller_token, db, changes, field
):
    _, token = seller_token
    response = api.post("/listings", token=token, json=new_listing(**changes))
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and list(error["fields"]) == [field]
    assert listing_count(db) == 0


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        (b"kind=catch&price_jpy=1800", "application/x-www-form-urlencoded", 415),
        (b'{"kind": "catch"}', "text/plain", 415),
        (b"", "text/plain", 415),
        (b"<xml/>", "application/xml", 415),
        (b'{"kind": "catch",', "application/json", 400),
        (b"[1, 2, 3]", "application/json", 400),
        (b'"a string"', "application/json", 400),
        (b"", "application/json", 400),
        (b'{"price_jpy": NaN}', "application/json", 400),
        (b'{"price_jpy": 1e999}', "application/json", 400),
        (b'{"title": "\\ud800"}', "application/json", 400),
        (b"\xff\xfe\x00garbage", "application/json", 400),
        (b"[" * 5000 + b"]" * 5000, "application/json", 400),
        (b'{"price_jpy": 1' + b"0" * 5000 + b"}", "application/json", 400),
    ],
)
def test_bodies_that_are_not_a_json_object_are_refused_with_json(
    api, seller_token, db, data, content_type, status
):
    _, token = seller_token
    response = api.post("/listings", token=token, data=data, content_type=content_type)
    assert response.status_code == status
    assert response.is_json
    assert response.get_json()["error"]["code"] in ("validation_error", "unsupported_media_type")
    assert listing_count(db) == 0


def test_a_10_mb_body_is_a_413_in_json_and_nothing_is_stored(api, seller_token, db):
    _, token = seller_token
    huge = b'{"kind": "catch", "description": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    response = api.post("/listings", token=token, data=huge, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert listing_count(db) == 0


def test_field_messages_follow_accept_language(api, seller_token):
    _, token = seller_token
    body = new_listing(quantity="1,5")
    english = api.post("/listings", token=token, json=body, lang="en").get_json()["error"]
    japanese = api.post("/listings", token=token, json=body, lang="ja").get_json()["error"]
    assert english["message"] == "Please correct the marked fields."
    assert japanese["message"] == "印の付いた項目を修正してください。"
    assert english["fields"]["quantity"] != japanese["fields"]["quantity"]
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", japanese["fields"]["quantity"])


# --- changing and withdrawing: only the listing's seller ------------------------------------


def test_a_seller_changes_pauses_resumes_and_withdraws_their_listing(api, seller_token):
    _, token = seller_token
    listing_id = api.post("/listings", token=token, json=new_listing()).get_json()["id"]
    changed = api.patch(
        f"/listings/{listing_id}",
        token=token,
        json={"quantity": "8", "price_jpy": 1500, "method": "一本釣り"},
    )
    assert changed.status_code == 200
    assert changed.get_json()["quantity_available"] == "8.0"
    assert changed.get_json()["price_jpy"] == 1500 and changed.get_json()["method"] == "一本釣り"

    paused = api.patch(f"/listings/{listing_id}", token=token, json={"status": "paused"})
    assert paused.get_json()["status"] == "paused"
    assert listing_id not in [item["id"] for item in api.get("/listings").get_json()["items"]]
    assert api.get(f"/listings/{listing_id}").status_code == 404  # the public cannot see it
    assert api.get(f"/listings/{listing_id}", token=token).get_json()["status"] == "paused"
    assert (
        api.patch(f"/listings/{listing_id}", token=token, json={"status": "active"}).get_json()[
            "status"
        ]
        == "active"
    )

    assert api.delete(f"/listings/{listing_id}", token=token).status_code == 204
    for response in (
        api.get(f"/listings/{listing_id}"),
        api.get(f"/listings/{listing_id}", token=token),
        api.patch(f"/listings/{listing_id}", token=token, json={"price_jpy": 1}),
        api.delete(f"/listings/{listing_id}", token=token),
    ):
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_a_string_title_changes_only_the_request_languages_text(api, seller_token):
    _, token = seller_token
    listing_id = api.post("/listings", token=token, json=new_listing()).get_json()["id"]
    changed = api.patch(
        f"/listings/{listing_id}", token=token, json={"title": "Chum salmon, 2 fish"}, lang="en"
    )
    assert changed.get_json()["titles"] == {"ja": "秋鮭 3尾", "en": "Chum salmon, 2 fish"}


def test_another_sellers_listing_is_404_to_get_while_paused_patch_and_delete(
    api, make, seller_token
):
    _, token_a = seller_token
    seller_b = make.seller()
    token_b = api.token(seller_b)
    listing_b = api.post("/listings", token=token_b, json=new_listing()).get_json()["id"]
    assert api.get(f"/listings/{listing_b}", token=token_a).status_code == 200  # live: public
    api.patch(f"/listings/{listing_b}", token=token_b, json={"status": "paused"})
    assert api.get(f"/listings/{listing_b}", token=token_a).status_code == 404
    assert (
        api.patch(f"/listings/{listing_b}", token=token_a, json={"price_jpy": 1}).status_code == 404
    )
    assert api.delete(f"/listings/{listing_b}", token=token_a).status_code == 404
    unchanged = api.get(f"/listings/{listing_b}", token=token_b).get_json()
    assert unchanged["price_jpy"] == 1800 and unchanged["status"] == "paused"
    # Other roles are refused for their role, strangers for not being signed in.
    customer = api.token(make.user())
    assert (
        api.patch(f"/listings/{listing_b}", token=customer, json={"price_jpy": 1}).status_code
        == 403
    )
    assert api.delete(f"/listings/{listing_b}").status_code == 401


def test_patch_validates_like_post(api, seller_token):
    _, token = seller_token
    listing_id = api.post("/listings", token=token, json=new_listing()).get_json()["id"]
    bad = api.patch(
        f"/listings/{listing_id}",
        token=token,
        json={"price_jpy": "cheap", "quantity": "-2", "status": "withdrawn"},
    )
    assert bad.status_code == 400
    assert set(bad.get_json()["error"]["fields"]) == {"price_jpy", "quantity", "status"}
    assert api.patch(f"/listings/{listing_id}", token=token, json=[]).status_code == 400


def test_unknown_listing_ids_are_404(api, seller_token):
    _, token = seller_token
    for path in ("/listings/999999", "/listings/0", f"/listings/{2**70}", "/listings/abc"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
        assert api.patch(path, token=token, json={}).status_code == 404


# --- the public catalog ----------------------------------------------------------------------


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def test_only_approved_sellers_live_listings_are_listed(api, make, db):
    seller = make.seller()
    live = make.listing(seller)
    paused = make.listing(seller)
    services.change_status(paused, "pause")
    withdrawn = make.listing(seller)
    services.change_status(withdrawn, "withdraw")
    sold_out = make.listing(seller)
    sold_out.quantity_available = Decimal("0")
    pending = make.listing(make.seller(approved=False))
    tx.commit()
    assert ids(api.get("/listings")) == [live.id]
    for listing in (paused, withdrawn, sold_out, pending):
        assert api.get(f"/listings/{listing.id}").status_code == 404


def test_expired_catches_are_not_listed(api, make):
    freeze(datetime(2026, 11, 25, 3, 0))
    listing = make.listing()
    assert ids(api.get("/listings")) == [listing.id]
    freeze(now() + timedelta(days=3))
    assert ids(api.get("/listings")) == []


def test_filters(api, make):
    a = make.seller(name="浜丸", home_port="枝幸")
    b = make.seller(name="北斗丸", home_port="紋別")
    salmon = make.listing(a, species="秋鮭")
    scallop = make.listing(b, species="Scallop", landing_port="紋別", temperature="frozen")
    squid = make.listing(
        b,
        kind="product",
        species="するめ",
        unit="piece",
        quantity="5",
        title={"ja": "枝幸のするめ", "en": "Dried squid"},
    )
    kombu = make.listing(a, kind="product", species="Kombu ozeki", unit="piece", quantity="9")
    assert set(ids(api.get("/listings?kind=product"))) == {squid.id, kombu.id}
    assert ids(api.get("/listings?species=chum_salmon")) == [salmon.id]  # code
    assert ids(api.get("/listings?species=秋鮭")) == [salmon.id]  # Japanese
    assert ids(api.get("/listings?species=Chum salmon (autumn salmon)")) == [salmon.id]  # English
    assert ids(api.get("/listings?species=Kombu ozeki")) == [kombu.id]  # free text, as sent
    assert ids(api.get("/listings?species=Kombu  ozeki\u200b")) == [kombu.id]
    assert ids(api.get("/listings?species=Scallop")) == [scallop.id]
    assert set(ids(api.get("/listings?port=monbetsu"))) == {scallop.id, squid.id}
    assert set(ids(api.get("/listings?port=紋別"))) == {scallop.id, squid.id}
    assert set(ids(api.get(f"/listings?seller={a.id}"))) == {salmon.id, kombu.id}
    assert ids(api.get("/listings?temperature=frozen")) == [scallop.id]
    assert ids(api.get("/listings?q=dried SQUID")) == [squid.id]
    assert ids(api.get("/listings?q=100%25_")) == []
    assert ids(api.get("/listings?kind=catch&port=枝幸&species=秋鮭")) == [salmon.id]
    assert ids(api.get("/listings?species=")) != []  # empty is no filter


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("limit=", "limit"),
        ("cursor=abc", "cursor"),
        ("cursor=-5", "cursor"),
        ("kind=fish", "kind"),
        ("temperature=hot", "temperature"),
        ("seller=x", "seller"),
        ("seller=0", "seller"),
        ("q=" + "x" * 101, "q"),
        ("kind=catch&kind=product", "kind"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(api, query, field):
    response = api.get("/listings?" + query)
    assert response.status_code == 400
    assert list(response.get_json()["error"]["fields"]) == [field]


def test_pages_follow_the_next_cursor_to_the_end(api, make):
    seller = make.seller()
    made = [make.listing(seller).id for _ in range(7)]
    seen, path = [], "/listings?limit=3"
    pages = 0
    while True:
        body = api.get(path).get_json()
        pages += 1
        seen += [item["id"] for item in body["items"]]
        if body["next"] is None:
            break
        assert isinstance(body["next"], str)
        path = f"/listings?limit=3&cursor={body['next']}"
    assert pages == 3
    assert seen == sorted(made, reverse=True)
    assert len(api.get("/listings?limit=100").get_json()["items"]) == 7


def test_listing_values_have_the_documented_types(api, make):
    seller = make.seller()
    make.listing(
        seller,
        quantity="2.5",
        price_tiers=[{"min_quantity": "10", "price_jpy": 1500}],
        photo_keys=["AbCdEfGhIjKlMnOpQrSt"],
    )
    item = api.get("/listings").get_json()["items"][0]
    assert item["quantity_available"] == "2.5" and isinstance(item["min_order"], str)
    assert isinstance(item["price_jpy"], int)
    assert item["price_tiers"] == [{"min_quantity": "10.0", "price_jpy": 1500}]
    assert OFFSET.search(item["caught_at"]) and OFFSET.search(item["available_until"])
    assert item["photos"] == ["http://shop.test/media/AbCdEfGhIjKlMnOpQrSt-large.webp"]
    assert item["url"].startswith("http://shop.test/listings/")


def test_a_new_unit_must_fit_the_quantities_kept(api, seller_token):
    _, token = seller_token
    listing_id = api.post("/listings", token=token, json=new_listing(quantity="12.5")).get_json()[
        "id"
    ]
    refused = api.patch(f"/listings/{listing_id}", token=token, json={"unit": "piece"})
    assert refused.status_code == 422
    assert list(refused.get_json()["error"]["fields"]) == ["unit"]
    changed = api.patch(
        f"/listings/{listing_id}",
        token=token,
        json={"unit": "piece", "quantity": "12", "min_order": "1"},
    )
    assert changed.status_code == 200
    assert (
        changed.get_json()["quantity_available"] == "12" and changed.get_json()["unit"] == "piece"
    )
