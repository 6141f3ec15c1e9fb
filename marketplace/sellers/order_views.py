"""A seller's orders: what to weigh, pack and ship today, and acting on one order (pack with the
real weights, print the slip, ship, deliver, cancel, refund). The cooperative (admin) opens the
same order page to cancel and refund. Ownership is the order service's: other people's orders
are 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import db as tx
from ..access import role_required
from ..errors import DomainError, NotFound
from ..i18n import yen
from ..orders import services as orders
from .order_forms import CancelForm, DeliverForm, RefundForm, ShipForm, pack_form
from .views import bp

OPEN = ("paid", "packed", "shipped")
DONE = ("delivered", "cancelled")
GROUPS = (
    ("paid", _l("To weigh and pack today")),
    ("packed", _l("To ship")),
    ("shipped", _l("Shipped")),
    ("done", _l("Done or cancelled")),
)
REFUNDABLE = ("packed", "shipped", "delivered", "cancelled")


def _order(order_id: int):
    """The seller's own order (or any order, for the cooperative); 404 for everyone else."""
    try:
        return orders.order_for(current_user, order_id, as_seller=current_user.role != "admin")
    except NotFound:
        abort(404)


@bp.route("/orders")
@role_required("seller")
def orders_list():
    open_orders = orders.orders_of(current_user, limit=200, statuses=OPEN)
    done = orders.orders_of(current_user, limit=30, statuses=DONE)
    grouped = {key: [o for o in open_orders if o.status == key] for key in OPEN}
    grouped["done"] = done
    return render_template(
        "sellers/orders/list.html",
        groups=[(key, label, grouped[key]) for key, label in GROUPS],
        temperatures=orders.temperatures(open_orders + done),
    )


def _page(order, status: int = 200, **forms):
    """The order page with a form for each action its status allows (kept as typed on error)."""
    if "pack" not in forms and order.status == "paid":
        forms["pack"] = pack_form(order, formdata=None)
    forms.setdefault("ship", ShipForm(formdata=None))
    forms.setdefault("deliver", DeliverForm(formdata=None))
    if "refund" not in forms:
        forms["refund"] = RefundForm(formdata=None)
        forms["refund"].fresh_key()
    can_refund = order.status in REFUNDABLE and order.captured_jpy > order.refunded_jpy
    context = {
        "order": order,
        "forms": forms,
        "temperatures": orders.temperatures([order])[order.id],
        "as_admin": current_user.role == "admin",
        "can_refund": can_refund,
    }
    return render_template("sellers/orders/order.html", **context), status


def _failed(order, error: DomainError, **forms):
    """A service said no: roll back, put its field errors on the form, show its message."""
    tx.rollback()
    if isinstance(error, NotFound):
        abort(404)
    for form in forms.values():
        for name, message in error.fields.items():
            field = form._fields.get(name.replace("lines.", "line_"))
            if field is not None:
                field.errors = [*field.errors, message]
    flash(error.message, "error")
    return _page(order, error.status, **forms)


@bp.route("/orders/<int:order_id>")
@role_required("seller", "admin")
def order(order_id: int):
    return _page(_order(order_id))


@bp.route("/orders/<int:order_id>/slip")
@role_required("seller", "admin")
def order_slip(order_id: int):
    found = _order(order_id)
    return render_template("sellers/orders/slip.html", order=found, temperatures=orders.temperatures([found])[found.id])


@bp.route("/orders/<int:order_id>/pack", methods=["POST"])
@role_required("seller")
def pack_order(order_id: int):
    found = _order(order_id)
    form = pack_form(found)
    if not form.validate_on_submit():
        return _page(found, 422, pack=form)
    try:
        result = orders.pack(found, current_user, form.actual(found))
    except DomainError as error:
        return _failed(found, error, pack=form)
    if result.capped:
        flash(
            _(
                "The weighed total is %(total)s, more than the card authorisation: the authorised %(captured)s was charged.",
                total=yen(found.total_jpy),
                captured=yen(found.captured_jpy),
            ),
            "info",
        )
    else:
        flash(_("Packed. %(captured)s was charged for what you weighed.", captured=yen(found.captured_jpy)), "success")
    return redirect(url_for(".order", order_id=order_id))


@bp.route("/orders/<int:order_id>/ship", methods=["POST"])
@role_required("seller")
def ship_order(order_id: int):
    found = _order(order_id)
    form = ShipForm()
    if not form.validate_on_submit():
        return _page(found, 422, ship=form)
    try:
        orders.ship(found, current_user, form.carrier.data, form.tracking_number.data)
    except DomainError as error:
        return _failed(found, error, ship=form)
    flash(_("Shipped. The buyer was e-mailed the tracking link."), "success")
    return redirect(url_for(".order", order_id=order_id))


@bp.route("/orders/<int:order_id>/deliver", methods=["POST"])
@role_required("seller")
def deliver_order(order_id: int):
    found = _order(order_id)
    form = DeliverForm()
    if form.validate_on_submit():
        try:
            orders.deliver(found, current_user)
        except DomainError as error:
            return _failed(found, error)
        flash(_("Marked as delivered."), "success")
    return redirect(url_for(".order", order_id=order_id))


@bp.route("/orders/<int:order_id>/cancel", methods=["GET", "POST"])
@role_required("seller", "admin")
def cancel_order(order_id: int):
    """A confirm step first: cancelling releases or refunds the buyer's money at once."""
    found = _order(order_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            orders.cancel(found, current_user, form.reason.data)
        except DomainError as error:
            tx.rollback()
            if isinstance(error, NotFound):
                abort(404)
            flash(error.message, "error")
            return redirect(url_for(".order", order_id=order_id))
        if found.refunded_jpy:
            flash(_("The order is cancelled; %(amount)s was refunded to the buyer.", amount=yen(found.refunded_jpy)), "success")
        else:
            flash(_("The order is cancelled; the buyer's card was not charged."), "success")
        return redirect(url_for(".order", order_id=order_id))
    status = 422 if request.method == "POST" else 200
    return render_template("sellers/orders/cancel.html", order=found, form=form), status


@bp.route("/orders/<int:order_id>/refund", methods=["POST"])
@role_required("seller", "admin")
def refund_order(order_id: int):
    found = _order(order_id)
    form = RefundForm()
    if not form.validate_on_submit():
        return _page(found, 422, refund=form)
    key = (form.request_key.data or "")[:80] or None
    try:
        made = orders.refund(found, current_user, form.amount_jpy.data or "", form.reason.data, request_key=key)
    except DomainError as error:
        return _failed(found, error, refund=form)
    flash(_("%(amount)s was refunded to the buyer.", amount=yen(made.amount_jpy)), "success")
    return redirect(url_for(".order", order_id=order_id))
