"""Security headers on every response; a CSP with no inline code; HTTPS only where configured."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from marketplace.config import ROOT
from marketplace.security import STRIPE_HOSTS

from ..conftest import sign_in

STRIPE = {host for hosts in STRIPE_HOSTS.values() for host in hosts}
LOCALSTRIPE = "http://127.0.0.1:8420"


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_secure_headers(response, *, hsts: bool = False) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "same-origin", "no-referrer")
    csp = policy(response)
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]
    assert ("Strict-Transport-Security" in response.headers) is hsts


def _urls(app, listing, seller):
    """One URL per GET route, with real ids where there are some."""
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        values = {}
        for name, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter):
                values[name] = seller.id if "seller" in name or "user" in name else listing.id
            elif isinstance(converter, AnyConverter):
                values[name] = sorted(converter.items)[0]
            elif name == "filename":
                values[name] = "css/app.css"
            elif name == "code":
                values[name] = "en"
            else:
                values[name] = "missing-photo-name-123.webp"
        yield rule.build(values)[1]


def test_every_get_route_sends_the_headers(app, client, make):
    seller = make.seller()
    listing = make.listing(seller)
    statuses = set()
    for url in _urls(app, listing, seller):
        for who in ("anonymous", "seller"):
            if who == "seller":
                sign_in(client, seller)
            with client.get(url) as response:  # static files stream: close them
                statuses.add(response.status_code)
                assert_secure_headers(response)
            if who == "seller":
                client.post("/signout")
    assert {200, 302, 404} <= statuses


def test_error_pages_and_posts_send_the_headers(client, make):
    assert_secure_headers(client.get("/no/such/page"))
    assert_secure_headers(client.post("/signin", data={"email": "x@example.jp", "password": "no"}))
    assert_secure_headers(client.post("/api/v1/auth/token", json={}))
    assert_secure_headers(client.put("/catalog"))


def test_csp_allows_only_our_origin_and_stripe(client):
    csp = policy(client.get("/"))
    for directive, sources in csp.items():
        for source in sources:
            if source in ("'self'", "'none'"):
                continue
            if source in ("data:", "blob:"):
                assert directive == "img-src", (directive, source)
                continue
            assert source in STRIPE, (directive, source)
    assert "'unsafe-inline'" not in str(csp) and "'unsafe-eval'" not in str(csp)
    assert "https://js.stripe.com" in csp["script-src"]
    assert "https://api.stripe.com" in csp["connect-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]


class TestLocalstripe:
    @pytest.fixture
    def app_overrides(self):
        return {"STRIPE_API_BASE": LOCALSTRIPE}

    def test_csp_allows_localstripe_instead_of_stripe(self, client):
        csp = policy(client.get("/"))
        assert LOCALSTRIPE in csp["script-src"]
        assert LOCALSTRIPE in csp["connect-src"]
        assert LOCALSTRIPE in csp["frame-src"]
        assert not STRIPE & {source for sources in csp.values() for source in sources}


def test_no_hsts_over_http(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


class TestHttps:
    @pytest.fixture
    def app_overrides(self, monkeypatch):
        monkeypatch.setenv("BASE_URL", "https://shop.test")
        return {"BASE_URL": "https://shop.test"}

    def test_hsts_on_every_response(self, client):
        for url in ("/", "/catalog", "/signin", "/no/such/page", "/api/v1/listings"):
            response = client.get(url)
            assert_secure_headers(response, hsts=True)
            assert "max-age=31536000" in response.headers["Strict-Transport-Security"]

    def test_plain_http_is_redirected_to_https(self, client):
        response = client.get("/catalog?q=kani", base_url="http://shop.test")
        assert response.status_code == 308
        assert response.headers["Location"] == "https://shop.test/catalog?q=kani"

    def test_a_form_post_over_http_is_redirected_keeping_the_method(self, client):
        response = client.post("/signin", base_url="http://shop.test", data={"email": "a@b.jp"})
        assert response.status_code == 308

    def test_the_redirect_uses_base_url_not_the_host_header(self, client):
        response = client.get("/", base_url="http://evil.example")
        assert response.headers["Location"] == "https://shop.test/"

    def test_forwarded_proto_is_ignored_without_a_trusted_proxy(self, client):
        response = client.get("/", base_url="http://shop.test", headers={"X-Forwarded-Proto": "https"})
        assert response.status_code == 308


class TestBehindAProxy:
    """TLS ends at a trusted load balancer (TRUSTED_PROXIES=1), which sets X-Forwarded-Proto."""

    @pytest.fixture
    def app_overrides(self, monkeypatch):
        monkeypatch.setenv("BASE_URL", "https://shop.test")
        return {"BASE_URL": "https://shop.test", "TRUSTED_PROXIES": 1}

    def test_forwarded_https_is_served(self, client):
        response = client.get("/", base_url="http://shop.test", headers={"X-Forwarded-Proto": "https"})
        assert response.status_code == 200
        assert_secure_headers(response, hsts=True)

    def test_forwarded_http_is_redirected(self, client):
        response = client.get("/", base_url="http://shop.test", headers={"X-Forwarded-Proto": "http"})
        assert response.status_code == 308
        assert response.headers["Location"] == "https://shop.test/"


# --- no inline code -------------------------------------------------------------------------

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def _inline_code(html: str) -> list[str]:
    return [label for pattern, label in INLINE if pattern.search(html)]


def test_templates_have_no_inline_script_or_style():
    found = {}
    for path in sorted((ROOT / "templates").rglob("*.html")):
        problems = _inline_code(path.read_text(encoding="utf-8"))
        if problems:
            found[str(path.relative_to(ROOT))] = problems
    assert found == {}


def test_rendered_pages_have_no_inline_script_or_style(client, make):
    seller = make.seller()
    listing = make.listing(seller, description="<script>alert(1)</script> onload=x")
    pages = ["/", "/catalog", f"/listings/{listing.id}", f"/sellers/{seller.id}", "/signin", "/signup"]
    sign_in(client, seller)
    pages += ["/sell", "/sell/listings/new", f"/sell/listings/{listing.id}/edit", "/sell/apply"]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        html = html.replace("&lt;script&gt;alert(1)&lt;/script&gt; onload=x", "")
        assert _inline_code(html) == [], url


def test_static_javascript_is_served_from_our_origin_only(client, make):
    html = client.get("/").get_data(as_text=True)
    for src in re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", html):
        assert src.startswith("/static/"), src
    assert Path(ROOT / "static").is_dir()
