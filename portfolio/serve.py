"""``python -m portfolio.serve`` (``make run``): serve ``wsgi:app`` with gunicorn.

Checks first that the port is free, so a second ``make run`` says so in one line instead of
gunicorn retrying the bind for a while; then prints the URL and hands over to gunicorn
(2 sync workers, access log on stdout). Ctrl+C or SIGTERM stops it.
"""

from __future__ import annotations

import argparse
import errno
import socket
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from gunicorn.app.base import BaseApplication

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
WORKERS = 2


class UsageError(Exception):
    """The server cannot start as asked; the message says why and what to do instead."""


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


class PortfolioServer(BaseApplication):
    """gunicorn, configured in code rather than from its command line or a config file."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply :attr:`options` to gunicorn's settings."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """Import ``wsgi:app``; without preloading, gunicorn calls this in each worker."""
        from wsgi import app

        return app


def port_number(text: str) -> int:
    """argparse type: a TCP port from 1 to 65535."""
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 1 to 65535, got {text!r} (e.g. make run PORT=8080)"
        )
    return port


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m portfolio.serve``."""
    parser = OneLineParser(
        prog="python -m portfolio.serve",
        description="Serve the portfolio (wsgi:app) with gunicorn until Ctrl+C.",
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on (default: {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"port to listen on (default: {DEFAULT_PORT})",
    )
    return parser


def check_port_free(host: str, port: int) -> None:
    """Raise :class:`UsageError` unless ``host:port`` can be listened on right now."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise UsageError(f"cannot listen on host {host!r}: {exc.strerror}") from None
    with socket.socket(family, kind, proto) as probe:
        # gunicorn sets SO_REUSEADDR too, so a port in TIME_WAIT from a previous run counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                other = 8080 if port != 8080 else 8081
                raise UsageError(f"port {port} is in use; try make run PORT={other}") from None
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def server_url(host: str, port: int) -> str:
    """``http://host:port``, with an IPv6 address in brackets."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def gunicorn_options(host: str, port: int) -> dict[str, Any]:
    """gunicorn settings for serving on ``host:port``."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return {
        "bind": [bind],
        "workers": WORKERS,
        "accesslog": "-",
        "errorlog": "-",
        # Idle sync workers stop at once; this only bounds a request still in flight.
        "graceful_timeout": 5,
        "proc_name": "backend-45-portfolio",
        # One fixed control-socket path per user would clash between two servers; none needs it.
        "control_socket_disable": True,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Check the port, print the URL, serve until stopped; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        check_port_free(args.host, args.port)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    # Flush before gunicorn forks its workers, or they inherit and repeat the buffered line.
    print(
        f"Serving the portfolio on {server_url(args.host, args.port)} (Ctrl+C to stop)", flush=True
    )
    PortfolioServer(gunicorn_options(args.host, args.port)).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
