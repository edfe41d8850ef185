"""Chunking notes: headings first, then size, with overlap and digests that survive edits."""

from __future__ import annotations

import hashlib
import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projects.notes_ai.chunking import Chunk, chunk_note, digest_of, normalise
from projects.notes_ai.tokens import count_tokens


def sentences(label: str, count: int) -> str:
    return " ".join(f"{label} sentence {n} says one small thing." for n in range(count))


NOTE = f"""A first paragraph before any heading.

# Setup

{sentences("setup", 30)}

## Redis

{sentences("redis", 30)}

# Usage

{sentences("usage", 30)}
"""


def digests_by_heading(chunks: list[Chunk]) -> dict[str | None, list[str]]:
    found: dict[str | None, list[str]] = {}
    for chunk in chunks:
        found.setdefault(chunk.heading, []).append(chunk.digest)
    return found


def words(text: str) -> set[str]:
    return set(text.split())


def test_a_short_note_without_headings_is_one_chunk() -> None:
    chunks = chunk_note("Title", "Just one paragraph.\n\nAnd another.")
    assert chunks == [Chunk(0, None, "Just one paragraph.\n\nAnd another.", chunks[0].digest)]


def test_an_empty_body_gives_one_chunk_of_the_title() -> None:
    for body in ("", "  \n\n\t"):
        assert [(c.position, c.heading, c.text) for c in chunk_note(" Title ", body)] == [
            (0, None, "Title")
        ]


def test_headings_cut_the_note_into_sections_with_their_heading_path() -> None:
    chunks = chunk_note("T", "intro\n# A\na text\n## B\nb text\n### C\nc text\n# D\nd text")
    assert [(c.heading, c.text) for c in chunks] == [
        (None, "intro"),
        ("A", "a text"),
        ("A > B", "b text"),
        ("A > B > C", "c text"),
        ("D", "d text"),
    ]


def test_positions_count_from_zero_across_the_note() -> None:
    chunks = chunk_note("T", NOTE, max_tokens=60, overlap=10)
    assert [c.position for c in chunks] == list(range(len(chunks)))


def test_a_heading_line_is_not_part_of_the_chunk_text() -> None:
    chunks = chunk_note("T", "# Setup ##\nInstall it.")
    assert [(c.heading, c.text) for c in chunks] == [("Setup", "Install it.")]


@pytest.mark.parametrize(
    "line", ["#hashtag", "####### seven", "    # indented code", "\\# escaped", "#5 on the list"]
)
def test_a_line_that_is_not_an_atx_heading_stays_text(line: str) -> None:
    chunks = chunk_note("T", f"before\n{line}\nafter")
    assert [(c.heading, c.text) for c in chunks] == [(None, f"before\n{line}\nafter")]


def test_a_hash_line_inside_a_fenced_code_block_is_not_a_heading() -> None:
    body = "# Script\n```bash\n# install\npip install x\n```\n~~~\n# also code\n~~~\nafter"
    chunks = chunk_note("T", body)
    assert [(c.heading, c.text) for c in chunks] == [("Script", body.split("\n", 1)[1])]


def test_a_fence_closes_only_with_the_same_character_and_length() -> None:
    body = "````\n```\n# still code\n~~~~\n````\n# Real"
    chunks = chunk_note("T", body)
    assert [c.heading for c in chunks] == [None, "Real"]


def test_backticks_with_a_backtick_after_them_do_not_open_a_fence() -> None:
    chunks = chunk_note("T", "```a`b\n# Real heading\ntext")
    assert [c.heading for c in chunks] == [None, "Real heading"]


def test_a_code_block_is_not_cut_at_its_blank_lines() -> None:
    code = "```python\n" + "\n\n".join(f"value_{n} = {n}" for n in range(8)) + "\n```"
    body = f"{sentences('before', 4)}\n\n{code}\n\n{sentences('after', 4)}"
    chunks = chunk_note("T", body, max_tokens=80, overlap=0)
    assert any(code in chunk.text for chunk in chunks)


def test_a_heading_with_nothing_under_it_is_a_chunk_of_its_own_text() -> None:
    chunks = chunk_note("T", "# A\n## B\ntext\n## Empty\n# Last")
    assert [(c.heading, c.text) for c in chunks] == [
        ("A > B", "text"),
        ("A > Empty", "Empty"),
        ("Last", "Last"),
    ]


