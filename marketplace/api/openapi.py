"""The OpenAPI 3 document of the API, served at /api/v1/openapi.json."""

from __future__ import annotations

from flask import jsonify

from ..access import public
from . import bp


def document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Hamaichi API", "version": "1.0.0"},
        "servers": [{"url": "/api/v1"}],
        "paths": {},
    }


@bp.route("/openapi.json")
@public
def openapi():
    return jsonify(document())
