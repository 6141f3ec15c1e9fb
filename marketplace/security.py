"""Response headers (CSP, HSTS, …), HTTPS, safe redirect targets and ids from user input."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, redirect, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

# The largest id a PostgreSQL INTEGER column holds: a bigger one would be a database error.
MAX_ID = 2**31 - 1

STRIPE_HOSTS = {
    "script": ["https://js.stripe.com"],
    "frame": ["https://js.stripe.com", "https://hooks.stripe.com"],
    "connect": ["https://api.stripe.com", "https://m.stripe.network"],
}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(app: Flask) -> str:
    api_base = app.config.get("STRIPE_API_BASE")
    if api_base:  # localstripe serves both its API and its fake Stripe.js
        local = _origin(api_base)
        script, frame, connect = [local], [local], [local]
    else:
        script, frame, connect = STRIPE_HOSTS["script"], STRIPE_HOSTS["frame"], STRIPE_HOSTS["connect"]
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(script),
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "font-src 'self'",
            "connect-src 'self' " + " ".join(connect),
            "frame-src " + " ".join(frame),
            "frame-ancestors 'none'",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


class IdConverter(IntegerConverter):
    """`<int:...>` in our routes. An id the database cannot hold is one that exists nowhere: up
    to ten digits it becomes 0 (the lookup answers 404), longer it matches no route (404). A
    converter that refused it instead would make werkzeug answer 405 for other methods."""

    regex = r"\d{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if number <= MAX_ID else 0


def parse_id(raw: object) -> int | None:
    """An id from user input ('42' or 42), or None: ASCII digits only ('²'.isdigit() is True
    but int('²') fails), from 1 to MAX_ID."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 10):
            return None
        raw = int(raw)
    if not isinstance(raw, int):
        return None
    return raw if 1 <= raw <= MAX_ID else None


def init_app(app: Flask) -> None:
    """Call before the blueprints are registered (their rules use the `int` converter)."""
    app.url_map.converters["int"] = IdConverter
    csp = content_security_policy(app)

    @app.after_request
    def set_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["Permissions-Policy"] = "geolocation=(), microphone=()"
        if app.config.get("HSTS"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response

    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind a load balancer: believe its X-Forwarded-For and -Proto, and nobody else's.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    if app.config.get("HSTS"):

        @app.before_request
        def redirect_to_https():
            if not request.is_secure:
                # BASE_URL, not the Host header, so the redirect cannot be pointed elsewhere.
                path = request.full_path if request.query_string else request.path
                return redirect(app.config["BASE_URL"] + path, 308)
            return None


def safe_next(target: str | None, default: str = "/") -> str:
    """A same-site path to redirect to after sign-in; anything else becomes `default`."""
    if not target:
        return default
    target = target.strip()
    if any(ord(c) < 32 for c in target) or "\\" in target:
        return default
    try:
        parts = urlsplit(target)
    except ValueError:  # e.g. "//[" : an unclosed IPv6 host
        return default
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def base_url() -> str:
    return current_app.config["BASE_URL"]
