"""Run localstripe, a fake Stripe API with a fake Stripe.js, on the loopback interface only.

    python -m marketplace.demo.localstripe_server --port 8420 [--state FILE]

localstripe is GPL and a development tool: only this launcher imports it, always in a process
of its own (started by `flask demo run` and by the tests' `localstripe` fixture); the web app
never does. Its own command line listens on every interface and keeps its state in a shared
/tmp pickle, so we serve its aiohttp `app` ourselves: on 127.0.0.1 (or on a listening socket
handed over with `--fd`), with its state kept in memory, or in a private `--state` file.
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
import tempfile
from pathlib import Path

from .loopback import exit_with_parent, server_socket


def _keep_state_in(path: Path | None) -> None:
    """Replace localstripe's /tmp pickle with a private file, or with nothing."""
    from localstripe import resources

    def dump(store) -> None:
        if path is None:
            return
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".localstripe-")  # created 0600
        with os.fdopen(fd, "wb") as out:
            pickle.dump(dict(store), out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)

    def load(store) -> None:
        if path is None or not path.is_file():
            return
        with path.open("rb") as saved:
            state = pickle.load(saved)  # noqa: S301 - our own file, written by dump() above
        dict.clear(store)
        dict.update(store, state)

    resources.Store.dump_to_disk = dump
    resources.Store.try_load_from_disk = load
    resources.store.try_load_from_disk()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--port", type=int, default=8420, help="port on 127.0.0.1 (0: any free one)"
    )
    parser.add_argument("--fd", type=int, help="serve on this inherited listening socket instead")
    parser.add_argument(
        "--state", type=Path, help="keep localstripe's data in this file (default: memory only)"
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)

    _keep_state_in(args.state)
    from aiohttp import web
    from localstripe.server import app

    sock = server_socket(args.fd, args.port)
    exit_with_parent()
    host, port = sock.getsockname()[:2]
    print(f"localstripe listening on http://{host}:{port}", flush=True)
    if args.verbose:
        logging.basicConfig(level=logging.INFO, format="[localstripe] %(message)s")
    web.run_app(app, sock=sock, print=None, access_log=web.access_logger if args.verbose else None)


if __name__ == "__main__":
    main()
