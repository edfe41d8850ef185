"""Request ids: take a sane ``X-Request-ID`` from the caller, or make one; never trust it blindly.

An id that came from a proxy or another service ties this request's log lines to theirs, so it
is kept when it is safe to copy into logs and headers: 1 to 128 characters from a small set
(letters, digits and ``-._~:/+=``, which covers UUIDs, hex, base64 and W3C trace ids). Anything
else (too long, empty, spaces, control characters, non-ASCII) is replaced by a fresh UUID: a
log line must not be forgeable with a newline, nor made huge by a header.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

HEADER = "X-Request-ID"
MAX_LENGTH = 128
_SANE = re.compile(r"[A-Za-z0-9\-._~:/+=]+")


@dataclass(frozen=True)
class RequestId:
    """The id this request goes by, and why the caller's was not used, if it was not."""

    value: str
    replaced: str | None = None


def new_request_id() -> str:
    """A fresh id: a random UUID as 32 hex digits."""
    return uuid.uuid4().hex


def why_not_sane(incoming: str) -> str | None:
    """Why ``incoming`` cannot be used as a request id, or None if it can."""
    # practice 1: say why an incoming id is unsafe, or None when it is fine
    # hint: check empty, then the length against MAX_LENGTH, then _SANE.fullmatch over the whole id.
    if not incoming:
        return "empty"
    if len(incoming) > MAX_LENGTH:
        return f"longer than {MAX_LENGTH} characters"
    if not _SANE.fullmatch(incoming):
        return "characters outside A-Z a-z 0-9 - . _ ~ : / + ="
    return None
    # end practice 1


def choose_request_id(incoming: str | None, make: Callable[[], str] = new_request_id) -> RequestId:
    """The caller's id when it is sane; otherwise a new one from ``make`` and the reason."""
    if incoming is None:
        return RequestId(make())
    reason = why_not_sane(incoming)
    if reason is None:
        return RequestId(incoming)
    return RequestId(make(), replaced=reason)
