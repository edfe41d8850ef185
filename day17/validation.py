"""Input checks shared by the day's Redis structures: each refusal says what was wrong."""

from __future__ import annotations

#: The longest player name, item or key accepted: a name is a sorted-set member, not a document.
MAX_NAME_LENGTH = 64
MAX_KEY_LENGTH = 200


class InvalidInput(ValueError):
    """Input the structures refuse; the message names the argument, the rule and the value."""


def check_name(value: object, what: str, max_length: int = MAX_NAME_LENGTH) -> str:
    """A name without surrounding spaces: non-empty, at most ``max_length`` characters."""
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be a string, got {value!r}")
    name = value.strip()
    if not name:
        raise InvalidInput(f"{what} must not be empty")
    if len(name) > max_length:
        raise InvalidInput(
            f"{what} must be at most {max_length} characters, got {len(name)}: {name[:20]!r}…"
        )
    if not name.isprintable():
        raise InvalidInput(f"{what} must not contain control characters, got {name!r}")
    return name


def check_key(value: object) -> str:
    """A Redis key: a name of at most ``MAX_KEY_LENGTH`` characters."""
    return check_name(value, "key", MAX_KEY_LENGTH)


def check_limit(value: object, what: str, maximum: int) -> int:
    """A whole number from 1 to ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what} must be a whole number, got {value!r}")
    if not 1 <= value <= maximum:
        raise InvalidInput(f"{what} must be from 1 to {maximum}, got {value}")
    return value


def check_ttl(value: object) -> int:
    """A time to live in whole seconds, from 1 second to a year."""
    return check_limit(value, "ttl", 366 * 24 * 60 * 60)
