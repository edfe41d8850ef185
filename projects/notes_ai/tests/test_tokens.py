"""Token counts, truncation and packing, on the bundled cl100k_base encoding."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import tiktoken
from hypothesis import given
from hypothesis import strategies as st

from projects.notes_ai.tokens import (
    ENCODING,
    Price,
    count_tokens,
    encoding,
    estimate_cost,
    pack,
    truncate_to_tokens,
)

#: Loads an encoding in a fresh interpreter, with an empty cache and every download refused.
_LOAD = "import sys, tiktoken; print(tiktoken.get_encoding(sys.argv[1]).n_vocab)"


def load_without_network(name: str, cache: Path) -> subprocess.CompletedProcess[str]:
    dead_proxy = "http://127.0.0.1:9"  # the discard port: nothing listens, a download fails fast
    env = {
        "PATH": os.environ.get("PATH", ""),
        "TIKTOKEN_CACHE_DIR": str(cache),
        "HTTPS_PROXY": dead_proxy,
        "HTTP_PROXY": dead_proxy,
        "NO_PROXY": "",
    }
    return subprocess.run(
        [sys.executable, "-c", _LOAD, name],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_offline_encoding_loads_with_no_network_and_an_empty_cache(tmp_path: Path) -> None:
    loaded = load_without_network(ENCODING, tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "100277"


def test_plain_cl100k_base_needs_a_download_on_first_use(tmp_path: Path) -> None:
    loaded = load_without_network("cl100k_base", tmp_path)
    assert loaded.returncode != 0
    assert "openaipublic.blob.core.windows.net" in loaded.stderr


def test_the_offline_encoding_is_cl100k_base() -> None:
    # the ids GPT-4 and GPT-3.5-turbo give "hello world", and cl100k_base's vocabulary size
    assert encoding().encode("hello world") == [15339, 1917]
    assert encoding().n_vocab == 100277


def test_o200k_base_for_gpt_4o_is_not_shipped_offline() -> None:
    names = tiktoken.list_encoding_names()
    assert ENCODING in names
    assert not [name for name in names if name.startswith("o200k") and "offline" in name]


def test_the_encoder_is_loaded_once() -> None:
    assert encoding() is encoding()


def test_count_tokens_counts_words_and_punctuation() -> None:
    assert count_tokens("") == 0
    assert count_tokens("hello world") == 2
    assert count_tokens("The quick brown fox jumps over the lazy dog.") == 10


def test_a_special_token_marker_in_a_note_is_counted_as_plain_text() -> None:
    assert count_tokens("<|endoftext|>") == 7
    with pytest.raises(ValueError, match="disallowed special token"):
        encoding().encode("<|endoftext|>")


def test_truncate_keeps_a_text_that_fits_as_it_is() -> None:
    assert truncate_to_tokens("hello world", 2) == "hello world"


def test_truncate_cuts_between_tokens() -> None:
    assert truncate_to_tokens("The quick brown fox jumps", 3) == "The quick brown"


def test_truncate_to_zero_or_fewer_tokens_is_empty() -> None:
    assert truncate_to_tokens("hello", 0) == ""
    assert truncate_to_tokens("hello", -3) == ""


def test_truncate_drops_a_character_it_would_split_instead_of_writing_a_replacement() -> None:
    # each of these emoji is two tokens: one token would be half a character
    assert count_tokens("🙂") == 2
    assert truncate_to_tokens("🙂🙂", 1) == ""
    assert truncate_to_tokens("🙂🙂", 3) == "🙂"


@given(st.text(max_size=200), st.integers(min_value=0, max_value=60))
def test_truncate_gives_a_prefix_within_the_limit(text: str, limit: int) -> None:
    cut = truncate_to_tokens(text, limit)
    assert text.startswith(cut)
    assert count_tokens(cut) <= limit
    assert "\ufffd" not in cut or "\ufffd" in text


def test_pack_keeps_items_in_order_while_they_fit() -> None:
    # "a b c" 3 + 2, "d e" 2 + 2, "f" 1 + 2: 12 tokens in all
    assert pack(["a b c", "d e", "f"], 12, overhead=2) == ["a b c", "d e", "f"]
    assert pack(["a b c", "d e", "f"], 11, overhead=2) == ["a b c", "d e"]


def test_pack_stops_at_the_first_item_that_does_not_fit() -> None:
    # "f" would fit after "a b c", but "d e f g h" is more relevant and comes first
    assert pack(["a b c", "d e f g h", "f"], 9, overhead=2) == ["a b c"]


def test_pack_counts_the_overhead_of_each_item() -> None:
    # each letter is one token
    assert pack(["a", "b", "c"], 6, overhead=1) == ["a", "b", "c"]
    assert pack(["a", "b", "c"], 6, overhead=2) == ["a", "b"]
    assert pack(["a", "b", "c"], 6, overhead=3) == ["a"]


def test_pack_truncates_the_first_item_when_it_alone_does_not_fit() -> None:
    packed = pack(["one two three four five six", "seven"], 6, overhead=2)
    assert packed == ["one two three four"]


def test_pack_never_truncates_a_later_item() -> None:
    assert pack(["one", "two three four five six"], 6, overhead=2) == ["one"]


def test_pack_with_no_room_beyond_the_overhead_is_empty() -> None:
    assert pack(["one", "two"], 4, overhead=4) == []
    assert pack([], 100) == []


@dataclass(frozen=True)
class Passage:
    note_id: int
    text: str


def test_pack_reads_each_item_through_text() -> None:
    passages = [Passage(1, "alpha beta"), Passage(2, "gamma"), Passage(3, "delta epsilon")]
    # 2 + 1, 1 + 1, 2 + 1 tokens
    assert pack(passages, 7, text=lambda p: p.text, overhead=1) == passages[:2]


def test_pack_rebuilds_a_truncated_item_with_shorten() -> None:
    passages = [Passage(7, "one two three four five six")]
    packed = pack(
        passages, 5, text=lambda p: p.text, overhead=1, shorten=lambda p, t: replace(p, text=t)
    )
    assert packed == [Passage(7, "one two three four")]


def test_pack_refuses_to_truncate_an_item_it_cannot_rebuild() -> None:
    with pytest.raises(TypeError, match="pass shorten="):
        pack([Passage(7, "one two three four five six")], 5, text=lambda p: p.text)


@given(
    st.lists(st.text(max_size=40), max_size=8),
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=0, max_value=5),
)
def test_pack_gives_a_prefix_within_the_budget(
    items: list[str], budget: int, overhead: int
) -> None:
    packed = pack(items, budget, overhead=overhead)
    assert sum(count_tokens(item) + overhead for item in packed) <= budget
    assert packed[1:] == items[1 : len(packed)]
    if packed:
        assert items[0].startswith(packed[0])


def test_estimate_cost_is_dollars_per_million_tokens() -> None:
    prices = Price(input_per_million=0.15, output_per_million=0.60)
    assert estimate_cost(1_000_000, 0, prices) == pytest.approx(0.15)
    assert estimate_cost(2_000, 500, prices) == pytest.approx(0.0006)


def test_estimate_cost_refuses_negative_counts() -> None:
    with pytest.raises(ValueError, match="negative"):
        estimate_cost(-1, 0, Price(1.0, 1.0))
