"""The evaluation set's integrity, the scoring rules, and the real run against the app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from projects.notes_ai.evaluation.__main__ import main
from projects.notes_ai.evaluation.baseline import KeywordIndex
from projects.notes_ai.evaluation.evalset import (
    NOTEBOOK,
    Note,
    Question,
    load_notebook,
    load_questions,
    mean_overlap,
    squeeze,
    word_overlap,
    words,
)
from projects.notes_ai.evaluation.runner import (
    Report,
    evaluate,
    grounding_problem,
    hit_rates,
    quotations,
)

NOTES = load_notebook()
QUESTIONS = load_questions()
BY_FILE = {note.file: note for note in NOTES}


# The eval set itself


def test_the_notebook_has_twenty_or_more_notes_of_150_to_600_words_each() -> None:
    assert len(NOTES) >= 20
    lengths = {note.file: len(note.body.split()) for note in NOTES}
    assert all(150 <= n <= 600 for n in lengths.values()), lengths


def test_every_note_has_a_title_and_no_two_share_one() -> None:
    titles = [note.title for note in NOTES]
    assert all(titles) and len(set(titles)) == len(titles), titles


def test_there_are_forty_or_more_questions_and_four_or_more_the_notes_cannot_answer() -> None:
    unanswerable = [q for q in QUESTIONS if not q.answerable]
    assert len(QUESTIONS) >= 40 and len(unanswerable) >= 4, (len(QUESTIONS), len(unanswerable))


def test_every_question_names_a_note_of_the_notebook() -> None:
    unknown = [q.question for q in QUESTIONS if q.note is not None and q.note not in BY_FILE]
    assert unknown == []


def test_every_answerable_question_gives_a_phrase_its_note_contains() -> None:
    wrong = [
        (q.question, q.answer)
        for q in QUESTIONS
        if q.answerable and (not q.answer or squeeze(q.answer) not in squeeze(BY_FILE[q.note].body))
    ]
    assert wrong == []


def test_every_note_answers_at_least_one_question() -> None:
    asked = {q.note for q in QUESTIONS}
    assert sorted(set(BY_FILE) - asked) == []


def test_questions_marked_deep_are_answered_in_the_second_half_of_their_note() -> None:
    deep = [q for q in QUESTIONS if q.deep]
    shallow = []
    for q in deep:
        body = squeeze(BY_FILE[q.note].body)
        if body.index(squeeze(str(q.answer))) < len(body) / 2:
            shallow.append(q.question)
    assert len(deep) >= 4 and shallow == [], (len(deep), shallow)


def test_questions_are_paraphrases_sharing_few_words_with_their_notes() -> None:
    # The share of a question's content words found anywhere in its note, averaged: a question
    # copied from its note scores about 1.0.
    overlap = mean_overlap(QUESTIONS, NOTES)
    assert overlap < 0.45, f"mean word overlap {overlap:.3f}"


def test_word_overlap_is_the_share_of_the_questions_content_words_in_the_note() -> None:
    note = Note("n.md", "Rest", "Pause ninety seconds before the next round.")
    assert word_overlap("How long do I rest between sets?", note) == pytest.approx(1 / 4)


# Scoring rules


def question(note: str | None, text: str = "q?") -> Question:
    return Question(text, note, answer=None)


def test_hit_rates_count_the_first_result_for_hit1_and_the_top_three_for_hit3() -> None:
    questions = [question("a.md"), question("b.md"), question("c.md")]
    ranked = [["a.md", "x.md"], ["x.md", "y.md", "b.md"], ["x.md", "y.md", "z.md", "c.md"]]
    score, misses = hit_rates("m", ranked, questions)
    assert (score.hit1, score.hit3, score.n) == (pytest.approx(1 / 3), pytest.approx(2 / 3), 3)
    assert [miss.expected for miss in misses] == ["c.md"]


def test_quotations_are_cut_at_ellipses_and_a_quoted_word_is_not_one() -> None:
    answer = 'It says "pause ninety seconds … the next round" and calls it "rest".'
    assert quotations(answer) == ["pause ninety seconds", "the next round"]


NOTE = Note(
    "w.md", "Workout", "Between the heavy sets I pause ninety seconds before the next round."
)


def grounding(q: Question, reply: dict) -> str | None:
    return grounding_problem(
        q, reply, {7: NOTE}, {"w.md": 7}, not_found=lambda answer: "not find" in answer
    )


def test_an_answer_citing_its_note_with_a_verbatim_passage_is_grounded() -> None:
    reply = {
        "answer": 'Note 7 says "I pause ninety seconds before the next round".',
        "sources": [{"note_id": 7, "title": "Workout", "text": "I pause ninety  seconds"}],
    }
    assert grounding(question("w.md"), reply) is None


def test_an_answer_quoting_words_its_note_does_not_contain_is_not_grounded() -> None:
    reply = {
        "answer": 'Note 7 says "rest two minutes between sets".',
        "sources": [{"note_id": 7, "title": "Workout", "text": "I pause ninety seconds"}],
    }
    assert "quotes a passage" in str(grounding(question("w.md"), reply))


def test_an_answer_not_citing_the_answering_note_is_not_grounded() -> None:
    reply = {"answer": "Ninety seconds.", "sources": []}
    assert "does not cite w.md" in str(grounding(question("w.md"), reply))


def test_a_question_the_notes_cannot_answer_is_grounded_only_by_saying_so() -> None:
    said_so = {"answer": "I could not find that in your notes.", "sources": []}
    made_up = {"answer": "Your blood type is A.", "sources": []}
    cited = {"answer": "I could not find that.", "sources": [{"note_id": 7, "text": "I pause"}]}
    assert grounding(question(None), said_so) is None
    assert "yet it answers" in str(grounding(question(None), made_up))
    assert "yet it cites" in str(grounding(question(None), cited))


def test_the_keyword_baseline_ranks_the_note_sharing_the_questions_words_first() -> None:
    index = KeywordIndex(NOTES)
    assert index.search("pg_repack exclusive lock VACUUM FULL", 3)[0] == "postgres-runbook.md"


def test_words_are_lower_case_runs_of_letters_and_digits() -> None:
    assert words("PgBouncer's 200-connection limit!") == [
        "pgbouncer",
        "s",
        "200",
        "connection",
        "limit",
    ]


def test_the_table_has_method_hit1_hit3_and_n_then_the_grounding_rate() -> None:
    score, _ = hit_rates("bm25", [["a.md"]], [question("a.md")])
    report = Report([score], grounded=3, asked=4)
    assert report.table().splitlines() == [
        "method        hit@1  hit@3    n",
        "bm25          1.000  1.000    1",
        "grounding: 3/4 answers grounded (0.750)",
    ]


def test_help_describes_the_run_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "--min-hit3" in capsys.readouterr().out


def test_a_notebook_folder_without_notes_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--notebook", str(tmp_path), "--quiet"])
    assert exit_info.value.code == 2
    assert "no *.md notes in" in capsys.readouterr().err


# The real run: the app, the local embedding model, the offline answerer


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate(NOTES, QUESTIONS)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_embedding_search_puts_the_answering_note_in_the_top_three_for_nine_in_ten(
    report: Report,
) -> None:
    embeddings = report.score("embeddings")
    assert embeddings.hit3 >= 0.9, report.table()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_keyword_baseline_scores_below_embedding_search(report: Report) -> None:
    embeddings, bm25 = report.score("embeddings"), report.score("bm25")
    assert (bm25.hit1, bm25.hit3) < (embeddings.hit1, embeddings.hit3), report.table()
    assert bm25.hit3 < embeddings.hit3, report.table()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_most_offline_answers_cite_their_note_and_quote_it_verbatim(report: Report) -> None:
    assert report.grounding_rate is not None and report.grounding_rate >= 0.85, report.table()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_no_answer_quotes_a_passage_its_cited_notes_do_not_contain(report: Report) -> None:
    misquoted = [u for u in report.ungrounded if "not in note" in u.reason or "quotes" in u.reason]
    assert misquoted == []


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.xfail(
    reason="a question on a neighbouring topic (a Wi-Fi password, autoscaling) still scores "
    "over NOTES_MIN_SCORE against a passage, so it is answered instead of not found; only a "
    "model can tell, offline retrieval cannot",
    strict=True,
)
def test_every_question_the_notes_cannot_answer_gets_the_could_not_find_answer(
    report: Report,
) -> None:
    asked = {q.question for q in QUESTIONS if not q.answerable}
    failed = [u for u in report.ungrounded if u.question in asked]
    assert failed == []


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_most_questions_the_notes_cannot_answer_get_the_could_not_find_answer(
    report: Report,
) -> None:
    asked = {q.question for q in QUESTIONS if not q.answerable}
    failed = [u.question for u in report.ungrounded if u.question in asked]
    assert len(failed) <= len(asked) // 2, failed


def small_eval_set(tmp_path: Path, label: str) -> list[str]:
    """Four notes and one question, labelled with ``label`` as its answering note."""
    notebook = tmp_path / "notebook"
    notebook.mkdir()
    for file in ("workout-plan.md", "coffee-brewing.md", "houseplants.md", "postgres-runbook.md"):
        (notebook / file).write_text((NOTEBOOK / file).read_text("utf-8"), "utf-8")
    questions = tmp_path / "questions.yaml"
    questions.write_text(f"- question: How long do I rest between sets?\n  note: {label}\n")
    return ["--notebook", str(notebook), "--questions", str(questions), "--quiet", "--no-chat"]


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_json_gives_each_methods_hit_rates_and_n(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*small_eval_set(tmp_path, "workout-plan.md"), "--json"]) == 0
    methods = json.loads(capsys.readouterr().out)["methods"]
    assert methods[0] == {"method": "embeddings", "hit@1": 1.0, "hit@3": 1.0, "n": 1}
    assert [m["method"] for m in methods] == ["embeddings", "bm25"]


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_hit3_below_the_threshold_exits_1_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Labelled with the wrong note, the question cannot be a hit.
    assert main([*small_eval_set(tmp_path, "coffee-brewing.md"), "--min-hit3", "0.5"]) == 1
    assert "hit@3 0.000 is below 0.5" in capsys.readouterr().err
