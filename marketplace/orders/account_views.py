"""A signed-in buyer's orders (list, order page, cancel before packing), and the cooperative's
list of every order. Routes on the `orders` blueprint; ownership is the order service's:
other people's orders are 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import db as tx
from ..access import role_required, signed_in
from ..errors import DomainError, NotFound
from ..security import parse_id
from ..sellers.order_forms import BuyerCancelForm
from . import serializers, services, states
from .views import bp

ADMIN_PAGE = 50


@bp.app_template_global()
def tracking_link(order, shipment) -> str:
    """Where a shipment can be followed: the carrier's page, or our tracking page."""
    return serializers.shipment_json(order, shipment)["tracking_url"]


def _own(order_id: int):
    try:
        return services.order_for(current_user, order_id)
    except NotFound:
        abort(404)


@bp.route("/orders")
@signed_in
def my_orders():
    if current_user.role == "seller":
        return redirect(url_for("sellers.orders_list"))
    if current_user.role == "admin":
        return redirect(url_for(".admin_orders"))
    return render_template("orders/list.html", orders=services.orders_of(current_user))


@bp.route("/orders/<int:order_id>")
@signed_in
def my_order(order_id: int):
    return render_template("orders/order.html", order=_own(order_id))


@bp.route("/orders/<int:order_id>/cancel", methods=["GET", "POST"])
@signed_in
def cancel_my_order(order_id: int):
    """Until the seller packs: a confirm step, then the card authorisation is released."""
    order = _own(order_id)
    form = BuyerCancelForm()
    if form.validate_on_submit():
        try:
            services.cancel(order, current_user, form.reason.data, as_buyer=True)
        except DomainError as error:
            tx.rollback()
            flash(error.message, "error")
        else:
            flash(_("Your order is cancelled. Your card was not charged."), "success")
        return redirect(url_for(".my_order", order_id=order_id))
    return render_template("orders/cancel.html", order=order, form=form)


@bp.route("/admin/orders")
@role_required("admin")
def admin_orders():
    status = request.args.get("status", "")
    status = status if status in states.STATUSES else ""
    found = services.orders_of(
        current_user,
        limit=ADMIN_PAGE + 1,
        before_id=parse_id(request.args.get("before", "")),
        statuses=(status,) if status else (),
    )
    more = len(found) > ADMIN_PAGE
    found = found[:ADMIN_PAGE]
    return render_template(
        "orders/admin_list.html",
        orders=found,
        status=status,
        statuses=states.STATUSES,
        older=found[-1].id if more else None,
    )
