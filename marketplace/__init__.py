"""Hamaichi (浜市): the app factory."""

from __future__ import annotations

import logging

from flask import Flask

from . import config as config_module
from .config import ROOT


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(config_module.INSTANCE_DIR),
    )
    app.config.update(config_module.from_environment())
    app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"] or "memory://"
    app.config["RATELIMIT_HEADERS_ENABLED"] = True
    if overrides:
        app.config.update(overrides)

    _init_extensions(app)

    from . import http_errors, security

    security.init_app(app)  # before the blueprints: it sets the URL converters their routes use
    _register_blueprints(app)
    http_errors.init_app(app)

    from .cli import register

    register(app)
    logging.getLogger("stripe").setLevel(logging.WARNING)
    return app


def _init_extensions(app: Flask) -> None:
    from . import i18n
    from .extensions import babel, csrf, db, limiter, login_manager, migrate

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        config_module.INSTANCE_DIR.mkdir(exist_ok=True)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)

    from .accounts import sessions

    sessions.init_app(app)
    _import_models()


def _import_models() -> None:
    """Every model module, so that metadata (and Alembic) sees all tables."""
    from .accounts import models as _accounts  # noqa: F401
    from .cart import models as _cart  # noqa: F401
    from .catalog import models as _catalog  # noqa: F401
    from .inventory import models as _inventory  # noqa: F401
    from .notifications import models as _notifications  # noqa: F401
    from .orders import models as _orders  # noqa: F401
    from .payments import models as _payments  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from .accounts.views import bp as accounts_bp
    from .admin.views import bp as admin_bp
    from .api import bp as api_bp
    from .cart.views import bp as cart_bp
    from .catalog.views import bp as catalog_bp
    from .i18n.views import bp as i18n_bp
    from .media.views import bp as media_bp
    from .orders import labels
    from .orders.views import bp as orders_bp
    from .sellers.views import bp as sellers_bp

    for bp in (catalog_bp, accounts_bp, sellers_bp, admin_bp, media_bp, i18n_bp, orders_bp, cart_bp, api_bp):
        app.register_blueprint(bp)
    from .payments.webhooks import bp as stripe_webhooks_bp

    app.register_blueprint(stripe_webhooks_bp)
    labels.init_app(app)