def test_a_note_of_only_headings_keeps_every_heading() -> None:
    chunks = chunk_note("T", "# One\n# Two\n## Three")
    assert [(c.heading, c.text) for c in chunks] == [
        ("One", "One"),
        ("Two > Three", "Three"),
    ]


def test_a_section_of_exactly_max_tokens_is_one_chunk() -> None:
    text = sentences("exact", 5)
    limit = count_tokens(text)
    assert [c.text for c in chunk_note("T", text, max_tokens=limit, overlap=0)] == [text]
    assert len(chunk_note("T", text, max_tokens=limit - 1, overlap=0)) == 2


def test_a_long_section_is_cut_on_paragraph_boundaries_first() -> None:
    paragraphs = [sentences(f"p{n}", 3) for n in range(6)]
    chunks = chunk_note("T", "\n\n".join(paragraphs), max_tokens=80, overlap=0)
    assert len(chunks) > 1
    for chunk in chunks:
        assert all(part in paragraphs for part in chunk.text.split("\n\n")), chunk.text


def test_a_long_paragraph_is_cut_on_sentence_boundaries() -> None:
    chunks = chunk_note("T", sentences("long", 40), max_tokens=50, overlap=0)
    assert len(chunks) > 1
    assert all(c.text.endswith("thing.") for c in chunks)
    assert all(c.text.startswith("long sentence") for c in chunks)


def test_a_long_sentence_is_cut_on_word_boundaries() -> None:
    body = " ".join(f"word{n}" for n in range(300))
    chunks = chunk_note("T", body, max_tokens=30, overlap=0)
    assert len(chunks) > 1
    assert " ".join(c.text for c in chunks) == body


def test_a_single_giant_word_is_its_own_chunk_and_the_only_one_over_the_limit() -> None:
    giant = "x" * 4000
    chunks = chunk_note("T", f"before it {giant} after it", max_tokens=20, overlap=5)
    assert [c.text for c in chunks] == ["before it", giant, "after it"]
    assert count_tokens(giant) > 20


def test_a_chunk_after_the_first_starts_with_the_overlap() -> None:
    chunks = chunk_note("T", sentences("lap", 30), max_tokens=60, overlap=20)
    for before, after in itertools.pairwise(chunks):
        first_sentence = after.text.split(". ")[0] + "."
        assert first_sentence in before.text
        assert count_tokens(first_sentence) <= 20


def test_overlap_never_crosses_a_heading() -> None:
    chunks = chunk_note("T", "# A\nalpha text.\n# B\nbeta text.", max_tokens=50, overlap=20)
    assert [c.text for c in chunks] == ["alpha text.", "beta text."]


def test_no_overlap_repeats_nothing() -> None:
    body = " ".join(f"w{n}" for n in range(200))
    chunks = chunk_note("T", body, max_tokens=25, overlap=0)
    assert sum(len(c.text.split()) for c in chunks) == 200


@pytest.mark.parametrize(("max_tokens", "overlap"), [(0, 0), (10, 10), (10, 11), (10, -1)])
def test_impossible_limits_are_refused(max_tokens: int, overlap: int) -> None:
    with pytest.raises(ValueError, match=r"max_tokens|overlap"):
        chunk_note("T", "text", max_tokens=max_tokens, overlap=overlap)


def test_crlf_and_lf_give_the_same_chunks() -> None:
    assert chunk_note("T", NOTE.replace("\n", "\r\n")) == chunk_note("T", NOTE)
    assert chunk_note("T", NOTE.replace("\n", "\r")) == chunk_note("T", NOTE)


def test_a_byte_order_mark_is_dropped() -> None:
    assert chunk_note("T", "\ufeff# A\ntext") == chunk_note("T", "# A\ntext")


def test_composed_and_decomposed_accents_give_the_same_digest() -> None:
    composed, decomposed = "# Café\nnaïve", "# Cafe\u0301\nnai\u0308ve"
    assert chunk_note("T", composed) == chunk_note("T", decomposed)


