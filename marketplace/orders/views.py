from __future__ import annotations

from flask import Blueprint, abort, render_template

from ..access import public
from ..errors import NotFound
from . import services

bp = Blueprint("orders", __name__)


@bp.route("/track/<token>")
@public
def track(token: str):
    try:
        order = services.order_by_token(token)
    except NotFound:
        abort(404)
    return render_template("orders/track.html", order=order)
