"""Reading requests exactly as the OpenAPI document describes them.

A JSON body is parsed strictly (no NaN or Infinity, no lone surrogates) and checked against its
schema in the document, so what the document promises is what the server accepts: anything the
schema refuses is `400 validation_error` naming each field by its request name. Rules that a
schema cannot say (a catch time in the future, a minimum order above the stock) are checked by
the services and answered `422 validation_error`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache

import jsonschema_rs
from flask import request
from flask_babel import gettext as _

from ..errors import ValidationFailed
from . import openapi

_INTEGER = re.compile(r"-?[0-9]{1,30}")


class MalformedRequest(ValidationFailed):
    """The request does not fit the OpenAPI document (as opposed to breaking a rule: 422)."""

    status = 400


# Field hints: feature packages register a message per request name (`hint("price_jpy", …)`).
_HINTS: dict[str, Callable[[], str]] = {}


def hint(name: str, message: Callable[[], str]) -> None:
    """What to tell the client when field `name` does not fit its schema (called lazily, so
    the message is in the request's language)."""
    _HINTS[name] = message


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return value


def parse_json() -> object:
    """The body as JSON, strictly; anything unreadable is a MalformedRequest."""
    raw = request.get_data(cache=True)  # bounded by request.max_content_length (413)
    if not raw.strip():
        raise MalformedRequest(_("Send a JSON object."))
    try:
        data = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
        # Lone surrogates ("\ud800") parse, but can be neither stored nor shown.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError) as error:
        raise MalformedRequest(_("The request could not be understood.")) from error
    return data


def json_body(schema: str) -> dict:
    """The request's JSON object, valid against `#/components/schemas/<schema>`."""
    data = parse_json()
    fields = _errors(_validator(schema), data)
    if fields or not isinstance(data, dict):
        raise MalformedRequest(
            _("Please correct the marked fields.") if fields else _("Send a JSON object."), fields
        )
    return data


def query_args(path: str, method: str = "get") -> dict:
    """The declared query parameters of an operation, typed and valid against their schemas.
    Empty and undeclared parameters are left out; a repeated one is an error."""
    values: dict = {}
    fields: dict[str, str] = {}
    for parameter in openapi.query_parameters(path, method):
        name = parameter["name"]
        given = request.args.getlist(name)
        if not given:
            continue
        if len(given) > 1:
            fields[name] = _("Give this parameter once.")
            continue
        value = given[0]
        if parameter["schema"].get("type") == "integer" and _INTEGER.fullmatch(value):
            value = int(value)
        values[name] = value
    if not fields:
        fields = _errors(_query_validator(path, method), values)
    if fields:
        raise MalformedRequest(_("Please correct the marked fields."), fields)
    return {name: value for name, value in values.items() if value != ""}


@cache
def _validator(schema: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.Draft202012Validator(
        {"$ref": f"#/components/schemas/{schema}", "components": openapi.components()},
        validate_formats=True,
    )


@cache
def _query_validator(path: str, method: str) -> jsonschema_rs.Validator:
    parameters = openapi.query_parameters(path, method)
    schema = {"type": "object", "properties": {p["name"]: p["schema"] for p in parameters}}
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


def _errors(validator: jsonschema_rs.Validator, data: object) -> dict[str, str]:
    """{request name: message} for every part of `data` that does not fit."""
    fields: dict[str, str] = {}
    for error in validator.iter_errors(data):
        name = _field_name(error)
        if name is None or name in fields:
            continue
        if (
            isinstance(error.kind, jsonschema_rs.ValidationErrorKind.Required)
            and not error.instance_path
        ):
            fields[name] = _("This field is required.")
        else:
            fields[name] = _hint_for(name)
    return fields


def _field_name(error: jsonschema_rs.ValidationError) -> str | None:
    """The request name of the offending field: dotted through objects ('delivery.date'),
    stopping at the list that holds it ('price_tiers')."""
    parts: list[str] = []
    for part in error.instance_path:
        if isinstance(part, int):
            break
        parts.append(part)
    if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.Required) and len(parts) == len(
        error.instance_path
    ):
        parts.append(error.kind.property)
    return ".".join(parts) or None


def _hint_for(name: str) -> str:
    message = _HINTS.get(name) or _HINTS.get(name.split(".")[0])
    return message() if message else _("This value is not valid.")
