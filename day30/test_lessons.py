"""What the lesson says about tiktoken's cl100k_base, pinned on the locked version."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from day30.__main__ import LANGUAGES
from projects.notes_ai.tokens import count_tokens, encoding


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("hello world", 2),
        ("tokenization", 2),
        ("antidisestablishmentarianism", 6),
        ("1234567", 3),
        ("2026-12-02", 6),
        ("def f(x):\n    return x + 1\n", 11),
    ],
)
def test_sample_strings_take_these_many_tokens(text: str, tokens: int) -> None:
    assert count_tokens(text) == tokens


def test_a_leading_space_is_part_of_the_token() -> None:
    enc = encoding()
    assert enc.encode_ordinary("hello") == [15339]
    assert enc.encode_ordinary(" hello") == [24748]


def test_digits_are_cut_in_groups_of_at_most_three() -> None:
    enc = encoding()
    pieces = [enc.decode_single_token_bytes(t) for t in enc.encode_ordinary("1234567")]
    assert pieces == [b"123", b"456", b"7"]


def test_one_character_can_take_several_tokens_each_part_of_its_bytes() -> None:
    enc = encoding()
    pieces = [enc.decode_single_token_bytes(t) for t in enc.encode_ordinary("🙂")]
    assert pieces == [b"\xf0\x9f", b"\x99\x82"]
    assert b"".join(pieces).decode() == "🙂"


def test_non_english_text_costs_more_tokens_per_character() -> None:
    ratios = {language: count_tokens(text) / len(text) for language, text in LANGUAGES}
    assert ratios["English"] < 0.3
    assert ratios["Russian"] > 2 * ratios["English"]
    assert ratios["Chinese"] > 1.0


def test_the_same_question_in_russian_or_chinese_takes_twice_the_tokens() -> None:
    counts = {language: count_tokens(text) for language, text in LANGUAGES}
    assert counts == {"English": 8, "Russian": 18, "Chinese": 17}


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_decoding_what_was_encoded_gives_the_text_back(text: str) -> None:
    enc = encoding()
    assert enc.decode(enc.encode_ordinary(text)) == text


def test_decoding_half_a_character_writes_a_replacement_character() -> None:
    enc = encoding()
    first = enc.encode_ordinary("🙂")[:1]
    assert enc.decode(first) == "\ufffd"
