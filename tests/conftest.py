"""Shared fixtures: an app on a fresh database (SQLite, or PostgreSQL with TEST_DATABASE_URL),
a test client, a real local SMTP server, and the builders in factories.py."""

from __future__ import annotations

import os
import socket
import threading

import pytest
import stripe
from aiosmtpd.controller import Controller
from flask import g, has_app_context
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import text

from marketplace import create_app
from marketplace.extensions import db as _db
from marketplace.timeutil import freeze

from . import factories

pytest_plugins = ["tests.localstripe"]

# CI runs the generated examples derandomized, so a run is repeatable and a red CI means a
# change broke something; at a desk they are random, to keep finding new cases.
settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

PG_URL = os.environ.get("TEST_DATABASE_URL")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages: list = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def clear(self):
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture(scope="session")
def smtp_server():
    mailbox = Mailbox()
    mailbox.port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    yield mailbox
    controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    smtp_server.clear()
    return smtp_server


def _database_url(tmp_path) -> str:
    if PG_URL:
        return PG_URL
    return f"sqlite:///{tmp_path / 'test.db'}"


def _reset_postgres(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture
def app_overrides():
    """Override in a test module to change settings before the app is made."""
    return {}


class IsolatedClient(FlaskClient):
    """The `app` fixture keeps one app context pushed (for the test's own database work), and
    Flask runs every request inside it: without this, `g` (the signed-in user, the CSRF token,
    the language, the rate limiter's bookkeeping) would carry over from one request to the
    next, which never happens in production."""

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def app(tmp_path, smtp_server, app_overrides):
    from marketplace.config import _database_url as normalise

    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": normalise(_database_url(tmp_path)),
        "WTF_CSRF_ENABLED": False,
        "OUTBOX_AFTER_COMMIT": "inline",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_server.port,
        "BASE_URL": "http://shop.test",
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": None,
    }
    settings.update(app_overrides)
    app = create_app(settings)
    app.test_client_class = IsolatedClient
    with app.app_context():
        if PG_URL:
            _reset_postgres(_db.engine)
        _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()
    freeze(None)


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make(app):
    """Builders: make.seller(), make.listing(seller), make.user(), make.admin()."""
    return factories


def sign_in(client, user, password: str = factories.PASSWORD):
    response = client.post("/signin", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.data
    return response


@pytest.fixture
def signed_in(client):
    def _sign_in(user):
        sign_in(client, user)
        return client

    return _sign_in


@pytest.fixture
def stripe_client(localstripe):
    """The real `stripe` library, pointed at the test session's localstripe."""
    return stripe.StripeClient("sk_test_localstripe", base_addresses={"api": localstripe})
