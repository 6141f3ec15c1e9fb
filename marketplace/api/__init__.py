"""The public JSON API, v1 (see API.md). Feature packages add their routes to `bp`, and
describe them in the OpenAPI document (`openapi.add`), whose request schemas are enforced by
`json_body` and `query_args` (see `requests.py`).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..db import rollback
from ..errors import DomainError, Forbidden
from ..extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

# No API request needs more: a listing with every text in five languages is ~60 KB.
MAX_BODY_BYTES = 256 * 1024
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# What an HTML form can send cross-site without a CORS preflight.
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    status = 415


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    status = 413


def error_response(
    status: int, code: str, message: str, fields: dict | None = None, **extra
) -> Response:
    """The API's one error shape: {"error": {"code", "message", "fields", …}}."""
    response = jsonify(
        {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}
    )
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="hamaichi"'
    return response


@bp.before_request
def guard_request():
    """Bound the body, and stand in for the CSRF token that HTML forms carry.

    Cookie-authenticated API calls carry JSON or nothing. A cross-site page can only send
    form-encoded or text/plain bodies without a CORS preflight (which we never grant), so
    refusing those – even empty ones – is what keeps the CSRF-exempt API safe."""
    request.max_content_length = MAX_BODY_BYTES
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise PayloadTooLarge(_too_large_message())
    if request.method in SAFE_METHODS:
        return None
    if request.headers.get("Sec-Fetch-Site") == "cross-site" and not _has_bearer():
        raise Forbidden(_("You are not allowed to do that."))
    mimetype = request.mimetype
    if mimetype in FORM_TYPES or ((request.content_length or _chunked()) and not request.is_json):
        raise UnsupportedMediaType(_("Send the request as JSON."))
    return None


def _has_bearer() -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def _chunked() -> bool:
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _too_large_message() -> str:
    return _("The request is too large.")


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    rollback()  # a refused request leaves nothing half-done behind (no hold, no half order)
    return error_response(error.status, error.code, error.message, error.fields, **error.extra)


_HTTP_CODES = {
    400: "validation_error",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def _http_message(status: int) -> str:
    return {
        400: _("The request could not be understood."),
        401: _("Please sign in."),
        403: _("You are not allowed to do that."),
        404: _("Not found."),
        405: _("That is not allowed here."),
        413: _too_large_message(),
        415: _("Send the request as JSON."),
        429: _("Too many attempts. Please wait a few minutes and try again."),
    }[status]


def _http_error(error: HTTPException):
    status = error.code or 400
    message = _http_message(status)
    if status == 429 and error.description and not error.description[0].isdigit():
        message = error.description  # the limiter's translated message
    response = error_response(status, _HTTP_CODES[status], message)
    for name, value in error.get_headers():
        if name.lower() in ("allow", "retry-after"):
            response.headers[name] = value
    return response


for _status in _HTTP_CODES:
    bp.register_error_handler(_status, _http_error)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    return error_response(413, "payload_too_large", _too_large_message())


@bp.after_app_request
def allow_header_on_405(response: Response) -> Response:
    """Routing errors never reach the blueprint's handlers; a 405 under /api/ still names the
    methods that the resource allows (RFC 9110)."""
    exc = request.routing_exception
    if response.status_code == 405 and request.path.startswith("/api/") and exc is not None:
        methods = getattr(exc, "valid_methods", None)
        if methods and "Allow" not in response.headers:
            response.headers["Allow"] = ", ".join(sorted(methods))
    return response


def viewer():
    """The signed-in user, or None."""
    return current_user if current_user.is_authenticated else None


# Last: the feature packages' api modules import `bp` and the helpers above.
from . import routes  # noqa: E402,F401
