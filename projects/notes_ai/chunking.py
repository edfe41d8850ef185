"""Split a Markdown note into chunks to embed: by headings first, then by size.

A note is cut at its ATX headings (``#`` to ``######``, not inside fenced code blocks), so each
chunk belongs to one section and knows its heading path (``"Setup > Redis"``). A section longer
than ``max_tokens`` is cut on paragraph boundaries, then lines, then sentences, then words, and
each piece after the first starts with up to ``overlap`` tokens (whole words) of the one before,
so a sentence cut in two is still found whole somewhere. Overlap never crosses a heading.

Each chunk's digest hashes only its heading and its text, not its position, so editing one
section changes the digests of that section's chunks and no others: re-indexing a note
re-embeds only the chunks whose digest is new. Setext headings (a line underlined with ``===``)
are read as text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from projects.notes_ai.tokens import count_tokens

_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))??(?:[ \t]+#+)?[ \t]*")
_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_FENCE_CLOSE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*")
#: Where a sentence ends: closing punctuation (and quotes or brackets) then space, or a CJK stop.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+|[。！？]+\s*")
_ENDS_SENTENCE = re.compile(r"(?:[.!?…]+[\"'”’)\]]*|[。！？]+)\s*$")
_LINE_END = re.compile(r"\n")
_WORD_END = re.compile(r"\s+")


@dataclass(frozen=True)
class Chunk:
    """One piece of a note, as stored in ``chunks`` and sent to the embedder."""

    position: int
    heading: str | None
    text: str
    digest: str = field(repr=False)

    def embedding_text(self, title: str) -> str:
        """What is embedded: the note's title and the heading path, then the chunk's text.

        ``"Title — Setup > Redis\\n\\ntext"``; a chunk that is only the title is the title alone.
        """
        header = " — ".join(part for part in (title.strip(), self.heading) if part)
        if not header or header == self.text:
            return self.text
        return f"{header}\n\n{self.text}"


def digest_of(heading: str | None, text: str) -> str:
    """The sha256 hex of ``heading + "\\n" + text`` (no heading counts as "")."""
    return hashlib.sha256(f"{heading or ''}\n{text}".encode()).hexdigest()


def chunk_note(title: str, body: str, *, max_tokens: int = 220, overlap: int = 40) -> list[Chunk]:
    """The note's chunks, in order, none over ``max_tokens`` tokens unless a single word is.

    Line endings become ``\\n`` and the text is NFC-normalised, so the same note saved by
    another editor gives the same digests. An empty body gives one chunk of the title; a heading
    with nothing under it, not even a subheading, is a chunk of its own heading text, so every
    word of the note is in some chunk's heading or text.
    """
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be at least 1, got {max_tokens}")
    if not 0 <= overlap < max_tokens:
        raise ValueError(f"overlap must be 0 or more and below max_tokens, got {overlap}")
    pieces: list[tuple[str | None, str]] = []
    for heading, text in _sections(normalise(body)):
        pieces.extend((heading, part) for part in _split_section(text, max_tokens, overlap))
    if not pieces:
        pieces = [(None, normalise(title).strip())]
    return [
        Chunk(position, heading, text, digest_of(heading, text))
        for position, (heading, text) in enumerate(pieces)
    ]


def normalise(text: str) -> str:
    """``\\r\\n`` and ``\\r`` as ``\\n``, no byte-order mark, Unicode NFC."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _sections(body: str) -> Iterator[tuple[str | None, str]]:
    """(heading path, text) for each section; a leaf heading with no text gives its own text."""
    path: list[tuple[int, str]] = []
    lines: list[str] = []
    fence: str | None = None
    pending: tuple[int, str] | None = None  # the last heading, while nothing is under it yet

    def heading_path() -> str | None:
        return " > ".join(title for _, title in path if title) or None

    for line in body.split("\n"):
        if fence is not None:
            if _closes(fence, line):
                fence = None
            lines.append(line)
            continue
        opening = _fence_opening(line)
        if opening is not None:
            fence = opening
            lines.append(line)
            continue
        heading = _HEADING.fullmatch(line)
        if heading is None:
            lines.append(line)
            continue
        level, title = len(heading[1]), (heading[2] or "").strip()
        text = "\n".join(lines).strip()
        if text:
            yield heading_path(), text
            pending = None
        elif pending is not None and level <= pending[0]:
            yield heading_path(), pending[1]  # a heading left empty, not a parent of this one
            pending = None
        lines = []
        path = [(lvl, name) for lvl, name in path if lvl < level] + [(level, title)]
        if title:  # a heading with no title ("##") is no one's parent and no chunk
            pending = (level, title)
    text = "\n".join(lines).strip()
    if text:
        yield heading_path(), text
    elif pending is not None:
        yield heading_path(), pending[1]


