from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from .. import db as tx
from ..access import public, signed_in
from ..cart import views as cart_views
from ..errors import DomainError
from ..extensions import limiter
from ..i18n import current_language
from ..security import safe_next
from . import services, throttle
from .forms import SignInForm, SignUpForm

bp = Blueprint("accounts", __name__)


def _start_session(user) -> None:
    # A fresh session on sign-in (no fixation): keep only the language choice; the guest's
    # cart (found by its token) joins the account's cart.
    kept = {k: session[k] for k in ("lang",) if k in session}
    guest_cart = session.get(cart_views.CART_TOKEN)
    session.clear()
    session.update(kept)
    login_user(user)
    cart_views.adopt_guest_cart(guest_cart, user)


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(throttle.PER_ADDRESS, methods=["POST"], deduct_when=throttle.failed, error_message=throttle.message)
@limiter.limit(throttle.PER_ACCOUNT, key_func=throttle.account_key, methods=["POST"], deduct_when=throttle.failed, error_message=throttle.message)
@public
def sign_in():
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            _start_session(user)
            return redirect(safe_next(form.next.data, url_for(_home_for(user))))
        form.password.errors.append(_("The e-mail address or password is not right."))
    status = 401 if request.method == "POST" else 200
    return render_template("accounts/sign_in.html", form=form), status


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(throttle.SIGNUP, methods=["POST"])
@public
def sign_up():
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                form.email.data,
                form.password.data,
                form.role.data,
                locale=current_language(),
                display_name=form.display_name.data or None,
            )
            tx.commit()
        except DomainError as error:
            tx.rollback()
            for field, message in error.fields.items():
                getattr(form, field).errors.append(message)
        else:
            _start_session(user)
            flash(_("Welcome to Hamaichi!"), "success")
            if user.role == "seller":
                return redirect(url_for("sellers.apply"))
            return redirect(url_for("catalog.home"))
    return render_template("accounts/sign_up.html", form=form)


@bp.route("/signout", methods=["POST"])
@signed_in
def sign_out():
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("catalog.home"))


def _home_for(user) -> str:
    if user.role == "admin":
        return "admin.applications"
    if user.role == "seller":
        return "sellers.dashboard"
    return "catalog.home"
