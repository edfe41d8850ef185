"""Progress as lines, and the sample folder imported into the API and answered from."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from flask import Flask

from day40.ingest import SAMPLE_NOTES, LineProgress, ask, import_folder, offline_app
from projects.notes_ai import cli

EMAIL, PASSWORD = "ada@example.com", "day forty password"
#: argon2's cheapest settings: hashing is not what these tests are about.
CHEAP = {"PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_COST": 8, "PASSWORD_PARALLELISM": 1}


def lines_of(total: int, updates: list[int], step: float = 0.25) -> list[str]:
    stream = io.StringIO()
    with LineProgress(stream, step)(total, "notes stored", "note") as bar:
        for n in updates:
            bar.update(n)
    return stream.getvalue().splitlines()


def test_a_line_bar_writes_a_line_each_quarter_and_one_at_the_end() -> None:
    assert lines_of(8, [1] * 8) == [f"  notes stored: {n}/8 notes" for n in (2, 4, 6, 8)]


def test_a_bar_whose_last_update_falls_between_steps_still_writes_the_full_line() -> None:
    assert lines_of(7, [3, 3, 1], step=0.5) == [
        "  notes stored: 6/7 notes",
        "  notes stored: 7/7 notes",
    ]


def test_a_bar_with_nothing_to_do_writes_nothing() -> None:
    assert lines_of(0, []) == []


def test_line_progress_writes_no_carriage_return() -> None:
    assert all("\r" not in line for line in lines_of(5, [1] * 5))


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    """The offline app with the sample folder imported once (no progress: not what it tests)."""
    application = offline_app(**CHEAP)
    cli.import_notes(
        application,
        [SAMPLE_NOTES],
        EMAIL,
        PASSWORD,
        progress=cli.no_progress,
        embedding_progress=False,
    )
    yield application
    application.extensions["notes"].db.engine.dispose()


def test_the_sample_folder_gives_seven_notes_and_refuses_the_html_file() -> None:
    application = offline_app(**CHEAP)
    try:
        summary = import_folder(application, SAMPLE_NOTES, EMAIL, PASSWORD, stream=io.StringIO())
    finally:
        application.extensions["notes"].db.engine.dispose()
    assert summary.imported == 7
    assert [(r.file, r.reason.split(";")[0]) for r in summary.refused] == [
        ("notes/links.html", "not a Markdown file")
    ]


def test_a_question_the_notes_answer_cites_the_note_that_answers_it(app: Flask) -> None:
    reply = ask(app, EMAIL, PASSWORD, "How do I rename a column without downtime?")
    assert [source["title"] for source in reply["sources"]] == ["Zero-downtime migrations"]
    assert "Never rename a column in one step" in reply["answer"]


def test_a_question_the_notes_do_not_answer_has_no_sources(app: Flask) -> None:
    reply = ask(app, EMAIL, PASSWORD, "Who won the 1998 World Cup?")
    assert (reply["answer"], reply["sources"]) == ("I could not find that in your notes.", [])


def test_a_question_that_shares_a_word_piece_with_a_note_can_find_the_wrong_one(app: Flask) -> None:
    reply = ask(app, EMAIL, PASSWORD, "What do I check first when paged?")
    assert [source["title"] for source in reply["sources"]] == ["Pagination"]
