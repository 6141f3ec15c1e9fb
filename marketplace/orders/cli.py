"""`flask reservations …`: stock holds of checkouts."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from .. import db as tx

reservations = AppGroup("reservations", help="Stock reservations of checkouts.")


@reservations.command("expire")
def expire_command():
    """Release expired stock reservations and close checkouts not paid in time."""
    from .checkout import expire_checkouts

    released, closed = expire_checkouts()
    tx.commit()
    click.echo(f"released {released} expired reservation(s); closed {closed} unpaid checkout(s)")
