from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from .. import db as tx
from ..access import public, signed_in
from ..api import bp, json_body
from ..errors import ValidationFailed
from ..extensions import limiter
from ..http_errors import json_error
from . import services, throttle


@bp.route("/auth/token", methods=["POST"])
@limiter.limit(throttle.PER_ADDRESS, deduct_when=throttle.failed, error_message=throttle.message)
@limiter.limit(throttle.PER_ACCOUNT, key_func=throttle.account_key, deduct_when=throttle.failed, error_message=throttle.message)
@public
def issue_token():
    data = json_body()
    email, password = data.get("email"), data.get("password")
    fields = {}
    for name, value in (("email", email), ("password", password)):
        if not isinstance(value, str) or not value:
            fields[name] = _("This field is required.")
    if fields:
        raise ValidationFailed(_("Please correct the marked fields."), fields)
    user = services.authenticate(email, password)
    if user is None:
        return json_error(401, "unauthorized", _("The e-mail address or password is not right."))
    token = services.issue_token(user)
    tx.commit()
    return jsonify({"token": token, "user": {"id": user.id, "role": user.role}})


@bp.route("/auth/token", methods=["DELETE"])
@signed_in
def revoke_token():
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        services.revoke_token(header[7:].strip())
        tx.commit()
    return "", 204


@bp.route("/me")
@signed_in
def me():
    return jsonify({"id": current_user.id, "role": current_user.role, "email": current_user.email})
