"""Locale choice and locale-aware formatting of yen, quantities and Tokyo times."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.numbers import get_currency_symbol
from flask import Flask, current_app, has_request_context, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale, refresh
from flask_login import current_user

from ..timeutil import to_tokyo
from ..units import STEP

COOKIE = "lang"


def _supported() -> dict[str, str]:
    return current_app.config["LANGUAGES"]


def normalise(code: str | None) -> str | None:
    """'zh-TW' -> 'zh_Hant', 'en-US' -> 'en', 'ja' -> 'ja'; None when unsupported."""
    if not code:
        return None
    code = code.strip().replace("-", "_")
    lower = code.lower()
    if lower in ("zh_hant", "zh_tw", "zh_hk", "zh_mo") or lower.startswith("zh_hant"):
        return "zh_Hant"
    if lower.startswith("zh"):
        return "zh_Hans"
    base = lower.split("_")[0]
    for supported in _supported():
        if supported.lower() == base:
            return supported
    return None


def select_locale() -> str:
    """The user's explicit choice (cookie, then account), then Accept-Language, then Japanese."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = normalise(request.args.get("lang")) or normalise(request.cookies.get(COOKIE))
    if chosen:
        return chosen
    # The JSON API answers in the request's language (API.md): Accept-Language first there.
    api = request.path.startswith("/api/")
    account = current_user.locale if current_user and current_user.is_authenticated else None
    if account and not (api and request.accept_languages):
        return account
    for code, _quality in request.accept_languages:
        found = normalise(code)
        if found:
            return found
    return account or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    """The catalogue name of the locale in force ('ja', 'en', 'zh_Hans', ...): the request's,
    or the recipient's inside `force_locale` (e-mails). Flask-Babel caches the choice."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def yen(amount: int | None) -> str:
    """Integer yen, tax included: '¥1,800'. Chinese and Korean readers get CLDR's 'JP¥1,800',
    since '¥' alone reads as yuan to them."""
    if amount is None:
        return ""
    number = format_decimal(amount, format="#,##0")
    locale = get_locale()
    if locale is None or locale.language in ("ja", "en"):
        return f"¥{number}"
    return f"{get_currency_symbol('JPY', locale)}{number}"


def quantity(value: Decimal | None, unit: str) -> str:
    if value is None:
        return ""
    return format_decimal(Decimal(value).quantize(STEP[unit]), format="#,##0.#")


def tokyo_datetime(value: datetime | None, fmt: str = "short") -> str:
    if value is None:
        return ""
    return format_datetime(to_tokyo(value), fmt)


def local_date(value: date | None, fmt: str = "medium") -> str:
    return format_date(value, fmt) if value else ""


def pick(texts: dict | None) -> str:
    """The text of a multilingual field in the request's language, falling back sensibly."""
    if not texts:
        return ""
    lang = current_language()
    # A Japanese reader falls back to English last; everyone else (tourists reading Chinese or
    # Korean) reads English sooner than Japanese.
    fallbacks = ("ja", "en") if lang == "ja" else ("en", "ja")
    for key in (lang, lang.split("_")[0], *fallbacks):
        if texts.get(key):
            return texts[key]
    return next(iter(texts.values()), "")


def init_app(app: Flask) -> None:
    from ..urls import absolute_url

    app.jinja_env.globals["absolute_url"] = absolute_url
    app.jinja_env.filters.update(
        yen=yen, quantity=quantity, tokyo=tokyo_datetime, local_date=local_date, pick=pick
    )

    @app.before_request
    def choose_language_afresh():
        # Flask-Babel keeps its choice on `g`, which lives as long as the app context; where
        # one app context serves several requests (the test client inside `app.app_context()`)
        # each request must still choose by its own ?lang=, cookie, account and headers.
        refresh()

    @app.context_processor
    def language_context():
        return {"current_language": current_language(), "languages": app.config["LANGUAGES"]}
