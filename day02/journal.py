"""Two movement sinks that satisfy ``day02.inventory.MovementSink`` without naming it.

Neither class imports or inherits from the protocol: each simply has an ``accept(movement)``
method, and that is all a type checker (or ``isinstance`` on a runtime-checkable protocol) asks.
"""

from __future__ import annotations

import json
from typing import TextIO

from day02.inventory import StockMovement, pluralise


class MovementLog:
    """Keeps every movement it is told about, in memory, in order (handy in tests and demos)."""

    def __init__(self) -> None:
        self._movements: list[StockMovement] = []

    def accept(self, movement: StockMovement) -> None:
        """Remember ``movement``."""
        self._movements.append(movement)

    @property
    def movements(self) -> tuple[StockMovement, ...]:
        """What was accepted so far, oldest first."""
        return tuple(self._movements)

    def __len__(self) -> int:
        return len(self._movements)

    def __repr__(self) -> str:
        return f"<MovementLog: {pluralise(len(self._movements), 'movement')}>"


class JsonLinesJournal:
    """Writes each movement as one JSON object per line to a text stream (an audit trail).

    JSON Lines suits an append-only record: a reader can follow the file line by line, and a
    crash mid-write damages at most the last line.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def accept(self, movement: StockMovement) -> None:
        """Write ``movement`` as one line and flush, so the line is on disk before we go on."""
        # practice 3: write the movement as one JSON line and flush it
        # hint: serialise movement.as_dict() with json, keeping non-ASCII notes as they are, end
        # hint: the line with a newline, then flush so it is written before the ledger goes on.
        self._stream.write(json.dumps(movement.as_dict(), ensure_ascii=False) + "\n")
        self._stream.flush()
        # end practice 3

    def __repr__(self) -> str:
        name = getattr(self._stream, "name", type(self._stream).__name__)
        return f"<JsonLinesJournal to {name}>"
