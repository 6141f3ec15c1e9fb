"""Signing in: session rotation, cookie flags, generic failures, throttling, password hashing."""

from __future__ import annotations

import os
import re
import uuid
from html import unescape

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from marketplace import create_app
from marketplace.extensions import db as _db
from marketplace.extensions import limiter

from .. import factories
from ..conftest import sign_in

GENERIC = "The e-mail address or password is not right."
TOO_MANY = "Too many attempts. Please wait a few minutes and try again."


def _post_sign_in(client, email, password, address="10.0.0.1", **extra):
    return client.post(
        "/signin",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        **extra,
    )


def _set_cookie(response, name="session") -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert headers, response.headers
    return headers[-1]


def _errors(page: str) -> list[str]:
    return [unescape(m) for m in re.findall(r'<p class="error"[^>]*>(.*?)</p>', page)]


# --- session --------------------------------------------------------------------------------


def test_signing_in_rotates_the_session(client, make):
    seller = make.seller()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    before = client.get_cookie("session").value
    sign_in(client, seller)
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == str(seller.id)


def test_signing_out_clears_the_session(client, make):
    seller = make.seller()
    sign_in(client, seller)
    assert client.get("/sell").status_code == 200
    assert client.post("/signout").status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert client.get("/sell").status_code == 302


def test_session_cookie_is_httponly_and_lax_and_not_secure_over_http(client, make):
    seller = make.seller()
    header = _set_cookie(sign_in(client, seller))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header
    assert client.get("/sell").status_code == 200  # signing in works over plain http


def test_language_cookie_is_httponly_and_lax(client):
    header = _set_cookie(client.get("/lang/en?next=/"), "lang")
    assert "HttpOnly" in header and "SameSite=Lax" in header


class TestHttps:
    """An app whose BASE_URL is https, configured from the environment as in production."""

    @pytest.fixture
    def app_overrides(self, monkeypatch):
        monkeypatch.setenv("BASE_URL", "https://shop.test")
        return {"BASE_URL": "https://shop.test"}

    def test_session_cookie_is_secure_and_hsts_is_sent(self, app, client, make):
        seller = make.seller()
        response = sign_in(client, seller)
        header = _set_cookie(response)
        assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        assert client.get("/sell").status_code == 200


