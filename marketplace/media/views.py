from __future__ import annotations

from flask import Blueprint, abort, send_file

from ..access import public
from .storage import storage

bp = Blueprint("media", __name__)


@bp.route("/media/<name>")
@public
def photo(name: str):
    path = storage().path(name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/webp", max_age=31536000, conditional=True)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
