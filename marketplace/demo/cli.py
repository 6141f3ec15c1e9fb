"""`flask demo load` (the demo village into an empty database) and `flask demo run` (the whole
shop on this machine: database, demo data, localstripe, a mail sink and gunicorn)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .. import db as tx
from ..errors import DomainError

demo = AppGroup("demo", help="The demo village.")


@demo.command("load")
def load():
    """Load the demo village (people, boats, listings, photos) into an empty database."""
    _load_or_refuse()


def _load_or_refuse(*, echo_logins: bool = True) -> None:
    from .services import load_village

    started = time.perf_counter()
    try:
        listings = load_village()
        tx.commit()
    except DomainError as error:
        tx.rollback()
        raise click.ClickException(error.message) from error
    click.echo(
        f"Loaded the demo village: {len(listings)} listings in {time.perf_counter() - started:.1f} s."
    )
    if echo_logins:
        _echo_logins()


def _echo_logins() -> None:
    from .services import logins

    click.echo("Sign in as any of these (the password is the same for all):")
    for login in logins():
        click.echo(f"  {login.role:<10} {login.email:<28} {login.password}   {login.who}")


@demo.command("run")
@click.option("--port", default=5000, show_default=True, help="The shop's port on 127.0.0.1.")
@click.option(
    "--stripe-port", default=0, help="localstripe's port on 127.0.0.1 [default: a free one]."
)
@click.option(
    "--smtp-port", default=0, help="The mail sink's port on 127.0.0.1 [default: a free one]."
)
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes.")
def run(port: int, stripe_port: int, smtp_port: int, workers: int):
    """Run the whole shop locally: migrate the database, load the demo village if the database
    is empty, start localstripe and a mail sink that prints e-mails here, and serve the app with
    gunicorn. Everything listens on 127.0.0.1 only; Ctrl-C stops all of it."""
    from . import local_shop
    from .loopback import LOOPBACK, listening_socket

    sockets = {}
    for name, number in (
        ("the shop", port),
        ("localstripe", stripe_port),
        ("the mail sink", smtp_port),
    ):
        try:
            sockets[name] = listening_socket(number)
        except OSError as error:
            for sock in sockets.values():
                sock.close()
            raise click.ClickException(
                f"Cannot listen on {LOOPBACK}:{number} for {name}: {error.strerror}"
            ) from error
    base_url = f"http://{LOOPBACK}:{sockets['the shop'].getsockname()[1]}"

    stripe_state = _prepare_database()
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    shop = local_shop.LocalShop()
    try:
        stripe_base = shop.add(
            local_shop.start_localstripe(sockets.pop("localstripe"), stripe_state)
        )
        local_shop.register_webhook(
            stripe_base, f"{base_url}/stripe/webhook", current_app.config["STRIPE_WEBHOOK_SECRET"]
        )
        smtp_port = shop.add(local_shop.start_mail_sink(sockets.pop("the mail sink")))
        env = {
            **os.environ,
            "STRIPE_API_BASE": stripe_base,
            "STRIPE_JS_URL": f"{stripe_base}/js.stripe.com/v3/",
            "SMTP_HOST": LOOPBACK,
            "SMTP_PORT": str(smtp_port),
            "BASE_URL": base_url,
            "PYTHONUNBUFFERED": "1",
        }
        url = shop.add(local_shop.start_web(sockets.pop("the shop"), env, workers))
        _echo_banner(url, stripe_base, smtp_port)
        ended = shop.watch()
        raise click.ClickException(
            f"{ended.name} stopped unexpectedly (exit code {ended.process.returncode})."
        )
    except KeyboardInterrupt:
        click.echo("\nStopping the shop, localstripe and the mail sink…")
    except local_shop.StartupFailed as error:
        raise click.ClickException(str(error)) from error
    finally:
        signal.signal(
            signal.SIGINT, signal.SIG_IGN
        )  # a second Ctrl-C must not cut the clean-up short
        for sock in sockets.values():
            sock.close()
        shop.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)
    click.echo("Stopped.")


def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt


def _prepare_database() -> Path | None:
    """Migrate, load the demo into an empty database, and say where localstripe keeps its data
    (next to a SQLite file, so payments survive a restart with the database; else nowhere)."""
    from flask_migrate import upgrade

    from ..catalog.services import CatalogFilter, browse
    from ..extensions import db
    from .services import user_count

    upgrade()
    database = db.engine.url.database if db.engine.url.get_backend_name() == "sqlite" else None
    state = (
        Path(database).resolve().parent / "localstripe.pickle"
        if database and database != ":memory:"
        else None
    )
    if user_count() == 0:
        if state is not None:
            state.unlink(missing_ok=True)  # a new database starts with a new fake Stripe
        _load_or_refuse(echo_logins=False)
    else:
        click.echo(f"Using the existing database ({user_count()} users); the demo is not reloaded.")
        if not browse(CatalogFilter(kind="catch"), limit=1)[0]:
            click.echo(
                "No fresh catch is on sale any more (catches expire the day after landing). "
                "For a fresh demo, stop, delete the database and the media folder, and run again."
            )
    db.session.remove()
    db.engine.dispose()
    return state


def _echo_banner(url: str, stripe_base: str, smtp_port: int) -> None:
    click.echo("")
    click.echo(f"Hamaichi is running at {url}")
    click.echo(
        f"  localstripe (fake Stripe, test cards such as 4242 4242 4242 4242): {stripe_base}"
    )
    click.echo(f"  mail sink (e-mails are printed below): 127.0.0.1:{smtp_port}")
    _echo_logins()
    click.echo("Press Ctrl-C to stop everything.")
