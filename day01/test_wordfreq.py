"""The word-frequency functions: what a word is, how words are counted, filtered and ranked."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator

import pytest

from day01.wordfreq import (
    DEFAULT_STOP_WORDS,
    FrequencyReport,
    WordCount,
    build_report,
    count_words,
    filter_counts,
    format_table,
    iter_words,
    parse_stop_words,
    rank_rows,
    report_to_json,
    tokenise,
    top_words,
)


def words(text: str) -> list[str]:
    return list(tokenise(text))


# --- tokenising -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello World", ["hello", "world"]),
        ("Café crème, naïve résumé", ["café", "crème", "naïve", "résumé"]),
        ("Привет, мир! Γειά σου", ["привет", "мир", "γειά", "σου"]),
        ("don't stop at o'clock", ["don't", "stop", "at", "o'clock"]),
        ("rock'n'roll", ["rock'n'roll"]),
        ("It's the learner's book", ["it's", "the", "learner's", "book"]),
    ],
)
def test_tokenise_finds_lowercased_words_in_any_script(text: str, expected: list[str]) -> None:
    assert words(text) == expected, f"tokenise({text!r})"


def test_tokenise_counts_a_decomposed_accent_as_the_same_word() -> None:
    composed, decomposed = "caf\u00e9", "cafe\u0301"

    assert words(f"{composed} {decomposed}") == ["café", "café"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Devanagari vowel signs and the virama are marks (Mc, Mn), not letters.
        ("हिन्दी भाषा", ["हिन्दी", "भाषा"]),
        ("ภาษาไทย", ["ภาษาไทย"]),
        # No precomposed letter exists for these, so NFC leaves the combining marks in place.
        ("q\u0307 x\u0301q\u0307z", ["q\u0307", "x\u0301q\u0307z"]),
        ("x\u0301'q\u0307", ["x\u0301'q\u0307"]),
    ],
)
def test_tokenise_keeps_combining_marks_inside_their_word(text: str, expected: list[str]) -> None:
    assert words(text) == expected, f"tokenise({text!r})"


def test_tokenise_counts_a_mark_with_no_letter_before_it_as_punctuation() -> None:
    assert words("\u0301 \u0301abc - \u093f") == ["abc"]


def test_tokenise_reads_a_typographic_apostrophe_as_a_straight_one() -> None:
    assert words("Don\u2019t and don\u02bct") == ["don't", "and", "don't"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'quoted'", ["quoted"]),
        ("the learners' notes", ["the", "learners", "notes"]),
        ("a '' b", ["a", "b"]),
        ("can''t", ["can", "t"]),
    ],
)
def test_tokenise_treats_apostrophes_outside_a_word_as_punctuation(
    text: str, expected: list[str]
) -> None:
    assert words(text) == expected, f"tokenise({text!r})"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("well-known", ["well", "known"]),
        ("back-end — front-end", ["back", "end", "front", "end"]),
        ("snake_case", ["snake", "case"]),
        ("end.Start,next;last", ["end", "start", "next", "last"]),
    ],
)
def test_tokenise_splits_on_hyphens_underscores_and_punctuation(
    text: str, expected: list[str]
) -> None:
    assert words(text) == expected, f"tokenise({text!r})"


def test_tokenise_drops_numbers_but_keeps_words_that_contain_digits() -> None:
    text = "Python 3.11 came out in 2022; python3 beats mp3 in the 1990s, 2nd time, 42"

    assert words(text) == [
        "python", "came", "out", "in", "python3", "beats", "mp3", "in", "the", "1990s", "2nd",
        "time",
    ]  # fmt: skip


def test_tokenise_keeps_a_dotted_capital_i_inside_its_word() -> None:
    # "İ".lower() is "i" plus a combining dot, which a careless tokeniser splits on.
    assert words("İstanbul") == ["i\u0307stanbul"]


@pytest.mark.parametrize("text", ["", "   \n\t", "... --- !!!", "2024 3.14 100%"])
def test_tokenise_finds_no_words_in_text_without_letters(text: str) -> None:
    assert words(text) == []


def test_iter_words_reads_lines_lazily() -> None:
    def lines() -> Iterator[str]:
        yield "first line"
        raise AssertionError("read the second line before the first words were used")

    stream = iter_words(lines())

    assert next(stream) == "first"
    assert next(stream) == "line"


# --- counting and filtering -------------------------------------------------------------------


def test_count_words_counts_every_occurrence() -> None:
    counts = count_words(tokenise("the cat and The CAT and the hat"))

    assert counts == Counter({"the": 3, "cat": 2, "and": 2, "hat": 1})


def test_filter_counts_removes_stop_words() -> None:
    counts = Counter({"the": 3, "cat": 2, "and": 2})

    assert filter_counts(counts, stop_words={"the", "and"}) == Counter({"cat": 2})


def test_filter_counts_removes_words_shorter_than_the_minimum_length() -> None:
    counts = Counter({"a": 5, "to": 4, "cat": 2, "flask": 1})

    assert filter_counts(counts, min_length=3) == Counter({"cat": 2, "flask": 1})


def test_filter_counts_measures_length_in_characters_not_bytes() -> None:
    assert filter_counts(Counter({"café": 1}), min_length=4) == Counter({"café": 1})


@pytest.mark.parametrize("min_length", [0, -1])
def test_filter_counts_rejects_a_minimum_length_below_one(min_length: int) -> None:
    with pytest.raises(ValueError, match="min_length must be 1 or more"):
        filter_counts(Counter({"cat": 1}), min_length=min_length)


def test_default_stop_words_cover_common_words_and_contractions() -> None:
    text = "The cat and I don’t think it’s what we’d do"

    assert [word for word in tokenise(text) if word not in DEFAULT_STOP_WORDS] == ["cat", "think"]


def test_default_stop_words_leave_subject_words_alone() -> None:
    subject_words = {"backend", "database", "python", "flask", "tests", "api"}

    assert subject_words.isdisjoint(DEFAULT_STOP_WORDS)


def test_parse_stop_words_skips_comments_and_blank_lines_and_normalises_case() -> None:
    lines = ["# project words\n", "\n", "Flask  API   # frameworks\n", "Don’t\n"]

    assert parse_stop_words(lines) == {"flask", "api", "don't"}


# --- ranking ----------------------------------------------------------------------------------


def test_top_words_orders_by_count_descending() -> None:
    counts = Counter({"b": 1, "a": 3, "c": 2})

    assert top_words(counts, 3) == [("a", 3), ("c", 2), ("b", 1)]


def test_top_words_breaks_ties_alphabetically_whatever_the_insertion_order() -> None:
    forwards = {"apple": 2, "banana": 2, "cherry": 2, "date": 5}
    backwards = dict(reversed(forwards.items()))

    expected = [("date", 5), ("apple", 2), ("banana", 2)]
    assert top_words(forwards, 3) == expected
    assert top_words(backwards, 3) == expected


def test_top_words_cuts_a_tie_at_n_by_word_order() -> None:
    counts = {"zeta": 1, "alpha": 1, "mid": 1}

    assert top_words(counts, 2) == [("alpha", 1), ("mid", 1)]


def test_top_words_returns_every_word_when_n_exceeds_the_vocabulary() -> None:
    counts = {"a": 2, "b": 1}

    assert top_words(counts, 50) == [("a", 2), ("b", 1)]


def test_top_words_of_no_words_is_empty() -> None:
    assert top_words({}, 5) == []


@pytest.mark.parametrize("n", [0, -1])
def test_top_words_rejects_n_below_one(n: int) -> None:
    with pytest.raises(ValueError, match="n must be 1 or more"):
        top_words({"a": 1}, n)


# --- the report -------------------------------------------------------------------------------


def report_of(
    text: str, *, top: int = 10, stop_words: frozenset[str] = DEFAULT_STOP_WORDS
) -> FrequencyReport:
    return build_report(tokenise(text), top=top, stop_words=stop_words)


def test_build_report_gives_tied_words_the_same_rank() -> None:
    report = report_of("a a a b b c c d", top=4, stop_words=frozenset())

    ranks = [(row.rank, row.word) for row in report.top]
    assert ranks == [(1, "a"), (2, "b"), (2, "c"), (4, "d")]


def test_build_report_counts_totals_before_and_after_filtering() -> None:
    report = report_of("The cat and the hat sat on the mat", top=2)

    assert (report.total_words, report.counted_words, report.skipped_words) == (9, 4, 5)
    assert report.distinct_words == 4


def test_build_report_share_is_a_fraction_of_the_counted_words() -> None:
    report = report_of("the cat cat cat dog", top=2)

    assert report.top == (
        WordCount(rank=1, word="cat", count=3, share=0.75),
        WordCount(rank=2, word="dog", count=1, share=0.25),
    )


def test_build_report_of_text_without_words_is_empty() -> None:
    report = report_of("... 2024 !!!")

    assert report == FrequencyReport(top=(), total_words=0, counted_words=0, distinct_words=0)


def test_build_report_of_only_stop_words_counts_them_as_skipped() -> None:
    report = report_of("the and of")

    assert (report.top, report.total_words, report.skipped_words) == ((), 3, 3)


def test_report_to_json_has_a_fixed_shape() -> None:
    data = report_to_json(report_of("cat cat dog bird bird bird", top=2, stop_words=frozenset()))

    assert list(data) == [
        "total_words", "counted_words", "skipped_words", "distinct_words", "top",
    ]  # fmt: skip
    assert data["top"] == [
        {"rank": 1, "word": "bird", "count": 3, "share": 0.5},
        {"rank": 2, "word": "cat", "count": 2, "share": 0.3333},
    ]
    assert json.loads(json.dumps(data)) == data


# --- the table --------------------------------------------------------------------------------


def test_format_table_lines_every_value_up_with_its_column() -> None:
    report = report_of("backend " * 12 + "api " * 3 + "résumé", stop_words=frozenset())
    header, rule, *rows = format_table(report).splitlines()[:5]

    columns = [match.span() for match in re.finditer(r"-+", rule)]
    for row in [header, *rows]:
        rank, word, count, share = (row[start:end] for start, end in columns)
        assert [cell.strip() for cell in (rank, word, count, share)] == row.split(), row
        # Numbers align right (no trailing space), words align left (no leading space).
        assert not (rank.endswith(" ") or count.endswith(" ") or share.endswith(" ")), row
        assert not word.startswith(" "), row


def test_format_table_shows_rank_word_count_and_share_per_row() -> None:
    table = format_table(report_of("api api api flask", stop_words=frozenset()))

    assert table.splitlines() == [
        "rank  word   count  share",
        "----  -----  -----  -----",
        "   1  api        3  75.0%",
        "   2  flask      1  25.0%",
        "",
        "4 words counted (2 distinct), 0 skipped as stop words or too short",
    ]


def test_rank_rows_gives_a_zero_share_when_nothing_was_counted() -> None:
    assert rank_rows([("api", 1)], counted_words=0) == (WordCount(1, "api", 1, 0.0),)


def test_build_report_shows_ten_words_of_any_length_by_default() -> None:
    report = build_report([f"w{n}" for n in range(12)] + ["a"], stop_words=frozenset())

    assert len(report.top) == 10 and report.counted_words == 13


def test_filter_counts_keeps_one_letter_words_by_default() -> None:
    assert filter_counts(Counter({"a": 2, "be": 1})) == Counter({"a": 2, "be": 1})


def test_format_table_says_so_when_there_are_no_words() -> None:
    table = format_table(report_of("the and 42"))

    assert table.splitlines() == [
        "no words to show",
        "0 words counted (0 distinct), 2 skipped as stop words or too short",
    ]


# --- what Python does on its own (the lesson's surprises) -------------------------------------


def test_counter_most_common_breaks_ties_by_first_appearance() -> None:
    assert Counter(["b", "a"]).most_common() == [("b", 1), ("a", 1)]
    assert Counter(["a", "b"]).most_common() == [("a", 1), ("b", 1)]


def test_dotted_capital_i_lowers_to_two_code_points_and_w_skips_a_combining_mark() -> None:
    assert "İ".lower() == "i\u0307"
    assert re.findall(r"[^\W_]+", "cafe\u0301") == ["cafe"]
    assert re.findall(r"[^\W_]+", "हिन्दी") == ["ह", "न", "द"]


def test_casefold_matches_a_sharp_s_with_ss_where_lower_does_not() -> None:
    assert "Straße".casefold() == "STRASSE".casefold() == "strasse"
    assert "Straße".lower() != "STRASSE".lower()
