"""`python -m day25`: with a Redis of its own, without redis-server, and with bad arguments."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from day25.__main__ import main
from shared.serve import REPO_ROOT

PHASE_LINES = [
    "  contract: 7/7 checks pass",
    "  load: 2 writers x 3 POSTs -> 6 x 201; the list holds 6 of 6 created",
]


def test_the_demo_keeps_serving_through_the_outage_and_exits_0() -> None:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    done = subprocess.run(
        [sys.executable, "-m", "day25", "--writers", "2", "--posts", "3"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=80,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for phase, cache in [
        ("Redis up", "  cache: the list is cached in Redis"),
        ("Redis stopped", "  cache: off, Redis is down; every read came from the database"),
        (
            "Redis back on the same port",
            "  cache: the list is cached in Redis again, the API not restarted",
        ),
    ]:
        start = lines.index(phase)
        assert lines[start + 1 : start + 4] == [*PHASE_LINES, cache], done.stdout
    assert lines[-2:] == [
        "The outage was logged once per worker that met it, not once per request.",
        "Every answer was right in every phase.",
    ]
    assert done.stderr == ""


def test_without_redis_server_it_checks_what_it_can_and_says_what_the_rest_needs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert main(["--writers", "2", "--posts", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Redis: none (redis-server is not installed (apt-get install")
    assert out[-4:-1] == [*PHASE_LINES, ""]
    assert out[-1] == "The degradation check (stop Redis, keep serving) needs redis-server."


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--writers", "0"], "argument --writers: expected 1 to 64, got 0"),
        (["--posts", "many"], "argument --posts: expected a whole number, got 'many'"),
    ],
)
def test_a_bad_argument_exits_2_in_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == f"python -m day25: error: {message}"
