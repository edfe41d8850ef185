"""Spaced repetition with Leitner boxes: the schedule is a pure function of (card, grade, today).

A card starts in box 1. Known, it moves up one box (to at most box 5); not known, it goes back
to box 1. The box says how many days pass before the card is due again: 1, 2, 4, 8, 16. So a
question I keep knowing comes back less and less often, and one I miss comes back tomorrow.

The state is a JSON file, one entry per question id that has been reviewed:

    {"version": 1, "cards": {"n-plus-one": {"box": 2, "due": "2026-03-04", "reviews": 1,
                                            "lapses": 0, "last": "2026-03-02"}}}
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

#: Days until the next review, by box.
INTERVALS = {1: 1, 2: 2, 3: 4, 4: 8, 5: 16}
MAX_BOX = max(INTERVALS)
STATE_VERSION = 1

State = dict[str, "Card"]


class StateError(ValueError):
    """The state file cannot be used. The message names the file and what is wrong."""


@dataclass(frozen=True)
class Card:
    """Where one question stands: its box, when it is due, and its history."""

    box: int
    due: date
    reviews: int = 0
    lapses: int = 0
    last: date | None = None


def new_card(today: date) -> Card:
    """A question never reviewed: box 1, due today."""
    return Card(box=1, due=today)


def review(card: Card | None, knew: bool, today: date) -> Card:
    """The card after one self-graded review on ``today`` (``None`` for a new question).

    Known: one box up, at most box 5. Not known: back to box 1, counted as a lapse. Either way
    the card is next due ``INTERVALS[box]`` days after ``today``.
    """
    card = card or new_card(today)
    # practice 1: move the card between boxes and set its next due date
    # hint: known goes up one box (at most MAX_BOX), not known back to box 1; the next due
    # hint: date is today plus INTERVALS[new box]; count the review, and a lapse when missed.
    box = min(card.box + 1, MAX_BOX) if knew else 1
    return Card(
        box=box,
        due=today + timedelta(days=INTERVALS[box]),
        reviews=card.reviews + 1,
        lapses=card.lapses + (0 if knew else 1),
        last=today,
    )
    # end practice 1


def due_ids(ids: Sequence[str], state: State, today: date, limit: int | None = None) -> list[str]:
    """The questions to ask on ``today``, at most ``limit`` of them.

    First the cards due by today, the longest overdue first (then the lowest box, then the
    order of ``ids``); then questions never reviewed, in the order of ``ids``. Cards in
    ``state`` whose id is not in ``ids`` (a question removed from the bank) are left out.
    """
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    # practice 2: pick the due cards, most overdue first, then the new questions
    # hint: enumerate ids to keep their order as the last sort key; a card is due when
    # hint: card.due <= today; ids missing from state are new and come after every due card.
    seen = [(i, state[id_]) for i, id_ in enumerate(ids) if id_ in state]
    due = sorted((card.due, card.box, i) for i, card in seen if card.due <= today)
    fresh = [i for i, id_ in enumerate(ids) if id_ not in state]
    order = [i for _, _, i in due] + fresh
    # end practice 2
    chosen = [ids[i] for i in order]
    return chosen if limit is None else chosen[:limit]


def forecast(state: State, today: date, days: int) -> list[tuple[date, int]]:
    """How many reviewed cards fall due on each of the ``days`` days from ``today`` (overdue
    cards count on ``today``)."""
    counts = {today + timedelta(days=offset): 0 for offset in range(days)}
    for card in state.values():
        when = max(card.due, today)
        if when in counts:
            counts[when] += 1
    return sorted(counts.items())


def load_state(path: Path) -> State:
    """The cards in ``path``; an empty state when the file does not exist yet."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise ValueError(f"expected {{'version': {STATE_VERSION}, 'cards': {{...}}}}")
        return {id_: _card(entry) for id_, entry in data["cards"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise StateError(f"{path}: not a quiz state file ({error}); move it away") from None


def _card(entry: dict[str, Any]) -> Card:
    box = entry["box"]
    if box not in INTERVALS:
        raise ValueError(f"box must be 1 to {MAX_BOX}, got {box!r}")
    last = entry.get("last")
    return Card(
        box=box,
        due=date.fromisoformat(entry["due"]),
        reviews=int(entry.get("reviews", 0)),
        lapses=int(entry.get("lapses", 0)),
        last=date.fromisoformat(last) if last else None,
    )


def save_state(path: Path, state: State) -> None:
    """Write ``state`` to ``path`` atomically: a reader sees the old file or the new one."""
    cards = {
        id_: {
            **asdict(card),
            "due": card.due.isoformat(),
            "last": card.last.isoformat() if card.last else None,
        }
        for id_, card in sorted(state.items())
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(
        json.dumps({"version": STATE_VERSION, "cards": cards}, indent=2) + "\n", encoding="utf-8"
    )
    os.replace(temporary, path)
