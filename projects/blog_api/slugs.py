"""URL slugs for article titles: readable where the title allows, unique always."""

from __future__ import annotations

import re
import secrets
import string
import unicodedata
from typing import Any

from werkzeug.routing import Map, UnicodeConverter

SUFFIX_ALPHABET = string.ascii_lowercase + string.digits
SUFFIX_LENGTH = 8
BASE_MAX = 80
_WORD = re.compile(r"[^\W_]+")


def slugify(title: str, max_length: int = BASE_MAX) -> str:
    """``"Héllo, Wörld!"`` → ``"hello-world"``; letters of any script are kept, accents dropped.

    May return ``""`` (a title of only emoji or punctuation).
    """
    decomposed = unicodedata.normalize("NFKD", title.lower())
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    words = _WORD.findall(unicodedata.normalize("NFC", without_accents))
    return "-".join(words)[:max_length].strip("-")


def new_slug(title: str) -> str:
    """A slug for ``title`` that will not clash: the readable part plus a random suffix.

    The same title by two authors, or posted again tomorrow, gets two slugs; the suffix has
    36**8 (about 2.8e12) values, and the unique index catches the rest.
    """
    suffix = "".join(secrets.choice(SUFFIX_ALPHABET) for _ in range(SUFFIX_LENGTH))
    return f"{slugify(title) or 'article'}-{suffix}"


class SlugConverter(UnicodeConverter):
    """An article slug in a URL: a name (no NUL, at most 255 characters) other than ``feed``.

    ``/articles/feed`` is the feed; without this, it would also match ``/articles/<slug>``, and
    OPTIONS and 405s would offer PUT and DELETE on it. No slug is ``feed`` (they end in a suffix).
    """

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, maxlength=255)
        self.regex = r"(?!feed$)[^/\x00]{1,255}"
