"""What the lesson says about the capstone's chunker, on the demo's own note."""

from __future__ import annotations

from day35.__main__ import BODY, TITLE, overlap
from projects.notes_ai.chunking import chunk_note
from projects.notes_ai.tokens import count_tokens

CHUNKS = chunk_note(TITLE, BODY, max_tokens=60, overlap=15)


def test_the_demo_note_is_cut_into_five_chunks_none_over_the_limit() -> None:
    assert len(CHUNKS) == 5
    assert max(count_tokens(chunk.text) for chunk in CHUNKS) <= 60


def test_a_long_section_is_cut_in_two_and_the_second_repeats_a_whole_sentence() -> None:
    assert [c.heading for c in CHUNKS[1:3]] == ["Database", "Database"]
    repeated = overlap(CHUNKS[1].text, CHUNKS[2].text)
    assert repeated == "Check the lock the migration takes before running it at noon."
    assert count_tokens(repeated) <= 15


def test_a_comment_in_a_code_block_is_not_a_heading() -> None:
    workers = CHUNKS[-1]
    assert workers.heading == "Workers"
    assert "# one worker per core" in workers.text


def test_the_embedded_text_carries_title_and_heading_path_but_the_shown_text_does_not() -> None:
    backups = CHUNKS[3]
    assert backups.text.startswith("Take a snapshot first.")
    assert backups.embedding_text(TITLE).startswith(f"{TITLE} — Database > Backups\n\n")


def test_the_overlap_of_two_texts_is_the_end_of_one_that_starts_the_other() -> None:
    assert overlap("a b c", "b c d") == "b c"
    assert overlap("a b", "c d") == ""
