"""ISBN-13: the check digit, and normalising what people type into 13 plain digits."""

from __future__ import annotations

import re

# Hyphens and spaces are how ISBNs are printed; neither is part of the number.
_SEPARATORS = re.compile(r"[\s-]+")


def check_digit(first_twelve: str) -> int:
    """The ISBN-13 check digit for twelve digits: weights 1,3,1,3…, then 10 minus the sum mod 10."""
    if len(first_twelve) != 12 or not first_twelve.isdigit():
        raise ValueError(f"expected 12 digits, got {first_twelve!r}")
    total = sum(
        int(digit) * (3 if position % 2 else 1) for position, digit in enumerate(first_twelve)
    )
    return (10 - total % 10) % 10


def normalise_isbn13(text: str) -> str:
    """``"978-0-261-10334-4"`` → ``"9780261103344"``; ValueError saying what is wrong otherwise."""
    # practice 1: strip the separators, then check each rule and say which one is broken
    # hint: drop hyphens and spaces with _SEPARATORS; then ASCII digits only, 13 of them, a 978
    # hint: or 979 prefix, and a last digit equal to check_digit of the first twelve.
    digits = _SEPARATORS.sub("", text)
    if not digits:
        raise ValueError("an ISBN-13 has 13 digits, this has none")
    if not digits.isascii() or not digits.isdigit():
        raise ValueError("an ISBN-13 has only digits (hyphens and spaces are ignored)")
    if len(digits) != 13:
        raise ValueError(f"an ISBN-13 has 13 digits, this has {len(digits)}")
    if not digits.startswith(("978", "979")):
        raise ValueError("an ISBN-13 starts with 978 or 979")
    expected = check_digit(digits[:12])
    if int(digits[12]) != expected:
        raise ValueError(f"the check digit should be {expected}, not {digits[12]}")
    return digits
    # end practice 1
