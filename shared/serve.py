"""``python -m shared.serve APP``: serve a WSGI app with gunicorn (``make run``, ``make blog``).

``APP`` is gunicorn's own spec: ``wsgi:app``, or a factory call such as
``'projects.blog_api:create_app()'``. The port is checked first, so a second server on the same
port says so in one line instead of gunicorn retrying the bind for a while; then the URL is
printed and gunicorn takes over (2 sync workers, access log on stdout). Ctrl+C or SIGTERM stops it.

:func:`served` runs that same command in a subprocess on a free port and waits until the app
answers: the one way tests, demos and benchmarks start a server.
"""

from __future__ import annotations

import argparse
import errno
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NoReturn

from gunicorn.app.base import BaseApplication
from gunicorn.errors import AppImportError
from gunicorn.util import import_app

from shared.config import ConfigError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
WORKERS = 2
REPO_ROOT = Path(__file__).resolve().parents[1]
#: How long a stopped server may take to finish in-flight requests before it is killed.
STOP_TIMEOUT = 10.0
#: How long gunicorn lets requests in flight finish after SIGTERM (its own default is 30 s).
GRACEFUL_TIMEOUT = 5
#: How much of a server's output an error shows.
OUTPUT_TAIL = 4000


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


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return number


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
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=WORKERS,
        help=f"gunicorn sync worker processes (default: {WORKERS})",
    )
    parser.add_argument(
        "--threads",
        type=positive_int,
        default=1,
        help="threads per worker; more than 1 uses gunicorn's gthread workers (default: 1, sync)",
    )
    parser.add_argument(
        "--worker-timeout",
        type=positive_int,
        default=None,
        metavar="SECONDS",
        help="seconds before a silent worker is killed and replaced (default: gunicorn's, 30)",
    )
    parser.add_argument(
        "--graceful-timeout",
        type=positive_int,
        default=GRACEFUL_TIMEOUT,
        metavar="SECONDS",
        help=f"on SIGTERM, seconds requests in flight may take (default: {GRACEFUL_TIMEOUT})",
    )
    parser.add_argument(
        "--no-access-log",
        dest="access_log",
        action="store_false",
        help="do not log each request (benchmarks)",
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


def gunicorn_options(
    host: str,
    port: int,
    workers: int = WORKERS,
    access_log: bool = True,
    *,
    threads: int = 1,
    worker_timeout: int | None = None,
    graceful_timeout: int = GRACEFUL_TIMEOUT,
) -> dict[str, Any]:
    """gunicorn settings for serving on ``host:port``.

    ``threads`` above 1 picks gunicorn's gthread worker (long-lived connections such as
    WebSockets need it); ``worker_timeout`` left at None keeps gunicorn's own.
    """
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options: dict[str, Any] = {
        "bind": [bind],
        "workers": workers,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        # Idle sync workers stop at once; this only bounds a request still in flight.
        "graceful_timeout": graceful_timeout,
        "proc_name": "backend-45",
        # One fixed control-socket path per user would clash between two servers; none needs it.
        "control_socket_disable": True,
    }
    if threads > 1:
        options.update(worker_class="gthread", threads=threads)
    if worker_timeout is not None:
        options["timeout"] = worker_timeout
    return options


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
    options = gunicorn_options(
        args.host,
        args.port,
        args.workers,
        args.access_log,
        threads=args.threads,
        worker_timeout=args.worker_timeout,
        graceful_timeout=args.graceful_timeout,
    )
    Server(app, options).run()
    return 0


# --- served(): the command above as a subprocess, for tests, demos and benchmarks -------------


class ServerDidNotStart(RuntimeError):
    """A served app exited, or did not answer in time; the message ends with its last output."""


@dataclass
class Served:
    """A server started by :func:`served`."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    #: Where the server's stdout and stderr go when :func:`served` captures them (a temporary
    #: file, removed when the block ends).
    log: Path | None = None

    def output(self) -> str:
        """What the server has printed, inside the block (empty if its output went elsewhere)."""
        if self.log is None:
            return ""
        return self.log.read_text(errors="replace")


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port that was free on ``host`` a moment ago."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


# Straight to 127.0.0.1, whatever http_proxy says.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def answers(url: str, timeout: float) -> bool:
    """Whether a GET of ``url`` gets an HTTP answer below 500 (a 404 or 401 is a live server)."""
    try:
        with _DIRECT.open(url, timeout=timeout) as response:
            return response.status < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except (OSError, http.client.HTTPException):
        # Refused or reset while booting, or a read timeout (urllib.error.URLError is an OSError).
        return False


def stop(process: subprocess.Popen[Any], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM (gunicorn's graceful stop), then SIGKILL to the whole group after ``timeout``."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        # The server leads a session of its own, so this reaches its workers too.
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        # A killed worker dies a moment after its master; return once the group is gone.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.02)


def _tail(log: Path | None) -> str:
    if log is None:
        return " (its output went where the caller sent it)"
    text = log.read_text(errors="replace").strip()
    if not text:
        return " (it printed nothing)"
    if len(text) > OUTPUT_TAIL:
        text = "…" + text[-OUTPUT_TAIL:]
    return f"; its last output:\n{text}"


def wait_until_answering(
    process: subprocess.Popen[Any], url: str, timeout: float, log: Path | None = None
) -> None:
    """Poll ``url`` until it answers below 500; raise :class:`ServerDidNotStart` if it cannot."""
    deadline = time.monotonic() + timeout
    while True:
        status = process.poll()
        if status is not None:
            raise ServerDidNotStart(
                f"the server exited with status {status} before answering {url}{_tail(log)}"
            )
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ServerDidNotStart(f"{url} did not answer within {timeout:g}s{_tail(log)}")
        # Wait for this request as long as the deadline allows: one given up while it waits in
        # the listen queue would still reach a worker later and be cut off by a stop.
        if answers(url, timeout=remaining):
            return
        time.sleep(0.05)


@contextmanager
def served(
    app: str,
    *,
    env: Mapping[str, str] | None = None,
    port: int | None = None,
    host: str = DEFAULT_HOST,
    workers: int = WORKERS,
    ready_path: str = "/",
    timeout: float = 30.0,
    cwd: str | Path | None = None,
    output: int | IO[Any] | None = None,
    access_log: bool = True,
    stop_timeout: float = STOP_TIMEOUT,
    threads: int = 1,
    worker_timeout: int | None = None,
    graceful_timeout: int | None = None,
) -> Iterator[Served]:
    """Serve ``app`` (a gunicorn spec) in a subprocess; yield once GET ``ready_path`` answers.

    Runs ``python -m shared.serve APP --host H --port P --workers N``, the command ``make run``
    and ``make blog`` use, on ``port`` or a free one, from ``cwd`` (the repository by default).
    ``env`` is the child's whole environment when given (build it from ``os.environ``).
    Any HTTP status below 500 counts as up. The child's stdout and stderr go to ``output``
    (e.g. ``subprocess.DEVNULL``) or, by default, to a temporary file that :meth:`Served.output`
    reads. ``threads``, ``worker_timeout`` and ``graceful_timeout`` are the command's
    ``--threads``, ``--worker-timeout`` and ``--graceful-timeout`` (whole seconds). A server
    that exits first, or does not answer within ``timeout`` seconds, raises
    :class:`ServerDidNotStart` with its last output. The server is always stopped when the block
    ends: SIGTERM, then SIGKILL after ``stop_timeout`` seconds.
    """
    port = port or free_port(host)
    command = [
        sys.executable, "-m", "shared.serve", app,
        "--host", host, "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    if not access_log:
        command.append("--no-access-log")
    if threads != 1:
        command += ["--threads", str(threads)]
    if worker_timeout is not None:
        command += ["--worker-timeout", str(worker_timeout)]
    if graceful_timeout is not None:
        command += ["--graceful-timeout", str(graceful_timeout)]
    url = server_url(host, port)
    with ExitStack() as stack:
        log: Path | None = None
        if output is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="served-"))
            log = Path(folder) / "server.log"
            output = stack.enter_context(log.open("wb"))
        process = subprocess.Popen(
            command,
            cwd=cwd or REPO_ROOT,
            env=None if env is None else dict(env),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            # Its own session: a Ctrl+C meant for the caller does not reach it, and a kill
            # reaches its workers too.
            start_new_session=True,
        )
        try:
            wait_until_answering(process, url + ready_path, timeout, log)
            yield Served(url=url, port=port, process=process, log=log)
        finally:
            stop(process, stop_timeout)


if __name__ == "__main__":
    sys.exit(main())
