"""``python -m day06``: the demo on each backend, and what it says about a bad ``--db``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from day06.__main__ import DEMO_ISBNS, main
from day06.models import Book
from shared.db import create_engine
from shared.testing import free_port


def test_demo_on_a_temporary_sqlite_file_runs_every_step_and_exits_0(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == 0

    out = capsys.readouterr().out
    assert "dialect sqlite, driver pysqlite" in out
    for step in ("added ", "refused ", "found ", "SQL: SELECT count(*)", "updated ", "deleted "):
        assert step in out, f"{step!r} missing from the demo output:\n{out}"


def test_demo_runs_on_each_backend_and_removes_its_rows(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", db_url]) == 0

    backend = sa.make_url(db_url).get_backend_name()
    out = capsys.readouterr().out
    assert f"dialect {backend}," in out
    # What the lesson says each driver's SQL looks like.
    placeholders = {
        "sqlite": "= lower(?) ORDER BY day06_books.id LIMIT ? OFFSET ?",
        "mysql": "= lower(%(lower_1)s) ORDER BY day06_books.id LIMIT %(param_1)s, %(param_2)s",
        "postgresql": "= lower(%(lower_1)s::VARCHAR) ORDER BY day06_books.id "
        "LIMIT %(param_1)s::INTEGER",
    }
    assert placeholders[backend] in out, out
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            left = connection.scalar(
                sa.select(sa.func.count()).select_from(Book).where(Book.isbn.in_(DEMO_ISBNS))
            )
    finally:
        engine.dispose()
    assert left == 0, f"the demo left {left} of its rows in {backend}"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "--db is not a database URL: 'not a url'"),
        ("oracle://scott:tiger@127.0.0.1/orcl", "needs the 'oracle' driver"),
        ("nosuchdb://127.0.0.1/x", "unknown database driver 'nosuchdb'"),
    ],
)
def test_a_malformed_db_url_is_one_line_and_exit_2(
    url: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", url]) == 2

    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, f"--db {url!r} gave stderr {err!r}"


def test_an_unreachable_database_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"mysql+pymysql://user:secret@127.0.0.1:{free_port()}/books"

    assert main(["--db", url]) == 2

    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot reach the database in --db" in err, err
    assert "secret" not in err, "the password must not be printed"


def test_an_unknown_argument_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--database", "sqlite://"])

    assert exit_info.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_demo_prints_the_same_thing_every_run(capsys: pytest.CaptureFixture[str]) -> None:
    # The lesson shows this output: no temporary path or clock reading may leak into it.
    main([])
    first = capsys.readouterr().out
    main([])

    assert capsys.readouterr().out == first
    assert "url:      sqlite:///<tmp>/bookshelf.db" in first


def test_demo_prints_the_timestamps_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--times"]) == 0

    out = capsys.readouterr().out
    assert "created_at 20" in out and "+00:00, tzinfo UTC" in out, out
