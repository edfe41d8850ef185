"""``python -m shared.serve APP``: serve a WSGI app with gunicorn (``make run``, ``make blog``).

``APP`` is gunicorn's own spec: ``wsgi:app``, or a factory call such as
``'projects.blog_api:create_app()'``. The port is checked first, so a second server on the same
port says so in one line instead of gunicorn retrying the bind for a while; then the URL is
printed and gunicorn takes over (2 sync workers, access log on stdout). Ctrl+C or SIGTERM stops it.
"""

from __future__ import annotations

import argparse
import errno
import socket
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from gunicorn.app.base import BaseApplication
from gunicorn.errors import AppImportError
from gunicorn.util import import_app

from shared.config import ConfigError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
WORKERS = 2


class UsageError(Exception):
    """The server cannot start as asked; the message says why and what to do instead."""


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


class Server(BaseApplication):
    """gunicorn, configured in code rather than from its command line or a config file.

    The app is built once, here in the master, before the workers fork: a bad setting stops
    the start with one line instead of a traceback from every worker, and start-up work such
    as migrations runs once. ``shared.db`` gives each forked worker fresh connection pools.
    """

    def __init__(self, app: Any, options: dict[str, Any]) -> None:
        self.app = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply :attr:`options` to gunicorn's settings."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """The app built before the fork (gunicorn calls this in each worker)."""
        return self.app


def load_app(spec: str) -> Any:
    """Import the WSGI app named by gunicorn's ``spec``, or raise UsageError in one line."""
    try:
        return import_app(spec)
    except ConfigError as error:
        raise UsageError(str(error)) from None
    except (ImportError, AppImportError) as error:
        raise UsageError(f"cannot load the app {spec!r}: {error}") from None


def port_number(text: str) -> int:
    """argparse type: a TCP port from 1 to 65535."""
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 1 to 65535, got {text!r} (e.g. PORT=8080)"
        )
    return port


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m shared.serve``."""
    parser = OneLineParser(
        prog="python -m shared.serve",
        description="Serve a WSGI app with gunicorn until Ctrl+C.",
    )
    parser.add_argument(
        "app", help="gunicorn app spec: module:variable or module:factory(), e.g. wsgi:app"
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
    parser.add_argument(
        "--name",
        default="the app",
        help="what is served, for the start-up line (e.g. 'the Blog API')",
    )
    parser.add_argument("--path", default="", help="path to show after the URL (e.g. /api)")
    parser.add_argument(
        "--make-target",
        default="run",
        help="the make target that runs this, for the hint on a busy port (default: run)",
    )
    return parser


def check_port_free(host: str, port: int, make_target: str = "run") -> None:
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
                raise UsageError(
                    f"port {port} is in use; try make {make_target} PORT={other}"
                ) from None
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
        "proc_name": "backend-45",
        # One fixed control-socket path per user would clash between two servers; none needs it.
        "control_socket_disable": True,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Check the port, print the URL, serve until stopped; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        check_port_free(args.host, args.port, args.make_target)
        app = load_app(args.app)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    url = server_url(args.host, args.port) + args.path
    # Flush before gunicorn forks its workers, or they inherit and repeat the buffered line.
    print(f"Serving {args.name} on {url} (Ctrl+C to stop)", flush=True)
    Server(app, gunicorn_options(args.host, args.port)).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