def _fence_opening(line: str) -> str | None:
    """The fence (e.g. ``"```"``) that ``line`` opens, or None; a backtick fence's info string
    cannot hold a backtick (CommonMark), so ```` ```a`b ```` is inline code, not a fence."""
    opening = _FENCE_OPEN.fullmatch(line)
    if opening is None or (opening[1][0] == "`" and "`" in opening[2]):
        return None
    return opening[1]


def _closes(fence: str, line: str) -> bool:
    """A fence closes with the same character, at least as many times, and nothing after."""
    closing = _FENCE_CLOSE.fullmatch(line)
    return closing is not None and closing[1][0] == fence[0] and len(closing[1]) >= len(fence)


def _split_section(text: str, max_tokens: int, overlap: int) -> list[str]:
    if count_tokens(text) <= max_tokens:
        return [text]
    pieces = _pieces(text, max_tokens, 0)
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        joined = current + piece
        if not current or count_tokens(joined.strip()) <= max_tokens:
            current = joined
            continue
        chunks.append(current.strip())
        current = _overlapping_start(current, piece, overlap, max_tokens) + piece
    if current.strip():
        chunks.append(current.strip())
    return chunks


def _pieces(text: str, max_tokens: int, level: int) -> list[str]:
    """``text`` cut into pieces of at most ``max_tokens`` (but for single words), each keeping
    the whitespace after it, so that joining them gives ``text`` back."""
    if level == 0:
        parts = _paragraphs(text)
    else:
        parts = _cut(text, (_LINE_END, _SENTENCE_END, _WORD_END)[level - 1])
    if level == 3:
        return parts
    pieces: list[str] = []
    for part in parts:
        if count_tokens(part.strip()) <= max_tokens:
            pieces.append(part)
        else:
            pieces.extend(_pieces(part, max_tokens, level + 1))
    return pieces


def _cut(text: str, boundary: re.Pattern[str]) -> list[str]:
    parts: list[str] = []
    start = 0
    for match in boundary.finditer(text):
        if match.end() > start and match.end() < len(text):
            parts.append(text[start : match.end()])
            start = match.end()
    parts.append(text[start:])
    return parts


def _paragraphs(text: str) -> list[str]:
    """Cut after each run of blank lines, except inside a fenced code block."""
    parts: list[str] = []
    current: list[str] = []
    fence: str | None = None
    lines = text.split("\n")
    for index, line in enumerate(lines):
        last = index == len(lines) - 1
        current.append(line if last else line + "\n")
        if fence is not None:
            if _closes(fence, line):
                fence = None
            continue
        opening = _fence_opening(line)
        if opening is not None:
            fence = opening
            continue
        following_is_text = not last and lines[index + 1].strip()
        if not line.strip() and following_is_text:
            parts.append("".join(current))
            current = []
    if current:
        parts.append("".join(current))
    return parts


def _overlapping_start(previous: str, piece: str, overlap: int, max_tokens: int) -> str:
    """The last whole words of ``previous``, at most ``overlap`` tokens and from a sentence start
    if one is among them, that still leave room for ``piece`` under ``max_tokens``."""
    if overlap == 0:
        return ""
    words = _cut(previous.rstrip() + " ", _WORD_END)
    start = len(words)
    while start > 0 and count_tokens("".join(words[start - 1 :]).strip()) <= overlap:
        start -= 1
    tail = words[start:]
    # start the overlap at a sentence when one begins inside it
    for index, word in enumerate(tail[:-1]):
        if _ENDS_SENTENCE.search(word):
            tail = tail[index + 1 :]
            break
    while tail and count_tokens(("".join(tail) + piece).strip()) > max_tokens:
        tail = tail[1:]
    return "".join(tail)
