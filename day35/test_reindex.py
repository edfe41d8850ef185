"""Re-indexing on edit: only chunks with a new digest reach the embedder."""

from __future__ import annotations

from day35.reindex import NoteIndex, StoredChunk, plan_reindex
from projects.notes_ai.chunking import Chunk, digest_of

NOTE = """Intro paragraph.

# One

First section text.

# Two

Second section text.
"""


def chunk(position: int, text: str, heading: str | None = None) -> Chunk:
    return Chunk(position, heading, text, digest_of(heading, text))


def stored(id: int, position: int, text: str, heading: str | None = None) -> StoredChunk:
    return StoredChunk(id, position, digest_of(heading, text))


class CountingEmbedder:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        return [[float(len(text))] for text in texts]


def test_the_same_chunks_are_all_kept() -> None:
    rows = [stored(10, 0, "a"), stored(11, 1, "b")]
    plan = plan_reindex(rows, [chunk(0, "a"), chunk(1, "b")])
    assert [(row.id, c.text) for row, c in plan.keep] == [(10, "a"), (11, "b")]
    assert (plan.embed, plan.delete) == ([], [])


def test_a_changed_chunk_is_embedded_and_its_old_row_deleted() -> None:
    plan = plan_reindex([stored(10, 0, "a"), stored(11, 1, "b")], [chunk(0, "a"), chunk(1, "B")])
    assert [c.text for c in plan.embed] == ["B"]
    assert [row.id for row in plan.delete] == [11]


def test_a_kept_chunk_may_move_to_a_new_position() -> None:
    plan = plan_reindex([stored(10, 0, "a")], [chunk(0, "new"), chunk(1, "a")])
    assert [(row.id, row.position, c.position) for row, c in plan.keep] == [(10, 0, 1)]


def test_the_same_text_under_another_heading_is_a_new_chunk() -> None:
    plan = plan_reindex([stored(10, 0, "text", "Old")], [chunk(0, "text", "New")])
    assert [c.heading for c in plan.embed] == ["New"]
    assert [row.id for row in plan.delete] == [10]


def test_two_equal_chunks_match_two_rows_and_a_third_is_embedded() -> None:
    rows = [stored(10, 0, "same"), stored(11, 1, "same")]
    plan = plan_reindex(rows, [chunk(0, "same"), chunk(1, "same"), chunk(2, "same")])
    assert [row.id for row, _ in plan.keep] == [10, 11]
    assert [c.position for c in plan.embed] == [2]


def test_a_new_title_re_embeds_every_chunk() -> None:
    rows = [stored(10, 0, "a"), stored(11, 1, "b")]
    plan = plan_reindex(rows, [chunk(0, "a"), chunk(1, "b")], title_changed=True)
    assert (plan.keep, len(plan.embed), [r.id for r in plan.delete]) == ([], 2, [10, 11])


def test_the_first_index_embeds_every_chunk_with_title_and_heading() -> None:
    embedder = CountingEmbedder()
    NoteIndex(embedder).update("Title", NOTE)
    assert embedder.calls == [
        [
            "Title\n\nIntro paragraph.",
            "Title — One\n\nFirst section text.",
            "Title — Two\n\nSecond section text.",
        ]
    ]


def test_editing_one_section_embeds_only_that_section() -> None:
    embedder = CountingEmbedder()
    index = NoteIndex(embedder)
    index.update("Title", NOTE)
    index.update("Title", NOTE.replace("Second section", "Edited second section"))
    assert embedder.calls[-1] == ["Title — Two\n\nEdited second section text."]
    assert [e.text for e in index.chunks()] == [
        "Intro paragraph.",
        "First section text.",
        "Edited second section text.",
    ]


def test_saving_the_note_unchanged_embeds_nothing() -> None:
    embedder = CountingEmbedder()
    index = NoteIndex(embedder)
    index.update("Title", NOTE)
    index.update("Title", NOTE.replace("\n", "\r\n"))
    assert embedder.calls[-1] == []
    assert index.embedded == 3


def test_deleting_a_section_embeds_nothing_and_drops_its_chunk() -> None:
    embedder = CountingEmbedder()
    index = NoteIndex(embedder)
    index.update("Title", NOTE)
    index.update("Title", NOTE.split("# Two")[0])
    assert embedder.calls[-1] == []
    assert [(e.position, e.heading) for e in index.chunks()] == [(0, None), (1, "One")]


def test_renaming_the_note_embeds_everything_again() -> None:
    embedder = CountingEmbedder()
    index = NoteIndex(embedder)
    index.update("Title", NOTE)
    index.update("Better title", NOTE)
    assert len(embedder.calls[-1]) == 3
    assert all(text.startswith("Better title") for text in embedder.calls[-1])
    assert len(index.entries) == 3
