"""Error pages and JSON errors: bad input is a clear, translated 4xx; a crash gets a reference."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .db import rollback

log = logging.getLogger(__name__)

CODES = {
    400: "validation_error",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Please sign in."),
        403: _("You are not allowed to do that."),
        404: _("We could not find that page."),
        405: _("That is not allowed here."),
        413: _("That upload is too large. Photos may be at most 12 MB."),
        415: _("Send the request as JSON."),
        429: _("Too many attempts. Please wait a few minutes and try again."),
    }


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, fields: dict | None = None, **extra):
    body = {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}
    return jsonify(body), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        message = _("This form has expired. Please reload the page and try again.")
        if wants_json():
            return json_error(400, "csrf_failed", message)
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status >= 500:
            return crash(error)
        message = _messages().get(status, error.description)
        if status == 429 and error.description and not error.description[0].isdigit():
            message = error.description
        if wants_json():
            return json_error(status, CODES.get(status, "error"), message)
        return render_template("errors/error.html", status=status, message=message), status

    @app.errorhandler(Exception)
    def crash(error):
        if isinstance(error, HTTPException) and (error.code or 500) < 500:
            return http_error(error)
        reference = secrets.token_hex(4)
        log.exception("unhandled error, reference %s", reference, exc_info=error)
        rollback()
        message = _("Something went wrong on our side. Reference: %(ref)s", ref=reference)
        if wants_json():
            return json_error(500, "internal_error", message, reference=reference)
        return render_template("errors/error.html", status=500, message=message), 500
