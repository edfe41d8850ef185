"""What the lesson says about tqdm, checked on the locked version."""

from __future__ import annotations

import io

import pytest
from tqdm import tqdm


def draw(**options: object) -> str:
    stream = io.StringIO()
    with tqdm(total=3, desc="notes", file=stream, **options) as bar:  # type: ignore[call-overload]
        for _ in range(3):
            bar.update(1)
    return stream.getvalue()


def test_a_bar_is_redrawn_with_carriage_returns_and_ends_its_only_line_when_it_closes() -> None:
    written = draw(mininterval=0)
    assert written.count("\r") >= 4
    assert written.count("\n") == 1 and written.endswith("\n")


def test_a_bar_that_does_not_leave_erases_itself_and_writes_no_newline() -> None:
    written = draw(mininterval=0, leave=False)
    assert "\n" not in written
    assert written.endswith("\r") and written.rstrip("\r").split("\r")[-1].strip() == ""


def test_disable_none_draws_nothing_on_a_stream_that_is_not_a_terminal() -> None:
    assert draw(disable=None) == ""


def test_updates_closer_than_mininterval_are_not_drawn() -> None:
    stream = io.StringIO()
    with tqdm(total=1000, file=stream) as bar:  # mininterval: 0.1 s by default
        for _ in range(1000):
            bar.update(1)
    assert stream.getvalue().count("\r") < 10


def test_without_a_file_the_bar_goes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    with tqdm(total=1, desc="notes") as bar:
        bar.update(1)
    out, err = capsys.readouterr()
    assert (out, "notes: 100%" in err) == ("", True)
