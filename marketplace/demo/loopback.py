"""Listening sockets on 127.0.0.1 for the demo's helper servers, and the rule that a helper
stops when the process that started it is gone."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable

LOOPBACK = "127.0.0.1"
# The process a helper belongs to, set by whoever starts it (read before it could have changed).
PARENT_ENV = "HAMAICHI_DEMO_PARENT_PID"


def listening_socket(port: int = 0) -> socket.socket:
    """A socket listening on 127.0.0.1:`port` (0: a free port the system picks)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((LOOPBACK, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def server_socket(fd: int | None, port: int) -> socket.socket:
    """The listening socket a parent handed over as `fd`, or a new one on 127.0.0.1:`port`."""
    return socket.socket(fileno=fd) if fd is not None else listening_socket(port)


def exit_with_parent(stop: Callable[[], None] | None = None) -> None:
    """Stop this process when whoever started it is gone (even killed with SIGKILL), so that
    nothing is left behind. `stop` defaults to exiting at once."""
    parent = int(os.environ.get(PARENT_ENV) or os.getppid())

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        (stop or (lambda: os._exit(0)))()

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()
