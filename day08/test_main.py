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


# Every step of the walk on a temporary SQLite file, as the demo prints it.
TRANSCRIPT = """\
Migrating a temporary SQLite file

upgrade -> 0001_create_users: Create the users table, with the whole name in one full_name column.
    inserted 4 users
    id  email                 full_name
    1   'ada@example.com'     'Ada Lovelace'
    2   'cher@example.com'    'Cher'
    3   'ludwig@example.com'  'Ludwig van Beethoven'
    4   'grace@example.com'   'Grace Brewster Murray Hopper'

upgrade -> 0002_add_name_parts: Add first_name and last_name, nullable until 0003 fills them.
    id  email                 full_name                       first_name  last_name
    1   'ada@example.com'     'Ada Lovelace'                  NULL        NULL
    2   'cher@example.com'    'Cher'                          NULL        NULL
    3   'ludwig@example.com'  'Ludwig van Beethoven'          NULL        NULL
    4   'grace@example.com'   'Grace Brewster Murray Hopper'  NULL        NULL

upgrade -> 0003_split_full_name: Split full_name into first_name and last_name, make them \
required, drop full_name.
    id  email                 first_name  last_name
    1   'ada@example.com'     'Ada'       'Lovelace'
    2   'cher@example.com'    'Cher'      ''
    3   'ludwig@example.com'  'Ludwig'    'van Beethoven'
    4   'grace@example.com'   'Grace'     'Brewster Murray Hopper'

downgrade -> 0002_add_name_parts: the names are joined back into full_name
    id  email                 first_name  last_name                 full_name
    1   'ada@example.com'     'Ada'       'Lovelace'                'Ada Lovelace'
    2   'cher@example.com'    'Cher'      ''                        'Cher'
    3   'ludwig@example.com'  'Ludwig'    'van Beethoven'           'Ludwig van Beethoven'
    4   'grace@example.com'   'Grace'     'Brewster Murray Hopper'  'Grace Brewster Murray Hopper'

downgrade -> base: every revision undone
    (no users table)

upgrade -> head (0003_split_full_name) again
    the schema matches day08/models.py: autogenerate finds nothing to change
"""


def test_demo_prints_every_step_with_the_table_in_aligned_columns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == 0

    assert capsys.readouterr().out == TRANSCRIPT


def test_demo_on_a_given_database_names_it_and_says_where_it_is_left(
    make_database: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = make_database("sqlite")

    assert main(["--db", url]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"Migrating {url}"
    assert lines[-1] == f"{url} is left at head."
    assert lines[-2] == "", "a blank line before the closing one"


def test_demo_refuses_a_users_table_that_alembic_never_recorded(
    make_database: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = make_database("sqlite")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE users (id INTEGER PRIMARY KEY)")
    engine.dispose()

    with pytest.raises(SystemExit) as exit_info:
        main(["--db", url])

    assert exit_info.value.code == 1
    assert capsys.readouterr().err == (
        f"python -m day08: error: {url} already has a users table (revision none); "
        "point --db at an empty database\n"
    )


def test_help_explains_the_walk_and_the_default_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "200")

    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])

    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    assert out.startswith("usage: python -m day08 [-h] [--db URL]\n"), out
    assert (
        "Upgrade a database one revision at a time, showing the users table after each step, "
        "then downgrade to base and upgrade again." in out
    ), out
    assert (
        "--db URL    an empty database to migrate, left at head afterwards "
        "(default: a temporary SQLite file, deleted afterwards)" in out
    ), out
