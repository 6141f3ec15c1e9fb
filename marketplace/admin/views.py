from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import db as tx
from ..access import role_required
from ..errors import DomainError, NotFound
from ..sellers import services as sellers

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/applications")
@role_required("admin")
def applications():
    return render_template(
        "admin/applications.html",
        pending=sellers.pending_applications(),
        decided=sellers.recent_decisions(),
    )


@bp.route("/applications/<int:user_id>/<any(approve, reject):decision>", methods=["POST"])
@role_required("admin")
def decide(user_id: int, decision: str):
    try:
        profile = sellers.decide(current_user, user_id, decision == "approve", request.form.get("reason", ""))
        tx.commit()
    except NotFound:
        tx.rollback()
        abort(404)
    except DomainError as error:
        tx.rollback()
        flash(error.message, "error")
    else:
        if profile.status == "approved":
            flash(_("%(name)s is approved and can now sell.", name=profile.name), "success")
        else:
            flash(_("%(name)s was rejected; they were told why.", name=profile.name), "success")
    return redirect(url_for(".applications"))
