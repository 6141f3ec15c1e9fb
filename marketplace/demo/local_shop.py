"""The one-command local shop: localstripe, a mail sink and gunicorn, each in a process of its
own on 127.0.0.1, started together and stopped together.

The parent opens every listening socket itself and hands it to the child (`--fd`, gunicorn's
`fd://`), so a port is never picked and then lost to someone else, and a busy port is reported
before anything starts. Each child leads its own process group; stopping a child signals the
whole group (gunicorn's workers too), then waits, then kills what is left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..config import ROOT
from .loopback import LOOPBACK, PARENT_ENV

STARTUP_SECONDS = 30


class StartupFailed(RuntimeError):
    pass


@dataclass
class Child:
    name: str
    process: subprocess.Popen

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM to the child's whole process group; SIGKILL what is left after `timeout`."""
        pgid = self.process.pid
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):  # the whole group is gone already
                os.killpg(pgid, sig)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.process.poll() is not None and not _group_alive(pgid):
                    return
                time.sleep(0.05)
        self.process.wait()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - somebody else's group reused the id
        return False
    return True


def spawn(name: str, argv: list[str], sock: socket.socket, env: dict | None = None) -> Child:
    """Start `argv` with `sock` inherited, in a new session; the parent's copy is closed."""
    env = {**(os.environ if env is None else env), PARENT_ENV: str(os.getpid())}
    try:
        process = subprocess.Popen(  # noqa: S603 - our own fixed command lines
            argv, pass_fds=(sock.fileno(),), start_new_session=True, env=env, cwd=ROOT
        )
    finally:
        sock.close()
    return Child(name, process)


def _python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def start_localstripe(sock: socket.socket, state: Path | None = None) -> tuple[Child, str]:
    """localstripe serving on `sock`; returns the child and its base URL once it answers."""
    base = f"http://{LOOPBACK}:{sock.getsockname()[1]}"
    args = ["--fd", str(sock.fileno())]
    if state is not None:
        args += ["--state", str(state)]
    child = spawn("localstripe", _python_module("marketplace.demo.localstripe_server", *args), sock)
    _wait(child, lambda: _http_answers(f"{base}/js.stripe.com/v3/"))
    return child, base


def start_mail_sink(sock: socket.socket) -> tuple[Child, int]:
    """The SMTP sink serving on `sock`; returns the child and its port once it answers."""
    port = sock.getsockname()[1]
    child = spawn(
        "mail sink", _python_module("marketplace.demo.mail_sink", "--fd", str(sock.fileno())), sock
    )
    _wait(child, lambda: _smtp_answers(port))
    return child, port


def start_web(sock: socket.socket, env: dict, workers: int = 2) -> tuple[Child, str]:
    """gunicorn serving `wsgi:app` on `sock`; returns the child and its URL once it answers."""
    url = f"http://{LOOPBACK}:{sock.getsockname()[1]}/"
    argv = _python_module(
        "gunicorn",
        *("--config", "python:marketplace.demo.gunicorn_settings"),
        *("--bind", f"fd://{sock.fileno()}"),
        *("--workers", str(workers)),
        *("--chdir", str(ROOT)),
        *("--log-level", "warning"),
        *("--graceful-timeout", "5"),
        "wsgi:app",
    )
    child = spawn("gunicorn", argv, sock, env=env)
    _wait(child, lambda: _http_answers(url))
    return child, url


def register_webhook(stripe_base: str, url: str, secret: str, name: str = "hamaichi") -> None:
    """Tell localstripe where to deliver events (it keeps this in memory only)."""
    body = urllib.parse.urlencode({"url": url, "secret": secret}).encode()
    address = f"{stripe_base}/_config/webhooks/{name}"
    request = urllib.request.Request(address, data=body, method="POST")  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - our loopback URL
        response.read()


def _http_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our loopback URL
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _smtp_answers(port: int) -> bool:
    try:
        with smtplib.SMTP(LOOPBACK, port, timeout=5) as smtp:
            return smtp.noop()[0] == 250
    except (OSError, smtplib.SMTPException):
        return False


def _wait(child: Child, ready: Callable[[], bool]) -> None:
    """Poll until `ready()`; if the child dies, does not answer in time, or we are interrupted,
    stop it before giving up, so that nothing is left running."""
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while not ready():
            if not child.alive():
                raise StartupFailed(
                    f"{child.name} stopped while starting (exit code {child.process.returncode})"
                )
            if time.monotonic() > deadline:
                raise StartupFailed(f"{child.name} did not answer within {STARTUP_SECONDS} s")
            time.sleep(0.05)
    except BaseException:
        child.stop()
        raise


@dataclass
class LocalShop:
    """Everything `flask demo run` starts; `stop()` ends all of it, newest first."""

    children: list[Child] = field(default_factory=list)

    def add(self, started: tuple[Child, object]):
        self.children.append(started[0])
        return started[1]

    def watch(self) -> Child:
        """Block until one child exits (normally: never, until Ctrl-C); return it."""
        while True:
            for child in self.children:
                if not child.alive():
                    return child
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.children[-1].process.wait(timeout=1)

    def stop(self) -> None:
        for child in reversed(self.children):
            child.stop()
        self.children.clear()
