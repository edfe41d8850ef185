"""Word frequencies from Unicode text: tokenise, count, filter stop words, rank the top N.

Every function here is pure (text in, values out); reading files and printing belong to the CLI in
``__main__.py``. The rules for what counts as a word:

- text is NFC-normalised first, so ``café`` typed with a combining accent counts as ``café``;
- a word starts with a Unicode letter or digit and goes on through letters, digits and combining
  marks (the vowel signs of ``हिन्दी``, an accent no precomposed letter has); a straight or
  typographic apostrophe *between* two such runs stays in the word (``don't``, ``o'clock``),
  anywhere else it is punctuation;
- hyphens, underscores and every other punctuation mark separate words (``well-known`` is two);
- a word needs at least one letter: ``2024`` and ``3.11`` are dropped, ``python3`` is kept;
- words are lower-cased after they are found (``İstanbul`` stays one word).
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TypedDict

# ``re`` has no \p{M}, and [^\W_] (a letter or digit) splits "हिन्दी" at its vowel signs. So each
# character is first reduced to its kind (a: letter or digit, m: mark, ': apostrophe, space: any
# other) and the word pattern runs over those kinds: a letter or digit, then letters, digits, marks.
_WORD_SHAPE = re.compile(r"a[am]*(?:'a[am]*)*")
# The typographic apostrophe and the modifier-letter apostrophe are written for the same thing.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'"})

# Common English function words that say little about what a text is about.
_ENGLISH_STOP_WORDS = """
    a about above after again against all almost also am an and any are aren't as at
    be because been before being below between both but by
    can can't cannot could couldn't
    did didn't do does doesn't doing don't down during
    each either else enough even ever every
    few for from further
    had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself
    him himself his how how's however
    i i'd i'll i'm i've if in into is isn't it it's its itself
    just
    let's like
    many may me might more most much must mustn't my myself
    neither no nor not now
    of off often on once one only or other ought our ours ourselves out over own
    per perhaps
    quite
    rather really
    same shall shan't she she'd she'll she's should shouldn't since so some such
    than that that's the their theirs them themselves then there there's these they they'd
    they'll they're they've this those though through thus to too
    under until up upon us
    very
    was wasn't we we'd we'll we're we've were weren't what what's when when's where where's
    whether which while who who's whom whose why why's will with within without won't would
    wouldn't
    yet you you'd you'll you're you've your yours yourself yourselves
    """


@dataclass(frozen=True, slots=True)
class WordCount:
    """One row of a ranking. Tied words share a rank (1, 2, 2, 4); ``share`` is 0..1."""

    rank: int
    word: str
    count: int
    share: float


@dataclass(frozen=True, slots=True)
class FrequencyReport:
    """The top words of a text and the totals they were drawn from."""

    top: tuple[WordCount, ...]
    total_words: int
    """Every word found, before any filter."""
    counted_words: int
    """Words left after the stop-word and minimum-length filters (what ``share`` divides by)."""
    distinct_words: int
    """Distinct words among the counted ones."""

    @property
    def skipped_words(self) -> int:
        """Words removed as stop words or as too short."""
        return self.total_words - self.counted_words


class WordCountJSON(TypedDict):
    """One row of ``ReportJSON["top"]``."""

    rank: int
    word: str
    count: int
    share: float


class ReportJSON(TypedDict):
    """The ``--json`` shape: always these keys, in this order."""

    total_words: int
    counted_words: int
    skipped_words: int
    distinct_words: int
    top: list[WordCountJSON]


def tokenise(text: str) -> Iterator[str]:
    """Yield the words of ``text`` in order, lower-cased, following the rules in the module doc."""
    normalised = unicodedata.normalize("NFC", text).translate(_APOSTROPHES)
    shape = "".join(map(_kind, normalised))
    for match in _WORD_SHAPE.finditer(shape):
        word = normalised[match.start() : match.end()]
        if any(char.isalpha() for char in word):
            # Lower-case last, on the word found: "İ".lower() is two code points, "i" and a mark.
            yield word.lower()


@cache
def _kind(char: str) -> str:
    """``a`` for a letter or digit, ``m`` for a mark, ``'`` for an apostrophe, else a space."""
    if char.isalnum():
        return "a"
    if unicodedata.category(char).startswith("M"):
        return "m"
    return "'" if char == "'" else " "


def iter_words(lines: Iterable[str]) -> Iterator[str]:
    """Yield the words of many lines lazily, so a large file never sits in memory whole."""
    for line in lines:
        yield from tokenise(line)


def count_words(words: Iterable[str]) -> Counter[str]:
    """How many times each word occurs."""
    return Counter(words)


