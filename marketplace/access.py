"""Access decisions. Every view declares one; a test walks the URL map to make sure.

`public` views are open to anyone; `signed_in` needs a session (or API token);
`role_required(...)` also checks the role (an approved seller for "seller"). Ownership of the
object behind an id is checked in the service, which answers NotFound for other people's things.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, request
from flask_login import current_user

ACCESS_ATTR = "hamaichi_access"


def _mark(view: Callable, decision: str) -> Callable:
    setattr(view, ACCESS_ATTR, decision)
    return view


def public(view: Callable) -> Callable:
    return _mark(view, "public")


def _deny():
    from .extensions import login_manager

    if request.path.startswith("/api/"):
        abort(401)
    return login_manager.unauthorized()


def signed_in(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return _deny()
        return view(*args, **kwargs)

    return _mark(wrapper, "signed_in")


def role_required(*roles: str) -> Callable[[Callable], Callable]:
    """Roles: 'seller' means an *approved* seller; 'applicant' any user with the seller role."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return _deny()
            if not any(_has_role(role) for role in roles):
                abort(403)
            return view(*args, **kwargs)

        return _mark(wrapper, "role:" + ",".join(roles))

    return decorator


def _has_role(role: str) -> bool:
    if role == "seller":
        return current_user.is_approved_seller
    if role == "applicant":
        return current_user.role == "seller"
    return current_user.role == role
