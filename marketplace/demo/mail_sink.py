"""A local SMTP server that prints every e-mail it receives, for the demo's console.

    python -m marketplace.demo.mail_sink --port 8025

Started by `flask demo run` in a process of its own, so that approval e-mails and the like are
visible without a real mail server. It listens on 127.0.0.1 only (or on a listening socket
handed over with `--fd`) and never relays anything anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email
import socket
import sys
from email import policy

from aiosmtpd.smtp import SMTP

from .loopback import exit_with_parent, server_socket

RULE = "─" * 72


class Printer:
    """An aiosmtpd handler: prints each message (headers and the plain-text body)."""

    def __init__(self, out=sys.stdout):
        self.out = out

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or b"", policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        lines = [
            RULE,
            f"E-mail to {', '.join(envelope.rcpt_tos)}",
            f"From:    {message['From']}",
            f"Subject: {message['Subject']}",
            "",
            text.rstrip(),
            RULE,
        ]
        print("\n".join(lines), file=self.out, flush=True)
        return "250 Message accepted for delivery"


async def serve(sock: socket.socket) -> None:
    loop = asyncio.get_running_loop()
    handler = Printer()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="hamaichi-mail-sink", loop=loop), sock=sock
    )
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--port", type=int, default=8025, help="port on 127.0.0.1 (0: any free one)"
    )
    parser.add_argument("--fd", type=int, help="serve on this inherited listening socket instead")
    args = parser.parse_args(argv)
    sock = server_socket(args.fd, args.port)
    exit_with_parent()
    host, port = sock.getsockname()[:2]
    print(f"mail sink listening on {host}:{port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(sock))


if __name__ == "__main__":
    main()
