from __future__ import annotations

from flask.cli import AppGroup

demo = AppGroup("demo", help="The demo village.")
