"""The `python -m day09` demo: the whole story in order, and clear errors for bad arguments."""

from __future__ import annotations

import pytest

from day09.__main__ import main


@pytest.fixture
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo hashes with the real Argon2 cost; the tests need only the story, not the cost."""
    for name, value in {"TIME_COST": "1", "MEMORY_COST": "8", "PARALLELISM": "1"}.items():
        monkeypatch.setenv(f"DAY09_ARGON2_{name}", value)


def test_demo_walks_through_register_login_me_and_the_refusals(
    capsys: pytest.CaptureFixture[str], cheap_hashing: None
) -> None:
    assert main(["--password", "a demo password"]) == 0

    out = capsys.readouterr().out.splitlines()
    statuses = [line.split()[0] for line in out if line.startswith("    ") and line[4].isdigit()]
    # register, duplicate, wrong password, login, /me, seven forged, expired or missing tokens,
    # then a malformed Bearer header (RFC 6750's invalid_request, a 400).
    assert statuses == ["201", "409", "401", "200", "200"] + ["401"] * 7 + ["400"]
    assert any("token has expired" in line for line in out)
    assert any("only HS256 tokens are accepted" in line for line in out)


def test_demo_prints_the_same_thing_every_run(
    capsys: pytest.CaptureFixture[str], cheap_hashing: None
) -> None:
    # The lesson shows this output; a random salt, key or timestamp in it would make it stale.
    main([])
    first = capsys.readouterr().out
    main([])
    second = capsys.readouterr().out

    assert first == second
    assert "$argon2id$v=19$m=8,t=1,p=1$<salt: 22>$<hash: 43>" in first


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--password", "short"], "--password must be 8 to 128 characters long"),
        (["--username", "a b"], "--username must be 3 to 32 letters, digits or underscores"),
        (["--ttl", "0"], "--ttl must be at least 1 second, got 0"),
        (["--ttl", "soon"], "argument --ttl: invalid int value: 'soon'"),
    ],
)
def test_demo_rejects_bad_arguments_with_one_clear_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)

    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert exit_info.value.code == 2
    assert errors == [f"python -m day09: error: {message}"]
