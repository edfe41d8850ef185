"""Short codes: the database's id, scrambled and written in base62, so two never collide.

The id comes from the database's autoincrement column, which every process and every instance
already shares: no coordination of our own, nothing lost when Redis restarts. Written as is, the
ids would be guessable (``0000001``, ``0000002``, …) and would grow in length; multiplied by an
odd number that 31 does not divide, modulo 62**7, they map one to one onto all seven-character
codes, so each id still has its own code and each code is seven characters long.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BASE = len(ALPHABET)
#: Characters in every code: 62**7 is about 3.5 trillion codes.
LENGTH = 7
SPACE = BASE**LENGTH
#: Coprime with 62**7 (odd, not a multiple of 31): ``id * MULTIPLIER % SPACE`` is a bijection.
MULTIPLIER = 2_654_435_761


def encode(number: int, width: int = LENGTH) -> str:
    """``number`` in base62, left-padded with ``0`` to ``width`` characters."""
    if number < 0 or number >= BASE**width:
        raise ValueError(f"number must be from 0 to {BASE**width - 1}, got {number}")
    # practice 1: write a number in base 62
    # hint: take the remainder by 62 as the last character, divide by 62, repeat width times.
    characters = []
    for _ in range(width):
        number, digit = divmod(number, BASE)
        characters.append(ALPHABET[digit])
    return "".join(reversed(characters))
    # end practice 1


def decode(code: str) -> int:
    """The number ``code`` writes in base62 (the inverse of :func:`encode`)."""
    number = 0
    for character in code:
        digit = ALPHABET.find(character)
        if digit < 0:
            raise ValueError(f"{character!r} is not a base62 character (in {code!r})")
        number = number * BASE + digit
    return number


def code_for(link_id: int) -> str:
    """The short code of the link with database id ``link_id`` (1 to 62**7 - 1)."""
    if not 0 < link_id < SPACE:
        raise ValueError(f"link id must be from 1 to {SPACE - 1}, got {link_id}")
    return encode(link_id * MULTIPLIER % SPACE)


def id_for(code: str) -> int:
    """The link id a code was made from (the inverse of :func:`code_for`)."""
    return decode(code) * pow(MULTIPLIER, -1, SPACE) % SPACE
