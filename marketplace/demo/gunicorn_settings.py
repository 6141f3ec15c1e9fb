"""gunicorn settings for `flask demo run` (`-c python:marketplace.demo.gunicorn_settings`).

The server shuts down gracefully when `demo run` is gone, even if it was killed outright and
could not stop its children itself.
"""

from __future__ import annotations

import os
import signal

from .loopback import exit_with_parent


def when_ready(server) -> None:
    exit_with_parent(lambda: os.kill(os.getpid(), signal.SIGTERM))