class TestBehindAProxy:
    """TLS ends at a trusted load balancer, which says so in X-Forwarded-Proto."""

    @pytest.fixture
    def app_overrides(self, monkeypatch):
        monkeypatch.setenv("BASE_URL", "https://shop.test")
        return {"BASE_URL": "https://shop.test", "TRUSTED_PROXIES": 1}

    def test_failures_are_counted_per_forwarded_address(self, client, make):
        seller = make.seller()
        for n in range(31):
            client.post("/signin", data={"email": f"nobody{n}@example.jp", "password": "x"},
                        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
        blocked = client.post("/signin", data={"email": seller.email, "password": factories.PASSWORD},
                              headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
        assert blocked.status_code == 429
        other = client.post("/signin", data={"email": seller.email, "password": factories.PASSWORD},
                            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.4"})
        assert other.status_code == 302


def test_forwarded_headers_are_ignored_without_a_trusted_proxy(client, make):
    """Otherwise anyone could dodge the per-address throttle by making up X-Forwarded-For."""
    seller = make.seller()
    for n in range(30):
        client.post("/signin", data={"email": f"nobody{n}@example.jp", "password": "x"},
                    headers={"X-Forwarded-For": f"198.51.100.{n}"})
    response = client.post("/signin", data={"email": seller.email, "password": factories.PASSWORD},
                           headers={"X-Forwarded-For": "192.0.2.77"})
    assert response.status_code == 429


# --- failures -------------------------------------------------------------------------------


def test_failed_sign_in_says_the_same_for_unknown_email_and_wrong_password(client, make, db):
    seller = make.seller()
    inactive = make.user()
    inactive.active = False
    db.session.commit()
    answers = [
        _post_sign_in(client, "nobody@example.jp", factories.PASSWORD, headers={"Accept-Language": "en"}),
        _post_sign_in(client, seller.email, "wrong password!", headers={"Accept-Language": "en"}),
        _post_sign_in(client, inactive.email, factories.PASSWORD, headers={"Accept-Language": "en"}),
    ]
    assert {r.status_code for r in answers} == {401}
    messages = [_errors(r.get_data(as_text=True)) for r in answers]
    assert messages[0] == messages[1] == messages[2] == [GENERIC]


def test_failed_sign_in_keeps_the_email_but_not_the_password(client, make):
    page = _post_sign_in(client, "nobody@example.jp", "s3cret-typed").get_data(as_text=True)
    assert 'value="nobody@example.jp"' in page
    assert "s3cret-typed" not in page


def test_passwords_are_hashed_with_scrypt(make):
    user = make.user()
    assert user.password_hash.startswith("scrypt:")
    assert factories.PASSWORD not in user.password_hash


# --- throttling -----------------------------------------------------------------------------


def test_many_successful_sign_ins_from_one_address_are_not_throttled(client, make):
    """A restaurant's staff behind one address sign in all day; only failures count."""
    users = [make.user("restaurant") for _ in range(5)]
    for n in range(25):
        user = users[n % len(users)]
        response = _post_sign_in(client, user.email, factories.PASSWORD)
        assert response.status_code == 302, n
        client.post("/signout", environ_base={"REMOTE_ADDR": "10.0.0.1"})


def test_failures_are_throttled_per_account(client, make):
    seller = make.seller()
    for n in range(10):
        address = f"10.1.0.{n}"  # spread over addresses: the account limit still applies
        assert _post_sign_in(client, seller.email, "wrong password!", address).status_code == 401
    blocked = _post_sign_in(client, seller.email, factories.PASSWORD, "10.1.0.99")
    assert blocked.status_code == 429
    # The same e-mail written differently is the same account.
    assert _post_sign_in(client, " " + seller.email.upper(), factories.PASSWORD, "10.1.0.98").status_code == 429
    # Other accounts are not affected.
    other = make.seller()
    assert _post_sign_in(client, other.email, factories.PASSWORD, "10.1.0.99").status_code == 302


def test_failures_are_throttled_per_address(client, make):
    seller = make.seller()
    for n in range(30):
        assert _post_sign_in(client, f"guess{n}@example.jp", "password123", "10.2.0.1").status_code == 401
    assert _post_sign_in(client, seller.email, factories.PASSWORD, "10.2.0.1").status_code == 429
    assert _post_sign_in(client, seller.email, factories.PASSWORD, "10.2.0.2").status_code == 302


def test_the_throttle_message_is_translated(client, make):
    seller = make.seller()
    for _n in range(10):
        _post_sign_in(client, seller.email, "wrong password!")
    english = _post_sign_in(client, seller.email, "x", headers={"Accept-Language": "en"})
    assert english.status_code == 429
    assert TOO_MANY in english.get_data(as_text=True)
    japanese = _post_sign_in(client, seller.email, "x", headers={"Accept-Language": "ja"})
    assert japanese.status_code == 429
    with force_locale("ja"):
        expected = _(TOO_MANY)
    assert expected in japanese.get_data(as_text=True)
    assert "Retry-After" in japanese.headers


def test_the_sign_in_page_itself_is_not_throttled(client, make):
    seller = make.seller()
    for _n in range(12):
        _post_sign_in(client, seller.email, "wrong password!")
    assert client.get("/signin", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200


# --- shared counts in Redis ----------------------------------------------------------------

REDIS_URL = os.environ.get("TEST_REDIS_URL")


def _app_from_environment(database_url: str, smtp_port: int):
    """An app configured like a production worker: the limiter's storage comes from REDIS_URL."""
    return create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "OUTBOX_AFTER_COMMIT": "off",
        "SMTP_PORT": smtp_port,
    })


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")
def test_two_app_instances_share_failure_counts_through_redis(tmp_path, monkeypatch, smtp_server):
    import redis
    from limits.storage import RedisStorage

    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    first = _app_from_environment(database, smtp_server.port)
    assert first.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    assert isinstance(limiter.storage, RedisStorage)
    email = f"redis-{uuid.uuid4().hex}@example.jp"
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
    with first.app_context():
        _db.create_all()
        factories.user(email=email)
        client = first.test_client()
        for _n in range(10):
            assert _post_sign_in(client, email, "wrong password!", address).status_code == 401
        _db.session.remove()
    keys = redis.Redis.from_url(REDIS_URL).keys(f"*account:{email}*")
    assert keys, "the failures should be counted in Redis"

    # A second worker (a new app and a new storage connection) sees the same counts.
    second = _app_from_environment(database, smtp_server.port)
    with second.app_context():
        response = _post_sign_in(second.test_client(), email, factories.PASSWORD, address)
        assert response.status_code == 429
        _db.session.remove()
        _db.engine.dispose()
    with first.app_context():
        _db.engine.dispose()
