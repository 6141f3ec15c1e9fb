"""The OpenAPI 3.1 document of the API, served at /api/v1/openapi.json.

Feature packages describe their endpoints next to the views with `add(paths=…, schemas=…)`.
The request schemas here are not only documentation: `requests.json_body` and
`requests.query_args` enforce them, so the document and the behaviour cannot drift apart
(schemathesis checks the rest in tests/api/test_schemathesis.py).
"""

from __future__ import annotations

import copy

from flask import jsonify

from ..access import public
from . import bp

VERSION = "1.0.0"
SERVER = "/api/v1"

DESCRIPTION = """\
The JSON API of Hamaichi (浜市), a seafood marketplace run by a fishing village.

**Authentication.** `POST /auth/token` with an e-mail address and password answers a bearer
token; send it as `Authorization: Bearer <token>`. `DELETE /auth/token` revokes it. Browsers may
use their session cookie instead: such calls need no CSRF token, but their body must be JSON (or
empty); form-encoded bodies are refused with `415`.

**Conventions.** Money is an integer number of yen (`*_jpy`, tax included). Quantities are strings
holding decimals (`"2.5"`) in the listing's `unit`. Times are ISO 8601 with an offset; dates are
`YYYY-MM-DD` in Japan time. Lists answer `{"items": [...], "next": cursor}`; pass `next` back as
`?cursor=` for the following page (`null` when there is none).

**Errors.** Every 4xx answers `{"error": {"code", "message", "fields"}}`. `message` is in the
request's language (`Accept-Language`, or `?lang=`). A body or parameter that does not fit this
document is `400 validation_error`; a well-formed request that breaks a rule (a catch time in the
future, a minimum order above the stock, a quantity off the unit's step) is `422
validation_error`. Either way `fields` names each offending field by its request name.

**Limits.** Bodies are at most 256 KB (`413`). Failed token requests are throttled per address
and per account (`429`); successful ones are not counted. A seller may make 1,000 listing
writes an hour.
"""

_paths: dict[str, dict] = {}
_schemas: dict[str, dict] = {}

ERROR_CODES = {
    400: ("validation_error", "The request does not fit this document."),
    401: ("unauthorized", "No valid bearer token (or session)."),
    402: ("payment_failed", "The card was declined or cannot be used; try another card."),
    403: ("forbidden", "Signed in, but not allowed (wrong role, or a cross-site request)."),
    404: ("not_found", "No such resource, or not yours."),
    409: ("invalid_transition", "The resource cannot change like that now."),
    413: ("payload_too_large", "The body is larger than 256 KB."),
    415: ("unsupported_media_type", "The body is not JSON."),
    422: ("validation_error", "Well-formed, but breaks a rule; `fields` says which."),
    429: ("rate_limited", "Too many failed attempts; try again later."),
    503: ("payment_unavailable", "Stripe cannot be reached now; nothing changed, try again."),
}

_schemas["Error"] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {
                    "type": "string",
                    "pattern": "^[a-z_]+$",
                    "examples": ["validation_error"],
                },
                "message": {
                    "type": "string",
                    "description": "Human text in the request's language.",
                },
                "fields": {
                    "type": "object",
                    "description": "Request name of each offending field → what to fix.",
                    "additionalProperties": {"type": "string"},
                    "examples": [
                        {"quantity": "Enter a number such as 2.5 (use a dot, not a comma)."}
                    ],
                },
            },
        }
    },
}


def add(*, paths: dict | None = None, schemas: dict | None = None) -> None:
    """Describe more of the API (called by the feature packages' api modules at import)."""
    for path, operations in (paths or {}).items():
        _paths.setdefault(path, {}).update(operations)
    _schemas.update(schemas or {})


def ref(schema: str) -> dict:
    return {"$ref": f"#/components/schemas/{schema}"}


def json_content(schema: dict, example: dict | None = None) -> dict:
    media = {"schema": schema, **({"example": example} if example is not None else {})}
    return {"content": {"application/json": media}}


def errors(*statuses: int) -> dict:
    """Response objects for the given error statuses."""
    return {str(status): {"$ref": f"#/components/responses/E{status}"} for status in statuses}


def _error_response(status: int) -> dict:
    code, description = ERROR_CODES[status]
    codes = [code, "conflict", "out_of_stock"] if status == 409 else [code]
    schema = {
        "allOf": [
            ref("Error"),
            {"properties": {"error": {"properties": {"code": {"enum": codes}}}}},
        ]
    }
    response = {"description": description, **json_content(schema)}
    if status == 429:
        response["headers"] = {
            "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}}
        }
    if status == 401:
        response["headers"] = {
            "WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}
        }
    return response


def components() -> dict:
    return {
        "schemas": _schemas,
        "responses": {f"E{status}": _error_response(status) for status in ERROR_CODES},
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "A token from `POST /auth/token`.",
            }
        },
    }


def document() -> dict:
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {"title": "Hamaichi API", "version": VERSION, "description": DESCRIPTION},
            "servers": [{"url": SERVER}],
            "paths": dict(sorted(_paths.items())),
            "components": components(),
        }
    )


def query_parameters(path: str, method: str = "get") -> list[dict]:
    operation = _paths[path][method]
    return [p for p in operation.get("parameters", []) if p["in"] == "query"]


@bp.route("/openapi.json")
@public
def openapi():
    return jsonify(document())
