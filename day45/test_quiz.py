"""A quiz session: due questions asked, answers shown, self-grades read, the state moved on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from day45.bank import Question
from day45.quiz import run_session
from day45.schedule import Card, review

TODAY = date(2026, 3, 2)
QUESTIONS = [
    Question(f"q{n}", "orm", 7, f"Question {n}?", f"Answer {n}. More.", ("day07/relations.py",))
    for n in (1, 2, 3)
]


class Terminal:
    """Scripted lines in, everything written collected."""

    def __init__(self, *lines: str) -> None:
        self.lines: Iterator[str] = iter(lines)
        self.prompts: list[str] = []
        self.written: list[str] = []

    def read(self, prompt: str) -> str | None:
        self.prompts.append(prompt)
        return next(self.lines, None)

    def write(self, text: str) -> None:
        self.written.append(text)


def test_each_grade_moves_its_card_and_the_session_says_how_it_went() -> None:
    terminal = Terminal("", "y", "", "n", "", "Y")
    state, graded = run_session(QUESTIONS, {}, TODAY, terminal.read, terminal.write)
    assert {id_: card.box for id_, card in state.items()} == {"q1": 2, "q2": 1, "q3": 2}
    assert [item.knew for item in graded] == [True, False, True]
    assert terminal.written[-1] == "Reviewed 3 of 3: 2 known, 1 to repeat."


def test_the_answer_and_its_pointers_are_shown_before_the_grade_is_asked() -> None:
    terminal = Terminal("", "y")
    run_session(QUESTIONS[:1], {}, TODAY, terminal.read, terminal.write)
    assert terminal.written[:3] == [
        "[1/1] orm, day 7: Question 1?",
        "  Answer 1. More.",
        "  see: day07/relations.py",
    ]


def test_anything_but_y_or_n_is_asked_again() -> None:
    terminal = Terminal("", "maybe", "no")
    state, _ = run_session(QUESTIONS[:1], {}, TODAY, terminal.read, terminal.write)
    assert "  please answer y or n, not 'maybe'" in terminal.written
    assert state["q1"].lapses == 1


def test_the_end_of_input_stops_the_session_keeping_what_was_graded() -> None:
    terminal = Terminal("", "y", "")
    saved: list[int] = []
    state, graded = run_session(
        QUESTIONS, {}, TODAY, terminal.read, terminal.write, on_grade=lambda s: saved.append(len(s))
    )
    assert (list(state), len(graded), saved) == (["q1"], 1, [1])
    assert terminal.written[-1] == "Reviewed 1 of 3: 1 known, 0 to repeat."


def test_only_the_due_questions_are_asked() -> None:
    state = {"q1": Card(box=3, due=date(2026, 3, 9)), "q2": review(None, False, date(2026, 3, 1))}
    terminal = Terminal("", "y", "", "y")
    _, graded = run_session(QUESTIONS, state, TODAY, terminal.read, terminal.write)
    assert [item.id for item in graded] == ["q2", "q3"]


def test_a_day_with_nothing_due_says_so() -> None:
    state = {q.id: Card(box=2, due=date(2026, 3, 4)) for q in QUESTIONS}
    terminal = Terminal()
    run_session(QUESTIONS, state, TODAY, terminal.read, terminal.write)
    assert terminal.written[0] == "Nothing is due on 2026-03-02."


def test_the_session_leaves_the_state_it_was_given_unchanged() -> None:
    state: dict[str, Card] = {}
    run_session(QUESTIONS, state, TODAY, Terminal("", "y").read, lambda text: None)
    assert state == {}
