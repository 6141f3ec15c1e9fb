"""`flask …` commands for operators (and end-to-end tests)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from . import db as tx

users = AppGroup("users", help="Manage users.")
outbox = AppGroup("outbox", help="The e-mail outbox.")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["seller", "restaurant", "customer", "admin"]), default="customer")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--approved", is_flag=True, help="Approve a seller or restaurant at once.")
@click.option("--name", default=None, help="Display name (for a seller: the shop name).")
def create_user(email: str, role: str, password: str, approved: bool, name: str | None):
    """Make a user who can act at once."""
    from .accounts import services
    from .errors import DomainError

    try:
        user = services.create_user(email, password, role, display_name=name)
        if approved and role == "seller":
            services.approve_seller_now(user)
            if name:
                user.seller.name = name
        tx.commit()
    except DomainError as error:
        tx.rollback()
        raise click.ClickException(f"{error.message} {error.fields or ''}".strip()) from error
    click.echo(f"created {role} {user.email} (id {user.id})")


@outbox.command("send")
def send_outbox():
    """Send the e-mails waiting in the outbox now."""
    from .notifications.services import send_due

    click.echo(f"sent {send_due()} e-mail(s)")


def register(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(outbox)
    from .demo.cli import demo
    from .i18n.cli import translations
    from .orders.cli import reservations
    from .payments.cli import payments

    app.cli.add_command(demo)
    app.cli.add_command(translations)
    app.cli.add_command(reservations)
    app.cli.add_command(payments)
