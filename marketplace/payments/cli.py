"""`flask payments …`: operations on card payments."""

from __future__ import annotations

import click
from flask.cli import AppGroup

payments = AppGroup("payments", help="Card payments (Stripe).")


@payments.command("reconcile")
def reconcile_command():
    """Hold recent orders against Stripe and repair what a crash or a lost answer left."""
    from . import gateway
    from .reconcile import reconcile

    try:
        report = reconcile()
    except gateway.Unavailable as error:
        raise click.ClickException(f"Stripe cannot be reached ({error}); nothing more was changed. Run again later.") from error
    for line in report.lines():
        click.echo(line)
