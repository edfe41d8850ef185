"""What the lesson says about SQLite's LIKE and FTS5, checked on the SQLite Python ships with."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest


@pytest.fixture
def db() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(":memory:")
    yield connection
    connection.close()


def one(db: sqlite3.Connection, sql: str, *params: object) -> object:
    return db.execute(sql, params).fetchone()[0]


def test_like_ignores_case_for_ascii_letters_only(db: sqlite3.Connection) -> None:
    assert one(db, "SELECT 'Bread' LIKE 'bread'") == 1
    assert one(db, "SELECT 'Éclair' LIKE 'éclair'") == 0


def test_percent_and_underscore_are_wildcards_unless_escaped(db: sqlite3.Connection) -> None:
    assert one(db, "SELECT 'axb' LIKE '%a_b%'") == 1
    assert one(db, "SELECT 'axb' LIKE ? ESCAPE '\\'", "%a\\_b%") == 0
    assert one(db, "SELECT 'a_b' LIKE ? ESCAPE '\\'", "%a\\_b%") == 1


def test_a_leading_wildcard_cannot_use_an_index(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE notes (title TEXT COLLATE NOCASE)")
    db.execute("CREATE INDEX notes_title ON notes (title)")
    plan = db.execute("EXPLAIN QUERY PLAN SELECT * FROM notes WHERE title LIKE '%bread%'")
    assert "SCAN notes" in " ".join(row[-1] for row in plan)


def fts(db: sqlite3.Connection, tokenizer: str) -> None:
    db.execute(f"CREATE VIRTUAL TABLE t USING fts5(body, tokenize='{tokenizer}')")
    db.executemany(
        "INSERT INTO t(body) VALUES (?)",
        [("Baking the loaf at 250 C",), ("Bake, bake, bake the cakes",), ("Pump the tyres",)],
    )


def test_the_porter_tokenizer_matches_other_forms_of_a_word(db: sqlite3.Connection) -> None:
    fts(db, "porter unicode61")
    assert [row[0] for row in db.execute("SELECT rowid FROM t WHERE t MATCH 'bakes'")] == [1, 2]


def test_without_porter_only_the_same_word_matches(db: sqlite3.Connection) -> None:
    fts(db, "unicode61")
    assert [row[0] for row in db.execute("SELECT rowid FROM t WHERE t MATCH 'bakes'")] == []
    assert [row[0] for row in db.execute("SELECT rowid FROM t WHERE t MATCH 'BAKE'")] == [2]


def test_bm25_is_negative_and_lower_for_a_better_match(db: sqlite3.Connection) -> None:
    fts(db, "porter unicode61")
    ranked = db.execute("SELECT rowid, bm25(t) FROM t WHERE t MATCH 'bake' ORDER BY bm25(t)")
    rows = ranked.fetchall()
    assert [rowid for rowid, _ in rows] == [2, 1], rows
    assert all(score < 0 for _, score in rows), rows


@pytest.mark.parametrize("typed", ["bake AND", 'bake "', "NEAR(bake", "body:"])
def test_text_a_user_typed_can_be_an_fts5_syntax_error(db: sqlite3.Connection, typed: str) -> None:
    fts(db, "porter unicode61")
    with pytest.raises(sqlite3.OperationalError, match=r"fts5: syntax error|unterminated"):
        db.execute("SELECT rowid FROM t WHERE t MATCH ?", (typed,)).fetchall()


def test_an_external_content_index_sees_only_what_it_is_told(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    db.execute(
        "CREATE VIRTUAL TABLE notes_fts USING fts5(body, content='notes', content_rowid='id')"
    )
    db.execute("INSERT INTO notes (body) VALUES ('bread')")
    assert db.execute("SELECT rowid FROM notes_fts WHERE notes_fts MATCH 'bread'").fetchall() == []
    db.execute("INSERT INTO notes_fts (rowid, body) VALUES (1, 'bread')")
    db.execute("DELETE FROM notes WHERE id = 1")
    # The index still holds the deleted row until it is told, with the old values, to drop it.
    assert db.execute("SELECT rowid FROM notes_fts WHERE notes_fts MATCH 'bread'").fetchall() == [
        (1,)
    ]
    db.execute("INSERT INTO notes_fts (notes_fts, rowid, body) VALUES ('delete', 1, 'bread')")
    assert db.execute("SELECT rowid FROM notes_fts WHERE notes_fts MATCH 'bread'").fetchall() == []


def test_a_trailing_star_is_a_prefix_search(db: sqlite3.Connection) -> None:
    fts(db, "unicode61")
    assert [row[0] for row in db.execute("SELECT rowid FROM t WHERE t MATCH 'loa*'")] == [1]
