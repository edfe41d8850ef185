"""Five classic array and string problems, each with a fast solution and a brute-force oracle.

The fast solution states its cost in its docstring; the ``*_brute`` twin is the obvious nested
loop, slow but easy to trust, and the property tests check that both always agree.
"""

from __future__ import annotations

from collections.abc import Sequence


def two_sum(values: Sequence[int], target: int) -> tuple[int, int] | None:
    """Indices ``(i, j)``, ``i < j``, with ``values[i] + values[j] == target``, or None.

    Of all such pairs it returns the one with the smallest ``j``, then the smallest ``i``.
    O(n) time and O(n) space on average: one pass, one dict lookup per value.
    """
    # practice 1: find the pair in one pass with a hash map
    # hint: remember the first index of each value seen; for each new value, look up target - value.
    first_index: dict[int, int] = {}
    for j, value in enumerate(values):
        i = first_index.get(target - value)
        if i is not None:
            return i, j
        first_index.setdefault(value, j)
    return None
    # end practice 1


def two_sum_brute(values: Sequence[int], target: int) -> tuple[int, int] | None:
    """The same answer as ``two_sum`` by trying every pair: O(n^2) time, O(1) space."""
    for j in range(len(values)):
        for i in range(j):
            if values[i] + values[j] == target:
                return i, j
    return None


def longest_unique_substring(text: str) -> str:
    """The first longest run of ``text`` with no repeated character.

    O(n) time with a sliding window: each character enters the window once and the window's
    start only moves forward; O(k) space for the k distinct characters.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    # practice 2: slide a window that never holds a repeated character
    # hint: keep each character's last index; on a repeat inside the window, move start past it.
    last_seen: dict[str, int] = {}
    start = best_start = best_length = 0
    for end, char in enumerate(text):
        if last_seen.get(char, -1) >= start:
            start = last_seen[char] + 1
        last_seen[char] = end
        if end - start + 1 > best_length:
            best_start, best_length = start, end - start + 1
    return text[best_start : best_start + best_length]
    # end practice 2


def longest_unique_substring_brute(text: str) -> str:
    """The same answer by growing a run from every start: O(n * k) time, k distinct characters."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    best = ""
    for start in range(len(text)):
        seen: set[str] = set()
        end = start
        while end < len(text) and text[end] not in seen:
            seen.add(text[end])
            end += 1
        if end - start > len(best):
            best = text[start:end]
    return best


def _check_heights(heights: Sequence[int]) -> None:
    negative = [height for height in heights if height < 0]
    if negative:
        raise ValueError(f"heights must be >= 0, got {negative[0]}")


def max_water(heights: Sequence[int]) -> int:
    """The most water two of the vertical lines can hold: ``min(h[i], h[j]) * (j - i)``.

    O(n) time, O(1) space with two pointers: start at both ends and always move the shorter
    line inwards, since keeping it can only give a narrower container no taller than it.
    """
    _check_heights(heights)
    # practice 3: close in from both ends, moving the shorter line
    # hint: the area is min(left, right) * width; moving the taller line can never beat it.
    left, right = 0, len(heights) - 1
    best = 0
    while left < right:
        best = max(best, min(heights[left], heights[right]) * (right - left))
        if heights[left] <= heights[right]:
            left += 1
        else:
            right -= 1
    return best
    # end practice 3


def max_water_brute(heights: Sequence[int]) -> int:
    """The same answer by trying every pair of lines: O(n^2) time, O(1) space."""
    _check_heights(heights)
    best = 0
    for j in range(len(heights)):
        for i in range(j):
            best = max(best, min(heights[i], heights[j]) * (j - i))
    return best


def _check_window(values: Sequence[int], target: int) -> None:
    if target <= 0:
        raise ValueError(f"target must be > 0, got {target}")
    negative = [value for value in values if value < 0]
    if negative:
        raise ValueError(f"values must be >= 0 for a sliding window, got {negative[0]}")


def min_window_length(values: Sequence[int], target: int) -> int:
    """The length of the shortest run of consecutive values whose sum is >= target, else 0.

    O(n) time, O(1) space with a sliding window. It needs values >= 0 (refused otherwise):
    only then does growing a window never lower its sum, so shrinking from the left is safe.
    """
    _check_window(values, target)
    best = len(values) + 1
    window = start = 0
    for end, value in enumerate(values):
        window += value
        while window >= target:
            best = min(best, end - start + 1)
            window -= values[start]
            start += 1
    return best if best <= len(values) else 0


def min_window_length_brute(values: Sequence[int], target: int) -> int:
    """The same answer by summing from every start: O(n^2) time, O(1) space."""
    _check_window(values, target)
    best = 0
    for start in range(len(values)):
        window = 0
        for end in range(start, len(values)):
            window += values[end]
            if window >= target:
                if best == 0 or end - start + 1 < best:
                    best = end - start + 1
                break
    return best


def product_except_self(values: Sequence[int]) -> list[int]:
    """``out[i]`` is the product of every value but ``values[i]``, without division.

    O(n) time with a prefix product from the left and a suffix product from the right; O(1)
    extra space besides the output. No division, so zeros need no special case.
    """
    products = [1] * len(values)
    prefix = 1
    for i, value in enumerate(values):
        products[i] = prefix
        prefix *= value
    suffix = 1
    for i in range(len(values) - 1, -1, -1):
        products[i] *= suffix
        suffix *= values[i]
    return products


def product_except_self_brute(values: Sequence[int]) -> list[int]:
    """The same answer by multiplying the others for each position: O(n^2) time."""
    products = []
    for i in range(len(values)):
        product = 1
        for j, value in enumerate(values):
            if j != i:
                product *= value
        products.append(product)
    return products
