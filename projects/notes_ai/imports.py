"""Markdown files, loose or in a zip, read into notes; what cannot be a note is refused, with why.

Reading is separate from storing, so the same code serves ``POST /api/notes/import`` and the
command-line import. A zip is read entry by entry with limits on what each entry and the whole
archive may expand to, so a small upload cannot unpack into gigabytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import BinaryIO

from projects.notes_ai.models import TITLE_MAX

NOTE_SUFFIXES = (".md", ".markdown", ".txt")
#: Most entries one archive may hold, and most bytes it may expand to.
MAX_ENTRIES = 2000
MAX_EXPANDED_BYTES = 200_000_000


@dataclass(frozen=True)
class ImportedNote:
    file: str
    title: str
    body: str


@dataclass(frozen=True)
class Refused:
    file: str
    reason: str


@dataclass
class Batch:
    notes: list[ImportedNote] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)


def split_title(name: str, text: str) -> tuple[str, str]:
    """The note's title and body: a first line ``# Title`` is the title, else the file's name."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].startswith("# ") and lines[first][2:].strip():
        return lines[first][2:].strip(), "\n".join(lines[first + 1 :]).strip("\n")
    stem = PurePosixPath(name).stem.replace("_", " ").replace("-", " ").strip()
    return stem or "Untitled", text.strip("\n")


def read_note(name: str, data: bytes, max_note_chars: int) -> ImportedNote | Refused:
    """One file as a note, or why it cannot be one."""
    if not name.lower().endswith(NOTE_SUFFIXES):
        return Refused(name, f"not a Markdown file; send {', '.join(NOTE_SUFFIXES)} files")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Refused(name, f"not UTF-8 text (byte {error.start}); save it as UTF-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        return Refused(name, "contains NUL characters; it looks like a binary file")
    if not text.strip():
        # Else the file's name would become the title of a note with nothing in it.
        return Refused(name, "is empty")
    title, body = split_title(name, text)
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1].rstrip() + "…"
    if len(body) > max_note_chars:
        return Refused(
            name,
            f"is too long ({len(body)} characters; at most {max_note_chars}, "
            f"NOTES_MAX_NOTE_CHARS); split it into several notes",
        )
    return ImportedNote(name, title, body)


def read_zip(name: str, data: bytes, max_note_chars: int, batch: Batch) -> None:
    """Every note in the archive ``name`` into ``batch`` (entries as ``name/entry``)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        batch.refused.append(Refused(name, "not a readable zip archive"))
        return
    with archive:
        entries = [
            info for info in archive.infolist() if not info.is_dir() and not _hidden(info.filename)
        ]
        if len(entries) > MAX_ENTRIES:
            batch.refused.append(
                Refused(name, f"holds {len(entries)} files; at most {MAX_ENTRIES} per archive")
            )
            return
        budget = MAX_EXPANDED_BYTES
        for info in entries:
            label = f"{name}/{info.filename}"
            if info.filename.lower().endswith(".zip"):
                batch.refused.append(Refused(label, "a zip inside a zip; unpack it first"))
                continue
            if not info.filename.lower().endswith(NOTE_SUFFIXES):
                batch.refused.append(read_note(label, b"", max_note_chars))  # type: ignore[arg-type]
                continue
            # The header's size can lie; read at most what is left of the budget, plus one byte.
            limit = min(budget, max_note_chars * 4 + 4) + 1
            try:
                with archive.open(info) as member:
                    content = member.read(limit)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as error:
                batch.refused.append(Refused(label, f"cannot be read from the archive ({error})"))
                continue
            if len(content) >= limit:
                batch.refused.append(
                    Refused(label, f"is too long (at most {max_note_chars} characters)")
                )
                continue
            budget -= len(content)
            _add(batch, read_note(label, content, max_note_chars))


def read_uploads(uploads: Iterable[tuple[str, BinaryIO]], *, max_note_chars: int) -> Batch:
    """The notes in ``uploads`` (file name, stream): Markdown files and zips of them."""
    batch = Batch()
    for name, stream in uploads:
        data = stream.read()
        if name.lower().endswith(".zip") or data[:4] == b"PK\x03\x04":
            read_zip(name, data, max_note_chars, batch)
        else:
            _add(batch, read_note(name, data, max_note_chars))
    return batch


def _add(batch: Batch, result: ImportedNote | Refused) -> None:
    if isinstance(result, ImportedNote):
        batch.notes.append(result)
    else:
        batch.refused.append(result)


def _hidden(path: str) -> bool:
    """Folders and files an archiver adds (``__MACOSX/``, ``.DS_Store``), not notes."""
    parts = PurePosixPath(path).parts
    return any(part.startswith(".") or part == "__MACOSX" for part in parts)
