"""Leitner boxes: the schedule as a pure function of (card, grade, today), and its state file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from day45.schedule import (
    Card,
    StateError,
    due_ids,
    forecast,
    load_state,
    new_card,
    review,
    save_state,
)

MONDAY = date(2026, 3, 2)


def test_a_new_question_known_goes_to_box_two_due_in_two_days() -> None:
    assert review(None, True, MONDAY) == Card(
        box=2, due=date(2026, 3, 4), reviews=1, lapses=0, last=MONDAY
    )


def test_a_new_question_missed_stays_in_box_one_due_tomorrow() -> None:
    card = review(None, False, MONDAY)
    assert (card.box, card.due, card.lapses) == (1, date(2026, 3, 3), 1)


@pytest.mark.parametrize(("box", "days"), [(1, 2), (2, 4), (3, 8), (4, 16), (5, 16)])
def test_a_known_card_moves_up_one_box_and_waits_longer(box: int, days: int) -> None:
    card = review(Card(box=box, due=MONDAY), True, MONDAY)
    assert (card.box, (card.due - MONDAY).days) == (min(box + 1, 5), days)


def test_a_missed_card_goes_back_to_box_one_from_any_box() -> None:
    card = review(Card(box=5, due=MONDAY, reviews=7, lapses=1), False, MONDAY)
    assert card == Card(box=1, due=date(2026, 3, 3), reviews=8, lapses=2, last=MONDAY)


def test_the_interval_counts_from_the_day_of_the_review_not_the_due_date() -> None:
    late = review(Card(box=2, due=MONDAY), True, date(2026, 3, 10))
    assert late.due == date(2026, 3, 14)


def test_reviewing_leaves_the_old_card_as_it_was() -> None:
    card = Card(box=3, due=MONDAY)
    review(card, False, MONDAY)
    assert card == Card(box=3, due=MONDAY)


def test_due_questions_come_most_overdue_first_then_new_ones_in_bank_order() -> None:
    state = {
        "a": Card(box=2, due=date(2026, 3, 1)),
        "b": Card(box=1, due=date(2026, 2, 27)),
        "c": Card(box=3, due=date(2026, 3, 9)),
        "d": Card(box=1, due=date(2026, 3, 1)),
    }
    assert due_ids(["a", "b", "c", "d", "new1", "new2"], state, MONDAY) == [
        "b", "d", "a", "new1", "new2"
    ]  # fmt: skip


def test_a_session_asks_at_most_the_limit() -> None:
    assert due_ids(["a", "b", "c"], {}, MONDAY, limit=2) == ["a", "b"]


def test_a_card_whose_question_left_the_bank_is_not_asked() -> None:
    assert due_ids(["kept"], {"removed": new_card(MONDAY)}, MONDAY) == ["kept"]


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="limit must be at least 1, got 0"):
        due_ids(["a"], {}, MONDAY, limit=0)


def test_the_forecast_counts_overdue_cards_today() -> None:
    state = {"a": Card(box=1, due=date(2026, 2, 1)), "b": Card(box=2, due=date(2026, 3, 4))}
    assert forecast(state, MONDAY, 3) == [
        (MONDAY, 1), (date(2026, 3, 3), 0), (date(2026, 3, 4), 1)
    ]  # fmt: skip


def test_a_state_file_that_does_not_exist_yet_is_an_empty_state(tmp_path: Path) -> None:
    assert load_state(tmp_path / "state.json") == {}


def test_the_state_survives_a_save_and_a_load(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "state.json"
    state = {"jwt": review(None, True, MONDAY), "n-plus-one": new_card(MONDAY)}
    save_state(path, state)
    assert load_state(path) == state
    assert json.loads(path.read_text())["cards"]["jwt"]["due"] == "2026-03-04"


def test_saving_leaves_no_temporary_file_behind(tmp_path: Path) -> None:
    save_state(tmp_path / "state.json", {"jwt": new_card(MONDAY)})
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


@pytest.mark.parametrize(
    "content",
    ["not json", '{"version": 2, "cards": {}}', '{"version": 1, "cards": {"a": {"box": 9}}}'],
)
def test_an_unusable_state_file_is_an_error_naming_it(tmp_path: Path, content: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(content)
    with pytest.raises(StateError, match=r"state\.json: not a quiz state file"):
        load_state(path)
