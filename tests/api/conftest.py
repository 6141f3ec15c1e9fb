"""Helpers for the JSON API tests: tokens for made users, and JSON calls with them."""

from __future__ import annotations

import pytest

from .. import factories


class Api:
    """The test client speaking JSON, with an optional bearer token."""

    def __init__(self, client):
        self.client = client

    def token(self, user, password: str = factories.PASSWORD) -> str:
        response = self.client.post(
            "/api/v1/auth/token", json={"email": user.email, "password": password}
        )
        assert response.status_code == 200, response.get_json()
        return response.get_json()["token"]

    def call(
        self, method: str, path: str, *, token: str | None = None, lang: str | None = None, **kwargs
    ):
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if lang:
            headers["Accept-Language"] = lang
        return self.client.open("/api/v1" + path, method=method, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.call("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.call("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.call("DELETE", path, **kwargs)


@pytest.fixture
def api(client):
    return Api(client)


def new_listing(**overrides) -> dict:
    """A valid POST /listings body."""
    body = {
        "kind": "catch",
        "title": {"ja": "秋鮭 3尾", "en": "Chum salmon, 3 fish"},
        "species": "秋鮭",
        "unit": "kg",
        "price_jpy": 1800,
        "quantity": "12.5",
        "min_order": "1",
        "temperature": "chilled",
        "landing_port": "枝幸",
        "method": "定置網",
    }
    body.update(overrides)
    return body
