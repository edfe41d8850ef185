"""The `python -m day07` demo: a table of statement counts, and clear errors for bad input."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from day07.__main__ import main
from day07.relations import Base


def test_demo_prints_lazy_and_eager_counts_per_page_size(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == 0

    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line.split()[1:] for line in lines if line[:9].strip().isdigit()}
    # 50 posts by 10 authors: lazy = 1 + N + min(N, 10), eager = 2, identical rows.
    assert rows == {
        "1": ["3", "2", "yes"],
        "10": ["21", "2", "yes"],
        "25": ["36", "2", "yes"],
        "50": ["61", "2", "yes"],
    }


def test_demo_leaves_the_database_as_it_found_it(make_database: Callable[[str], str]) -> None:
    url = make_database("sqlite")

    assert main(["--db", url, "--posts", "5"]) == 0

    engine = sa.create_engine(url)
    assert sa.inspect(engine).get_table_names() == []
    engine.dispose()


def test_demo_refuses_a_database_that_already_has_its_tables(
    make_database: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = make_database("sqlite")
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()

    with pytest.raises(SystemExit) as exit_info:
        main(["--db", url])

    assert exit_info.value.code == 1
    assert "already has day07_authors" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--posts", "0"], "argument --posts: expected a number from 1 to 1000, got 0"),
        (["--authors", "many"], "argument --authors: expected a whole number, got 'many'"),
        (["--db", "not a url"], "--db is not a database URL: 'not a url'"),
        (["--db", "mysql://u:p@127.0.0.1:1/x"], "cannot reach the database in --db"),
    ],
)
def test_demo_rejects_bad_arguments_with_one_clear_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)

    error_lines = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert exit_info.value.code == 2
    assert len(error_lines) == 1 and message in error_lines[0], error_lines
