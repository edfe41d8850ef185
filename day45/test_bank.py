"""The question bank and the mock interview: every answer is there and points at real code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from day45.bank import (
    TOPICS,
    BankError,
    load_prompts,
    load_questions,
    missing_pointers,
    pick_prompts,
)
from portfolio.days import REPO_ROOT, day_folder

QUESTIONS = load_questions()
PROMPTS = load_prompts()
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


def test_the_bank_holds_at_least_forty_questions() -> None:
    assert len(QUESTIONS) >= 40, len(QUESTIONS)


def test_every_topic_of_the_syllabus_has_questions() -> None:
    assert {question.topic for question in QUESTIONS} == set(TOPICS)


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_every_pointer_names_a_file_and_a_symbol_that_exist(question) -> None:
    assert missing_pointers(question.see) == []


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_every_question_has_a_two_to_four_sentence_answer_and_a_day_that_exists(question) -> None:
    sentences = len(_SENTENCE_END.findall(question.answer))
    assert 2 <= sentences <= 4, (question.id, sentences, question.answer)
    assert (REPO_ROOT / day_folder(question.day)).is_dir(), (question.id, question.day)


@pytest.mark.parametrize("prompt", PROMPTS, ids=lambda p: p.id)
def test_every_mock_interview_question_points_at_real_code(prompt) -> None:
    assert missing_pointers(prompt.see) == []
    assert len(prompt.covers) >= 3, prompt.id


def test_the_mock_interview_has_design_and_review_questions() -> None:
    assert {prompt.kind for prompt in PROMPTS} == {"design", "review"}


def test_a_pointer_to_a_missing_file_is_reported(tmp_path: Path) -> None:
    assert missing_pointers(("gone.py",), tmp_path) == ["gone.py: no such file"]


def test_a_pointer_to_a_symbol_the_file_does_not_define_is_reported(tmp_path: Path) -> None:
    (tmp_path / "cache.py").write_text("def get():\n    return load()  # load is only called\n")
    assert missing_pointers(("cache.py:get", "cache.py:load"), tmp_path) == [
        "cache.py:load: cache.py defines no load"
    ]


def test_a_pointer_finds_classes_methods_and_module_level_names(tmp_path: Path) -> None:
    source = "LIMIT: int = 3\nclass Store:\n    async def fetch(self): ...\n"
    (tmp_path / "store.py").write_text(source)
    pointers = ("store.py:LIMIT", "store.py:Store", "store.py:fetch")
    assert missing_pointers(pointers, tmp_path) == []


def test_a_pointer_outside_the_repository_is_refused(tmp_path: Path) -> None:
    assert missing_pointers(("../etc/passwd",), tmp_path) == [
        "../etc/passwd: not a path inside the repository"
    ]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("day: 46", "'day' must be a day from 1 to 45"),
        ("day: 7\n    topic: gossip", "'topic' must be one of"),
        ("day: 7\n    topic: orm\n    question: ''", "'question' must be non-empty text"),
    ],
)
def test_a_malformed_question_is_an_error_naming_it(tmp_path: Path, entry: str, expected: str):
    path = tmp_path / "questions.yaml"
    path.write_text(f"questions:\n  - id: broken\n    {entry}\n")
    with pytest.raises(BankError, match=f"questions.yaml: question 1 \\(broken\\): {expected}"):
        load_questions(path)


def test_a_question_id_used_twice_is_an_error(tmp_path: Path) -> None:
    entry = "  - {id: same, topic: orm, day: 7, question: Why, answer: A. B., see: [x.py]}\n"
    path = tmp_path / "questions.yaml"
    path.write_text("questions:\n" + entry * 2)
    with pytest.raises(BankError, match="id 'same' appears twice"):
        load_questions(path)


def test_the_same_seed_gives_the_same_mock_interview() -> None:
    first, again = pick_prompts(PROMPTS, 3, seed=7), pick_prompts(PROMPTS, 3, seed=7)
    assert [p.id for p in first] == [p.id for p in again]
    assert len({p.id for p in first}) == 3


def test_another_seed_gives_another_mock_interview() -> None:
    sets = {tuple(p.id for p in pick_prompts(PROMPTS, 3, seed)) for seed in range(5)}
    assert len(sets) > 1
