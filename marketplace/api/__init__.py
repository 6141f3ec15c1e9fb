"""The public JSON API, v1 (see API.md). Feature packages add their routes to `bp`."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _

from ..errors import DomainError
from ..extensions import csrf
from ..http_errors import json_error

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.before_request
def refuse_cross_site_forms():
    """Cookie-authenticated API calls carry JSON or nothing: a cross-site HTML form cannot send
    JSON, so this stands in for the CSRF token that forms carry."""
    if request.method in ("GET", "HEAD", "OPTIONS") or not request.content_length:
        return None
    if request.is_json:
        return None
    return json_error(415, "unsupported_media_type", _("Send the request as JSON."))


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    return json_error(error.status, error.code, error.message, error.fields or None, **error.extra)


def json_body() -> dict:
    """The request's JSON object; anything else is a validation error."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        from ..errors import ValidationFailed

        raise ValidationFailed(_("Send a JSON object."))
    return data


from . import routes  # noqa: E402,F401  (registers the feature packages' endpoints)
