"""One quiz session: ask the due questions, show each answer, read a self-grade (y/n).

The session reads through ``read(prompt)``, which returns the line typed or ``None`` at the end
of input, and writes through ``write``, so the CLI, the scripted demo and the tests drive the
same code. After each grade ``on_grade(state)`` is called, so the CLI saves as it goes and an
interrupted session loses nothing already graded.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from day45.bank import Question
from day45.schedule import State, due_ids, review

Reader = Callable[[str], "str | None"]
Writer = Callable[[str], None]
YES = frozenset({"y", "yes"})
NO = frozenset({"n", "no"})


@dataclass(frozen=True)
class Graded:
    """One question asked in a session, the grade given and where it went."""

    id: str
    knew: bool
    box: int
    due: date


def read_grade(read: Reader, write: Writer) -> bool | None:
    """y or n (any case, yes/no too), asking again after anything else; None at end of input."""
    while True:
        line = read("Did you know it? [y/n] ")
        if line is None:
            return None
        answer = line.strip().lower()
        if answer in YES or answer in NO:
            return answer in YES
        write(f"  please answer y or n, not {line.strip()!r}")


def run_session(
    questions: Sequence[Question],
    state: State,
    today: date,
    read: Reader,
    write: Writer,
    *,
    limit: int | None = 10,
    on_grade: Callable[[State], None] = lambda state: None,
) -> tuple[State, list[Graded]]:
    """Ask the questions due on ``today`` (at most ``limit``); return the new state and the
    grades, stopping early at the end of input. ``state`` itself is not changed."""
    by_id = {question.id: question for question in questions}
    asked = due_ids([question.id for question in questions], state, today, limit)
    state, graded = dict(state), []
    if not asked:
        write(f"Nothing is due on {today.isoformat()}.")
    for number, id_ in enumerate(asked, 1):
        question = by_id[id_]
        write(f"[{number}/{len(asked)}] {question.topic}, day {question.day}: {question.question}")
        if read("(think of your answer, then press Enter) ") is None:
            break
        write(textwrap.fill(question.answer, 96, initial_indent="  ", subsequent_indent="  "))
        write(f"  see: {', '.join(question.see)}")
        knew = read_grade(read, write)
        if knew is None:
            break
        card = review(state.get(id_), knew, today)
        state[id_] = card
        graded.append(Graded(id_, knew, card.box, card.due))
        on_grade(state)
        write(f"  -> box {card.box}, next on {card.due.isoformat()}")
    known = sum(item.knew for item in graded)
    write(
        f"Reviewed {len(graded)} of {len(asked)}: {known} known, {len(graded) - known} to repeat."
    )
    return state, graded
