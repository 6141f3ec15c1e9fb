"""Settings from the environment (12-factor), with embedded defaults for the demo."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = ROOT / "instance"

LANGUAGES = {
    "ja": "日本語",
    "en": "English",
    "zh_Hans": "简体中文",
    "zh_Hant": "繁體中文",
    "ko": "한국어",
}


class ConfigError(RuntimeError):
    pass


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(url: str | None) -> str:
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'hamaichi.db'}"
    # psycopg 3 is the driver we ship.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def from_environment() -> dict:
    """Read every setting the app knows from the environment."""
    env = os.environ
    base_url = env.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    secure = base_url.startswith("https://")
    production = env.get("HAMAICHI_ENV", "development") == "production"
    secret = env.get("SECRET_KEY")
    if production and not secret:
        raise ConfigError("SECRET_KEY must be set in production")
    if production and not env.get("DATABASE_URL"):
        raise ConfigError("DATABASE_URL must be set in production")
    return {
        "ENV_NAME": "production" if production else "development",
        "SECRET_KEY": secret or "dev-only-not-secret",
        "SQLALCHEMY_DATABASE_URI": _database_url(env.get("DATABASE_URL")),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": env.get("REDIS_URL") or None,
        "BASE_URL": base_url,
        "PREFERRED_URL_SCHEME": "https" if secure else "http",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_SECURE": secure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "HSTS": secure,
        # How many proxies in front of us set X-Forwarded-*; 0 means trust no such header.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", 0)),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_UPLOAD_BYTES", 12 * 1024 * 1024)),
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": secure,
        "BABEL_DEFAULT_LOCALE": "ja",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "marketplace" / "translations"),
        "LANGUAGES": LANGUAGES,
        "MEDIA_ROOT": env.get("MEDIA_ROOT", str(INSTANCE_DIR / "media")),
        "STRIPE_SECRET_KEY": env.get("STRIPE_SECRET_KEY", "sk_test_localstripe"),
        "STRIPE_PUBLISHABLE_KEY": env.get("STRIPE_PUBLISHABLE_KEY", "pk_test_localstripe"),
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET", "whsec_localstripe"),
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE") or None,
        "STRIPE_JS_URL": env.get("STRIPE_JS_URL") or None,
        "SMTP_HOST": env.get("SMTP_HOST", "127.0.0.1"),
        "SMTP_PORT": int(env.get("SMTP_PORT", 8025)),
        "SMTP_USE_TLS": _bool("SMTP_USE_TLS", False),
        "SMTP_USERNAME": env.get("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD") or None,
        "MAIL_FROM": env.get("MAIL_FROM", "Hamaichi <no-reply@hamaichi.example>"),
        # "thread": drain the outbox in a background thread after each commit (embedded default);
        # "inline": drain synchronously after commit (tests); "off": only `flask outbox send`.
        "OUTBOX_AFTER_COMMIT": env.get("OUTBOX_AFTER_COMMIT", "thread"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "CATALOG_PAGE_SIZE": 24,
        "RESERVATION_MINUTES": int(env.get("RESERVATION_MINUTES", 15)),
        "AUTHORISE_MARGIN_PERCENT": int(env.get("AUTHORISE_MARGIN_PERCENT", 10)),
    }