def filter_counts(
    counts: Mapping[str, int],
    *,
    stop_words: Collection[str] = frozenset(),
    min_length: int = 1,
) -> Counter[str]:
    """``counts`` without the stop words and without words shorter than ``min_length``.

    Raises ValueError if ``min_length`` is below 1.
    """
    if min_length < 1:
        raise ValueError(f"min_length must be 1 or more, got {min_length}")
    # practice 1: drop the stop words and the short words
    # hint: a dict comprehension over counts.items(), wrapped in Counter(...), keeps the counts.
    # Filtering distinct words, not every occurrence: the work grows with the vocabulary only.
    return Counter(
        {
            word: count
            for word, count in counts.items()
            if word not in stop_words and len(word) >= min_length
        }
    )
    # end practice 1


def parse_stop_words(lines: Iterable[str]) -> frozenset[str]:
    """Stop words from a word list: any number of words a line, ``#`` starts a comment.

    Entries go through ``tokenise``, so ``Don’t`` in the list matches ``don't`` in the text.
    """
    return frozenset(word for line in lines for word in tokenise(line.partition("#")[0]))


#: The built-in list, read by the same parser as a user's file so both follow the same rules.
DEFAULT_STOP_WORDS: frozenset[str] = parse_stop_words(_ENGLISH_STOP_WORDS.splitlines())


def top_words(counts: Mapping[str, int], n: int) -> list[tuple[str, int]]:
    """The ``n`` most frequent ``(word, count)`` pairs: count descending, then word ascending.

    Asking for more words than there are returns them all. Raises ValueError if ``n`` is below 1.
    """
    if n < 1:
        raise ValueError(f"n must be 1 or more, got {n}")
    # practice 2: the n most frequent words, ties broken alphabetically
    # hint: heapq.nsmallest(n, items, key=...) with the key (-count, word) sorts both ways at once.
    # The key is unique per word, so the order never depends on how the counts were inserted;
    # nsmallest keeps only n items in its heap instead of sorting the whole vocabulary.
    return heapq.nsmallest(n, counts.items(), key=lambda item: (-item[1], item[0]))
    # end practice 2


def rank_rows(pairs: Iterable[tuple[str, int]], counted_words: int) -> tuple[WordCount, ...]:
    """Number already-ordered ``(word, count)`` pairs; equal counts share a rank (1, 2, 2, 4)."""
    rows: list[WordCount] = []
    for position, (word, count) in enumerate(pairs, start=1):
        tied = bool(rows) and rows[-1].count == count
        rows.append(
            WordCount(
                rank=rows[-1].rank if tied else position,
                word=word,
                count=count,
                share=count / counted_words if counted_words else 0.0,
            )
        )
    return tuple(rows)


def build_report(
    words: Iterable[str],
    *,
    top: int = 10,
    stop_words: Collection[str] = DEFAULT_STOP_WORDS,
    min_length: int = 1,
) -> FrequencyReport:
    """Count ``words``, filter them and rank the ``top`` most frequent."""
    all_counts = count_words(words)
    kept = filter_counts(all_counts, stop_words=stop_words, min_length=min_length)
    counted_words = kept.total()
    return FrequencyReport(
        top=rank_rows(top_words(kept, top), counted_words),
        total_words=all_counts.total(),
        counted_words=counted_words,
        distinct_words=len(kept),
    )


def report_to_json(report: FrequencyReport) -> ReportJSON:
    """The report as plain JSON-ready data; ``share`` is rounded to four decimal places."""
    return {
        "total_words": report.total_words,
        "counted_words": report.counted_words,
        "skipped_words": report.skipped_words,
        "distinct_words": report.distinct_words,
        "top": [
            {"rank": row.rank, "word": row.word, "count": row.count, "share": round(row.share, 4)}
            for row in report.top
        ],
    }


def format_table(report: FrequencyReport) -> str:
    """The report as an aligned text table followed by a one-line summary."""
    summary = (
        f"{report.counted_words} words counted ({report.distinct_words} distinct), "
        f"{report.skipped_words} skipped as stop words or too short"
    )
    if not report.top:
        return f"no words to show\n{summary}"
    headers = ("rank", "word", "count", "share")
    cells = [(str(row.rank), row.word, str(row.count), f"{row.share:.1%}") for row in report.top]
    # zip(*rows) turns rows into columns; each column is as wide as its widest cell.
    widths = [max(map(len, column)) for column in zip(headers, *cells, strict=True)]
    # Numbers align right, words align left, as in any printed table.
    aligns = (">", "<", ">", ">")

    def line(values: Iterable[str]) -> str:
        columns = zip(values, aligns, widths, strict=True)
        return "  ".join(f"{value:{align}{width}}" for value, align, width in columns).rstrip()

    rows = [line(headers), line("-" * width for width in widths), *map(line, cells)]
    return "\n".join([*rows, "", summary])
