"""Sign-in throttling: failures are counted per address and per account, successes are not."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

PER_ADDRESS = "30 per 10 minutes"
PER_ACCOUNT = "10 per 15 minutes"
SIGNUP = "20 per hour"


def failed(response) -> bool:
    return response.status_code in (400, 401, 422)


def account_key() -> str:
    data = request.get_json(silent=True) if request.is_json else request.form
    email = (data or {}).get("email") if isinstance(data, dict) or hasattr(data, "get") else None
    return "account:" + str(email or "").strip().lower()[:254]


def message() -> str:
    return _("Too many attempts. Please wait a few minutes and try again.")
