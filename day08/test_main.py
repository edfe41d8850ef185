"""The `python -m day08` demo: the data at every step, on each backend, and clear errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from day08.__main__ import main
from day08.migrate import current_revision, head, upgrade
from shared.db import create_engine
from shared.testing import BACKENDS


def test_demo_shows_the_split_names_the_joined_names_and_no_drift(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == 0

    out = capsys.readouterr().out
    assert "'Ludwig'    'van Beethoven'" in out, "0003 splits at the first space"
    assert "'Cher'      ''" in out, "a one-word name keeps an empty last name"
    assert "'Grace Brewster Murray Hopper'" in out.split("downgrade -> 0002_add_name_parts")[1]
    assert "(no users table)" in out
    assert "the schema matches day08/models.py" in out


@pytest.mark.parametrize(
    "backend",
    BACKENDS,
)
def test_demo_migrates_an_empty_database_and_leaves_it_at_head(
    backend: str, make_database: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = make_database(backend)

    assert main(["--db", url]) == 0

    engine = create_engine(url)
    assert current_revision(engine) == head()
    engine.dispose()
    assert "is left at head" in capsys.readouterr().out


def test_demo_refuses_a_database_that_is_already_migrated(
    make_database: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = make_database("sqlite")
    engine = create_engine(url)
    upgrade(engine, "0001_create_users")
    engine.dispose()

    with pytest.raises(SystemExit) as exit_info:
        main(["--db", url])

    assert exit_info.value.code == 1
    assert "already has a users table (revision 0001_create_users)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "--db is not a database URL: 'not a url'"),
        ("postgresql://u:p@127.0.0.1:1/x", "cannot reach the database in --db"),
    ],
)
def test_demo_rejects_a_bad_database_url_with_one_clear_line(
    url: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", url])

    err = capsys.readouterr().err.strip().splitlines()
    assert exit_info.value.code == 2
    assert len(err) == 1 and message in err[0], err
