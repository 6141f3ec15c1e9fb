"""Browser tests: the real app served on loopback, driven by Debian's chromium at phone size.

One server and one browser per session; a new browser context (360x800, touch) per test.
Test data is built with tests/factories.py inside the server's app context; each test makes
its own sellers and listings, so tests do not depend on one another.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from PIL import Image

from marketplace import create_app
from marketplace.extensions import db

from .. import factories
from ..conftest import free_port

CHROMIUM = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 800}


HERE = os.path.dirname(os.path.abspath(__file__))


def pytest_collection_modifyitems(items):
    for item in items:
        if str(item.path).startswith(HERE + os.sep):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM:
                item.add_marker(pytest.mark.skip(reason="Debian's chromium is not installed"))


@dataclass
class LiveServer:
    url: str
    app: object

    def build(self, fn, *args, **kwargs):
        """Run a builder in the app context; give back plain values (no detached ORM rows)."""
        with self.app.app_context():
            made = fn(*args, **kwargs)
            return SimpleNamespace(
                id=made.id,
                email=getattr(made, "email", None),
                name=getattr(getattr(made, "seller", None), "name", None),
            )

    def seller(self, **kwargs):
        return self.build(factories.seller, **kwargs)

    def admin(self):
        return self.build(factories.admin)

    def listing(self, seller, *, photo: bool = False, **data):
        def make():
            from marketplace.accounts.models import User
            from marketplace.media.images import save_photo

            if photo:
                data["photo_keys"] = [save_photo(jpeg_file()["buffer"])]
            return factories.listing(db.session.get(User, seller.id), **data)

        return self.build(make)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, smtp_server, localstripe):
    """The app, paying through localstripe (tests/localstripe.py) as `flask demo run` does: its
    API and its fake Stripe.js (so the CSP allows that origin), and its webhook deliveries."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    from marketplace.demo.local_shop import register_webhook

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):  # errors are still logged
            pass

    tmp = tmp_path_factory.mktemp("live")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(
        {
            "TESTING": False,
            "SECRET_KEY": "browser-test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'browser.db'}",
            "WTF_CSRF_ENABLED": True,
            "OUTBOX_AFTER_COMMIT": "inline",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": smtp_server.port,
            "MEDIA_ROOT": str(tmp / "media"),
            "BASE_URL": url,
            "RATELIMIT_STORAGE_URI": "memory://",
            "STRIPE_API_BASE": localstripe,
            "STRIPE_JS_URL": f"{localstripe}/js.stripe.com/v3/",
        }
    )
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    register_webhook(localstripe, f"{url}/stripe/webhook", app.config["STRIPE_WEBHOOK_SECRET"])
    yield LiveServer(url=url, app=app)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def phone_context(browser, locale: str = "ja-JP", **extra):
    return browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale=locale,
        timezone_id="Asia/Tokyo",
        **extra,
    )


@pytest.fixture
def context(browser):
    ctx = phone_context(browser)
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


def sign_in(page, base_url: str, email: str, password: str = factories.PASSWORD) -> None:
    page.goto(f"{base_url}/signin")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").tap()
    page.wait_for_url(lambda url: "/signin" not in url)


def jpeg_file(name: str = "catch.jpg", size=(1600, 1200)) -> dict:
    """A camera-sized JPEG made by Pillow, for set_input_files."""
    image = Image.new("RGB", size, (20, 80, 130))
    for x in range(0, size[0], 40):  # some detail, so it is not a single colour
        for y in range(0, size[1], 200):
            image.putpixel((x, y), (240, 200, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return {"name": name, "mimeType": "image/jpeg", "buffer": out.getvalue()}
