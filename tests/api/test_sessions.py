"""API calls with the browser's session cookie: no CSRF token needed for JSON or empty bodies,
and nothing a cross-site HTML form can send gets through (CSRF protection is on here)."""

from __future__ import annotations

import re

import pytest

from .. import factories
from .conftest import new_listing

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def app_overrides():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def seller_session(client, make):
    seller = make.seller()
    page = client.get("/signin").get_data(as_text=True)
    response = client.post(
        "/signin",
        data={
            "email": seller.email,
            "password": factories.PASSWORD,
            "csrf_token": TOKEN.search(page).group(1),
        },
    )
    assert response.status_code == 302
    return seller


def test_json_calls_with_the_session_cookie_need_no_csrf_token(api, seller_session):
    created = api.post("/listings", json=new_listing())
    assert created.status_code == 201
    assert created.get_json()["seller"]["id"] == seller_session.id
    listing_id = created.get_json()["id"]
    assert api.patch(f"/listings/{listing_id}", json={"price_jpy": 1700}).status_code == 200
    assert api.get("/me").get_json()["id"] == seller_session.id
    assert api.delete(f"/listings/{listing_id}").status_code == 204  # empty body


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("kind=catch&unit=kg&price_jpy=1&quantity=1", "application/x-www-form-urlencoded"),
        ('{"kind": "catch", "unit": "kg", "price_jpy": 1, "quantity": "1"}', "text/plain"),
        ("", "application/x-www-form-urlencoded"),
        ("", "multipart/form-data; boundary=x"),
    ],
)
def test_what_a_cross_site_form_can_send_is_refused(api, seller_session, data, content_type):
    listing_id = api.post("/listings", json=new_listing()).get_json()["id"]
    for response in (
        api.post("/listings", data=data, content_type=content_type),
        api.delete(f"/listings/{listing_id}", data=data, content_type=content_type),
    ):
        assert response.status_code == 415
        assert response.get_json()["error"]["code"] == "unsupported_media_type"
    assert api.get(f"/listings/{listing_id}").status_code == 200


def test_a_request_the_browser_marks_cross_site_is_refused(api, seller_session):
    response = api.post("/listings", json=new_listing(), headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    same_site = api.post("/listings", json=new_listing(), headers={"Sec-Fetch-Site": "same-origin"})
    assert same_site.status_code == 201


def test_token_calls_are_not_affected_by_csrf(api, make):
    token = api.token(make.seller())
    assert api.post("/listings", token=token, json=new_listing()).status_code == 201
