"""`python -m day15`: backoff with jitter, waiting for a port that opens late, compose checks.

With ``--wait HOST:PORT`` it only waits for that port (exit 0 when it answers, 1 on timeout),
which is how a container's start script can hold the app until its database listens. The
demo needs no Docker: the late port is a listener this process opens itself.
"""

from __future__ import annotations

import argparse
import random
import socket
import sys
import threading
import time
from pathlib import Path

from day15.compose_checks import ComposeError, check_compose
from day15.wait import Backoff, DependencyTimeout, parse_target, port_open, wait_for
from shared.serve import free_port

REPO_ROOT = Path(__file__).resolve().parents[1]
COMPOSE = Path("projects/todo_api/compose.yaml")
LATE = 0.4


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"expected 0 < seconds <= 3600, got {text}")
    return value


def target(text: str) -> tuple[str, int]:
    try:
        return parse_target(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m day15",
        description="Show capped exponential backoff with full jitter, wait for a port that "
        "opens late, and check the Todo API's compose file; or, with --wait, wait for a port.",
    )
    parser.add_argument("--wait", type=target, metavar="HOST:PORT", help="only wait for this")
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        default=30.0,
        metavar="SECONDS",
        help="how long --wait waits (default 30)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.wait:
        host, port = args.wait
        try:
            waited = wait_for(port_open(host, port), f"{host}:{port}", args.timeout)
        except DependencyTimeout as error:
            print(f"{parser.prog}: {error}", file=sys.stderr)
            return 1
        print(f"{host}:{port} answered after {waited.attempts} attempts, {waited.seconds:.2f} s")
        return 0
    schedule()
    late_port()
    deadline()
    try:
        checks = check_compose(REPO_ROOT / COMPOSE)
    except ComposeError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    print(f"\n{COMPOSE}:")
    for check in checks:
        print(f"  {check}")
    return 0 if all(check.passed for check in checks) else 1


def schedule() -> None:
    backoff = Backoff(base=0.05, factor=2, cap=2.0)
    draw = random.Random(15).random
    print("Backoff(base=0.05 s, factor=2, cap=2 s), full jitter (random.Random(15)):")
    print("  attempt  ceiling  pause")
    for attempt in range(8):
        pause = backoff.pause(attempt, draw)
        print(f"  {attempt:>7}  {backoff.ceiling(attempt):>6.2f}s  {pause:.3f}s")


def late_port() -> None:
    port = free_port()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)

    def open_late() -> None:
        time.sleep(LATE)
        listener.bind(("127.0.0.1", port))
        listener.listen()

    opener = threading.Thread(target=open_late)
    started = time.monotonic()
    opener.start()
    try:
        waited = wait_for(port_open("127.0.0.1", port), "the late port", timeout=10)
    finally:
        opener.join()
        listener.close()
    took = time.monotonic() - started
    print(f"\nA listener that opens {LATE} s late, waited for on 127.0.0.1:")
    print(
        f"  refused at first: {waited.attempts > 1}; "
        f"accepted once open, {LATE} s in: {took >= LATE}"
    )


def deadline() -> None:
    """A port where nothing listens, on a clock that the pauses move: the same every run."""
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound but not listening: every connect is refused
        print("\nA port where nothing listens, 1 s timeout, on a simulated clock:")
        try:
            wait_for(
                port_open("127.0.0.1", port),
                "the closed port",
                timeout=1.0,
                clock=lambda: now[0],
                sleep=sleep,
                draw=random.Random(15).random,
            )
        except DependencyTimeout as error:
            print(f"  {type(error).__name__}: {error}")
            print(f"  the last pause was cut to the deadline: gave up at {now[0]:.2f} s")


if __name__ == "__main__":
    sys.exit(main())
