from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import db as tx
from ..access import role_required
from ..catalog import reference
from ..catalog import services as catalog
from ..errors import DomainError
from ..extensions import limiter
from ..media.images import accept_photos
from ..timeutil import end_of_next_day, now, to_tokyo
from . import services
from .forms import ApplicationForm, ListingForm

bp = Blueprint("sellers", __name__, url_prefix="/sell")

LISTING_WRITES = "1000 per hour"


def _seller_key() -> str:
    return f"seller:{current_user.get_id()}"


def _show_errors(form, error: DomainError) -> None:
    """Put a service's field errors onto the form; anything unmatched becomes a flash."""
    unmatched = []
    for field, message in error.fields.items():
        target = getattr(form, field, None) or (form.tier1_min if field == "price_tiers" and hasattr(form, "tier1_min") else None)
        if target is not None:
            target.errors = [*target.errors, message] if isinstance(target.errors, list) else [message]
        else:
            unmatched.append(message)
    flash(error.message if not unmatched else " ".join([error.message, *unmatched]), "error")


def _uploaded(field: str) -> list[bytes]:
    return [f.read() for f in request.files.getlist(field) if f and f.filename]


@bp.route("/apply", methods=["GET", "POST"])
@role_required("applicant")
def apply():
    profile = current_user.seller
    form = ApplicationForm(obj=profile)
    if form.validate_on_submit():
        try:
            photos = _uploaded("photo")
            key = accept_photos(photos[:1], "photo")[0] if photos else None
            services.submit_application(current_user, form.data, key)
            tx.commit()
        except DomainError as error:
            tx.rollback()
            _show_errors(form, error)
        else:
            if current_user.seller.status == "approved":
                flash(_("Your profile was saved."), "success")
            else:
                flash(_("Thank you! The cooperative will review your application and e-mail you."), "success")
            return redirect(url_for(".dashboard"))
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "profile": profile, "ports": reference.ports(), "methods": reference.methods()}
    return render_template("sellers/apply.html", **context), status


@bp.route("")
@role_required("applicant")
def dashboard():
    listings = catalog.seller_listings(current_user) if current_user.is_approved_seller else []
    return render_template("sellers/dashboard.html", profile=current_user.seller, listings=listings, now=now())


def _listing_form_context(form, listing=None):
    return {
        "form": form,
        "listing": listing,
        "species": reference.species(),
        "ports": reference.ports(),
        "methods": reference.methods(),
    }


def _local_input(value: datetime | None) -> str:
    return to_tokyo(value).strftime("%Y-%m-%dT%H:%M") if value else ""


@bp.route("/listings/new", methods=["GET", "POST"])
@limiter.limit(LISTING_WRITES, key_func=_seller_key, methods=["POST"])
@role_required("seller")
def new_listing():
    form = ListingForm()
    profile = current_user.seller
    if request.method == "GET":
        if profile.kind == "processor":
            form.kind.data, form.temperature.data, form.unit.data = "product", "ambient", "piece"
        form.caught_at.data = _local_input(now())
        form.available_until.data = _local_input(end_of_next_day())
        form.landing_port.data = profile.home_port or ""
        form.method.data = profile.fishing_method or ""
    if form.validate_on_submit():
        data = form.listing_data(creating=True)
        try:
            keys = accept_photos(_uploaded("photos")[: catalog.MAX_PHOTOS])
            listing = catalog.create_listing(current_user, data, keys)
            tx.commit()
        except DomainError as error:
            tx.rollback()
            _show_errors(form, error)
        else:
            flash(_("Your listing is on sale."), "success")
            return redirect(url_for(".dashboard", _anchor=f"listing-{listing.id}"))
        return render_template("sellers/listing_form.html", **_listing_form_context(form)), 422
    return render_template("sellers/listing_form.html", **_listing_form_context(form))


@bp.route("/listings/<int:listing_id>/edit", methods=["GET", "POST"])
@limiter.limit(LISTING_WRITES, key_func=_seller_key, methods=["POST"])
@role_required("seller")
def edit_listing(listing_id: int):
    listing = _own(listing_id)
    form = ListingForm(obj=None)
    if request.method == "GET":
        _fill(form, listing)
    if form.validate_on_submit():
        try:
            catalog.update_listing(listing, form.listing_data(creating=False))
            photos = _uploaded("photos")
            if photos:
                catalog.add_photos(listing, accept_photos(photos))
            tx.commit()
        except DomainError as error:
            tx.rollback()
            listing = _own(listing_id)
            _show_errors(form, error)
            return render_template("sellers/listing_form.html", **_listing_form_context(form, listing)), 422
        flash(_("Your changes are saved."), "success")
        return redirect(url_for(".dashboard", _anchor=f"listing-{listing.id}"))
    return render_template("sellers/listing_form.html", **_listing_form_context(form, listing))


@bp.route("/listings/<int:listing_id>/photos/<int:photo_id>/delete", methods=["POST"])
@role_required("seller")
def delete_photo(listing_id: int, photo_id: int):
    listing = _own(listing_id)
    try:
        catalog.remove_photo(listing, photo_id)
        tx.commit()
    except DomainError:
        tx.rollback()
        abort(404)
    flash(_("The photo was removed."), "success")
    return redirect(url_for(".edit_listing", listing_id=listing_id))


@bp.route("/listings/<int:listing_id>/<any(pause, resume, withdraw):action>", methods=["POST"])
@role_required("seller")
def change_listing(listing_id: int, action: str):
    listing = _own(listing_id)
    try:
        catalog.change_status(listing, action)
        tx.commit()
    except DomainError as error:
        tx.rollback()
        flash(error.message, "error")
    else:
        messages = {
            "pause": _("The listing is paused: buyers cannot see it."),
            "resume": _("The listing is on sale again."),
            "withdraw": _("The listing was withdrawn."),
        }
        flash(messages[action], "success")
    return redirect(url_for(".dashboard"))


@bp.route("/listings/<int:listing_id>/relist", methods=["POST"])
@limiter.limit(LISTING_WRITES, key_func=_seller_key, methods=["POST"])
@role_required("seller")
def relist(listing_id: int):
    copy = catalog.relist(_own(listing_id))
    tx.commit()
    flash(_("Relisted with today's date. Check the quantity and price."), "success")
    return redirect(url_for(".edit_listing", listing_id=copy.id))


def _own(listing_id: int):
    try:
        return catalog.seller_listing(current_user, listing_id)
    except DomainError:
        abort(404)


def _fill(form: ListingForm, listing) -> None:
    from ..i18n import pick
    from ..units import format_quantity

    form.kind.data = listing.kind
    form.species.data = listing.species_name or ""
    form.unit.data = listing.unit
    form.quantity.data = format_quantity(listing.quantity_available, listing.unit)
    form.price_jpy.data = str(listing.price_jpy)
    form.temperature.data = listing.temperature
    form.min_order.data = format_quantity(listing.min_order, listing.unit)
    form.caught_at.data = _local_input(listing.caught_at)
    form.landing_port.data = listing.landing_port or ""
    form.method.data = listing.method or ""
    form.available_until.data = _local_input(listing.available_until)
    form.best_before.data = listing.best_before.isoformat() if listing.best_before else ""
    form.title.data = pick(listing.title)
    form.description.data = pick(listing.description)
    if listing.price_tiers:
        form.tier1_min.data = format_quantity(listing.price_tiers[0].min_quantity, listing.unit)
        form.tier1_price.data = str(listing.price_tiers[0].price_jpy)


from . import order_views  # noqa: E402,F401
