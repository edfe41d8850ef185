"""Text for the throwaway repositories the portfolio tests build."""

from __future__ import annotations

from collections.abc import Sequence

README = """\
# demo repository

Intro that the log must leave alone.

## The log

<!-- log:start -->
<!-- log:end -->

## After the log

Also left alone.
"""

LESSON_BODY = """\
# Day {number:02d} · {title}

## Goal

Learn the thing.

## Run it

```python
print("hello")
```

| command | result |
| --- | --- |
| `make day{number:02d}` | works |
"""


def front_matter(
    number: int,
    title: str = "A written day",
    topics: Sequence[str] = ("first topic", "second topic"),
    capstone: str = "none",
) -> str:
    """A well-formed front matter block for day ``number``."""
    return (
        f"---\nday: {number}\ntitle: {title}\ntopics: [{', '.join(topics)}]\n"
        f"capstone: {capstone}\n---\n"
    )
