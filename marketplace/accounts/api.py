"""API tokens: issue (throttled on failures), revoke; and who the caller is."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from .. import db as tx
from ..access import public, signed_in
from ..api import bp, error_response, openapi
from ..api.requests import hint, json_body
from ..extensions import limiter
from . import services, throttle
from .models import ROLES


@bp.route("/auth/token", methods=["POST"])
@limiter.limit(throttle.PER_ADDRESS, deduct_when=throttle.failed, error_message=throttle.message)
@limiter.limit(
    throttle.PER_ACCOUNT,
    key_func=throttle.account_key,
    deduct_when=throttle.failed,
    error_message=throttle.message,
)
@public
def issue_token():
    data = json_body("TokenRequest")
    email, password = data["email"], data["password"]
    # NUL cannot be in a stored address (and PostgreSQL refuses it in a query).
    user = None if "\x00" in email else services.authenticate(email, password)
    if user is None:
        return error_response(
            401, "unauthorized", _("The e-mail address or password is not right.")
        )
    token = services.issue_token(user)
    tx.commit()
    return jsonify({"token": token, "user": {"id": user.id, "role": user.role}})


@bp.route("/auth/token", methods=["DELETE"])
@signed_in
def revoke_token():
    """Revokes the bearer token the request carries (a cookie session has none: nothing to do)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        services.revoke_token(header[7:].strip())
        tx.commit()
    return "", 204


@bp.route("/me")
@signed_in
def me():
    return jsonify({"id": current_user.id, "role": current_user.role, "email": current_user.email})


hint("email", lambda: _("Enter your e-mail address."))
hint("password", lambda: _("Enter your password."))

openapi.add(
    schemas={
        "TokenRequest": {
            "type": "object",
            "required": ["email", "password"],
            "properties": {
                "email": {"type": "string", "minLength": 1, "maxLength": 254},
                "password": {"type": "string", "minLength": 1, "maxLength": 1024},
            },
        },
        "UserRef": {
            "type": "object",
            "required": ["id", "role"],
            "properties": {
                "id": {"type": "integer"},
                "role": {"type": "string", "enum": list(ROLES)},
            },
        },
        "Token": {
            "type": "object",
            "required": ["token", "user"],
            "properties": {
                "token": {
                    "type": "string",
                    "description": "Send as `Authorization: Bearer <token>`.",
                },
                "user": openapi.ref("UserRef"),
            },
        },
        "Me": {
            "type": "object",
            "required": ["id", "role", "email"],
            "properties": {
                "id": {"type": "integer"},
                "role": {"type": "string", "enum": list(ROLES)},
                "email": {"type": "string"},
            },
        },
    },
    paths={
        "/auth/token": {
            "post": {
                "operationId": "issueToken",
                "tags": ["auth"],
                "summary": "Exchange an e-mail address and password for a bearer token",
                "description": "A wrong address or password is `401`. Failed attempts are counted "
                "per address and per account and throttled (`429`); successful ones are not.",
                "security": [],
                "requestBody": {
                    "required": True,
                    **openapi.json_content(openapi.ref("TokenRequest")),
                },
                "responses": {
                    "200": {
                        "description": "A new token.",
                        **openapi.json_content(openapi.ref("Token")),
                    },
                    **openapi.errors(400, 401, 403, 413, 415, 429),
                },
            },
            "delete": {
                "operationId": "revokeToken",
                "tags": ["auth"],
                "summary": "Revoke the bearer token this request carries",
                "description": "Afterwards the token answers `401`.",
                "security": [{"bearerAuth": []}],
                "responses": {
                    "204": {"description": "Revoked."},
                    **openapi.errors(401, 403, 413, 415),
                },
            },
        },
        "/me": {
            "get": {
                "operationId": "me",
                "tags": ["auth"],
                "summary": "The caller's account",
                "security": [{"bearerAuth": []}],
                "responses": {
                    "200": {
                        "description": "The caller.",
                        **openapi.json_content(openapi.ref("Me")),
                    },
                    **openapi.errors(401),
                },
            }
        },
    },
)