def test_unicode_text_is_kept_and_cut_on_its_own_sentence_stops() -> None:
    body = "中文句子很好。" * 80
    chunks = chunk_note("T", f"# 标题 🙂\n{body}", max_tokens=50, overlap=0)
    assert {c.heading for c in chunks} == {"标题 🙂"}
    assert "".join(c.text for c in chunks) == body
    assert all(count_tokens(c.text) <= 50 for c in chunks)


def test_the_digest_is_the_sha256_of_heading_newline_text() -> None:
    chunk = chunk_note("T", "# A > B\ntext")[0]
    assert chunk.digest == hashlib.sha256(b"A > B\ntext").hexdigest()
    assert digest_of(None, "text") == hashlib.sha256(b"\ntext").hexdigest()


def test_the_same_note_always_gives_the_same_digests() -> None:
    assert chunk_note("T", NOTE, max_tokens=60) == chunk_note("T", NOTE, max_tokens=60)


def test_editing_a_paragraph_in_one_section_changes_only_that_sections_digests() -> None:
    before = digests_by_heading(chunk_note("T", NOTE, max_tokens=60, overlap=10))
    edited = NOTE.replace("redis sentence 12 says", "redis sentence 12 now says")
    after = digests_by_heading(chunk_note("T", edited, max_tokens=60, overlap=10))
    changed = {heading for heading in before if before[heading] != after[heading]}
    assert changed == {"Setup > Redis"}
    assert len(set(before["Setup > Redis"]) - set(after["Setup > Redis"])) < len(
        before["Setup > Redis"]
    )


def test_appending_a_section_adds_chunks_and_keeps_earlier_digests() -> None:
    before = chunk_note("T", NOTE, max_tokens=60, overlap=10)
    after = chunk_note("T", NOTE + "\n# Later\nSomething new.", max_tokens=60, overlap=10)
    assert [c.digest for c in after[: len(before)]] == [c.digest for c in before]
    assert [(c.heading, c.text) for c in after[len(before) :]] == [("Later", "Something new.")]


def test_the_title_changes_no_digest() -> None:
    assert [c.digest for c in chunk_note("Old", NOTE)] == [
        c.digest for c in chunk_note("New", NOTE)
    ]


def test_embedding_text_puts_the_title_and_heading_before_the_text() -> None:
    chunk = chunk_note("Deploy notes", "# Setup\n## Redis\nRun it.")[0]
    assert chunk.text == "Run it."
    assert chunk.embedding_text("Deploy notes") == "Deploy notes — Setup > Redis\n\nRun it."


def test_embedding_text_without_a_heading_is_the_title_then_the_text() -> None:
    chunk = chunk_note("Deploy notes", "Run it.")[0]
    assert chunk.embedding_text("Deploy notes") == "Deploy notes\n\nRun it."


def test_embedding_text_of_a_title_only_chunk_is_the_title_once() -> None:
    chunk = chunk_note("Deploy notes", "")[0]
    assert chunk.embedding_text("Deploy notes") == "Deploy notes"


markdown_line = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=60),
    st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 7), st.text(max_size=20)),
    st.sampled_from(["", "```", "~~~", "- item", "> quote", "Sentence one. Sentence two!"]),
    st.builds(lambda w: w * 30, st.sampled_from(["long ", "x", "é "])),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(markdown_line, max_size=25),
    st.integers(min_value=8, max_value=80),
    st.integers(min_value=0, max_value=30),
)
def test_every_word_is_kept_and_only_single_words_exceed_the_limit(
    lines: list[str], max_tokens: int, overlap: int
) -> None:
    overlap = min(overlap, max_tokens - 1)
    body = "\n".join(lines)
    chunks = chunk_note("Title", body, max_tokens=max_tokens, overlap=overlap)
    assert chunks
    found: set[str] = set()
    for chunk in chunks:
        found |= words(chunk.text) | words(chunk.heading or "")
        if count_tokens(chunk.text) > max_tokens:
            assert len(chunk.text.split()) == 1, chunk.text
    plain = re.sub(r"^ {0,3}#{1,6}(?=\s|$)|\s#+\s*$", " ", normalise(body), flags=re.M)
    body_words = words(plain)
    assert body_words - {"#" * n for n in range(1, 7)} <= found | words("Title")
