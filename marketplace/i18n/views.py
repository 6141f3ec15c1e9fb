from __future__ import annotations

from flask import Blueprint, abort, redirect, request

from .. import db as tx
from ..access import public
from ..security import safe_next
from . import COOKIE, normalise

bp = Blueprint("i18n", __name__)


@bp.route("/lang/<code>", methods=["GET", "POST"])
@public
def switch(code: str):
    """Remember the chosen language (cookie, and the account when signed in)."""
    from flask_login import current_user

    locale = normalise(code)
    if locale is None:
        abort(404)
    response = redirect(safe_next(request.values.get("next"), "/"))
    response.set_cookie(COOKIE, locale, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    if current_user.is_authenticated:
        current_user.locale = locale
        tx.commit()
    return response
