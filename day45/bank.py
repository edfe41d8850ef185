"""The question bank and the mock interview as data: ``questions.yaml`` and ``mock.yaml``.

Every answer points at the files of this repository that show it (``see:``), as a path or as
``path:symbol`` for a function or class defined in that file. :func:`missing_pointers` checks
them, so an answer cannot point at code that was renamed or deleted.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from portfolio.days import DAY_COUNT, REPO_ROOT

HERE = Path(__file__).parent
QUESTIONS_PATH = HERE / "questions.yaml"
MOCK_PATH = HERE / "mock.yaml"
TOPICS = (
    "http-rest",
    "sql-indexes",
    "transactions",
    "orm",
    "caching",
    "auth",
    "rate-limiting",
    "queues",
    "deploy",
    "observability",
    "testing",
    "llm",
    "embeddings",
    "rag",
    "dsa",
    "system-design",
)
KINDS = ("design", "review")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class BankError(ValueError):
    """A bank file is malformed. The message names the file and the entry."""


@dataclass(frozen=True)
class Question:
    """One question of the Q&A, with the author's answer and where the code shows it."""

    id: str
    topic: str
    day: int
    question: str
    answer: str
    see: tuple[str, ...]


@dataclass(frozen=True)
class Prompt:
    """One mock-interview question: what a good answer covers, and the files to look at."""

    id: str
    kind: str
    prompt: str
    covers: tuple[str, ...]
    see: tuple[str, ...]


def _entries(path: Path, key: str) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise BankError(f"{path.name}: not valid YAML ({error})") from None
    entries = data.get(key) if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise BankError(f"{path.name}: expected a mapping with a '{key}' list of mappings")
    return entries


def _text(entry: dict[str, Any], field: str, where: str) -> str:
    value = entry.get(field)
    if not isinstance(value, str) or not value.strip():
        raise BankError(f"{where}: '{field}' must be non-empty text, got {value!r}")
    return " ".join(value.split())


def _texts(entry: dict[str, Any], field: str, where: str) -> tuple[str, ...]:
    value = entry.get(field)
    if not isinstance(value, list) or not value:
        raise BankError(f"{where}: '{field}' must be a non-empty list, got {value!r}")
    if not all(isinstance(item, str) and item.strip() for item in value):
        raise BankError(f"{where}: every item of '{field}' must be non-empty text")
    return tuple(item.strip() for item in value)


def _checked_ids(items: list[Any], path: Path) -> None:
    seen: set[str] = set()
    for item in items:
        if not _ID.match(item.id):
            raise BankError(f"{path.name}: id {item.id!r} must be kebab-case")
        if item.id in seen:
            raise BankError(f"{path.name}: id {item.id!r} appears twice")
        seen.add(item.id)


def load_questions(path: Path = QUESTIONS_PATH) -> list[Question]:
    """The Q&A in file order; :class:`BankError` naming the entry when one is malformed."""
    questions = []
    for index, entry in enumerate(_entries(path, "questions"), 1):
        where = f"{path.name}: question {index} ({entry.get('id', 'no id')})"
        day = entry.get("day")
        if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= DAY_COUNT:
            raise BankError(f"{where}: 'day' must be a day from 1 to {DAY_COUNT}, got {day!r}")
        topic = entry.get("topic")
        if topic not in TOPICS:
            raise BankError(f"{where}: 'topic' must be one of {', '.join(TOPICS)}, got {topic!r}")
        questions.append(
            Question(
                id=_text(entry, "id", where),
                topic=topic,
                day=day,
                question=_text(entry, "question", where),
                answer=_text(entry, "answer", where),
                see=_texts(entry, "see", where),
            )
        )
    _checked_ids(questions, path)
    return questions


def load_prompts(path: Path = MOCK_PATH) -> list[Prompt]:
    """The mock-interview questions in file order."""
    prompts = []
    for index, entry in enumerate(_entries(path, "prompts"), 1):
        where = f"{path.name}: prompt {index} ({entry.get('id', 'no id')})"
        if entry.get("kind") not in KINDS:
            raise BankError(f"{where}: 'kind' must be design or review, got {entry.get('kind')!r}")
        prompts.append(
            Prompt(
                id=_text(entry, "id", where),
                kind=entry["kind"],
                prompt=_text(entry, "prompt", where),
                covers=_texts(entry, "covers", where),
                see=_texts(entry, "see", where),
            )
        )
    _checked_ids(prompts, path)
    return prompts


def _defines(source: str, symbol: str) -> bool:
    # A function, a class or a module-level name, at any indentation (methods count too).
    pattern = rf"^\s*(?:async\s+def|def|class)\s+{re.escape(symbol)}\b|^{re.escape(symbol)}\s*[:=]"
    return re.search(pattern, source, re.MULTILINE) is not None


def missing_pointers(see: tuple[str, ...], root: Path = REPO_ROOT) -> list[str]:
    """The pointers of ``see`` that do not resolve under ``root``, each with the reason.

    ``path`` must be a file inside the repository; ``path:symbol`` must also define ``symbol``
    (``def symbol``, ``class symbol`` or ``symbol = ...``) in that file.
    """
    problems = []
    for pointer in see:
        path, _, symbol = pointer.partition(":")
        if Path(path).is_absolute() or ".." in Path(path).parts:
            problems.append(f"{pointer}: not a path inside the repository")
            continue
        # practice 3: resolve a pointer to a file, then to a definition inside it
        # hint: (root / path).is_file() first; for a symbol, read the file and ask _defines.
        target = root / path
        if not target.is_file():
            problems.append(f"{pointer}: no such file")
        elif symbol and not _defines(target.read_text(encoding="utf-8"), symbol):
            problems.append(f"{pointer}: {path} defines no {symbol}")
        # end practice 3
    return problems


def pick_prompts(prompts: list[Prompt], count: int, seed: int) -> list[Prompt]:
    """``count`` prompts chosen by ``seed``: the same seed always gives the same interview."""
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    return random.Random(seed).sample(prompts, min(count, len(prompts)))
