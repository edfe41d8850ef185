"""Each problem on the classic examples, its edge cases and its refusals of bad input."""

from __future__ import annotations

import pytest

from day41.problems import (
    longest_unique_substring,
    longest_unique_substring_brute,
    max_water,
    max_water_brute,
    min_window_length,
    min_window_length_brute,
    product_except_self,
    product_except_self_brute,
    two_sum,
    two_sum_brute,
)

TWO_SUMS = [two_sum, two_sum_brute]
SUBSTRINGS = [longest_unique_substring, longest_unique_substring_brute]
WATERS = [max_water, max_water_brute]
WINDOWS = [min_window_length, min_window_length_brute]
PRODUCTS = [product_except_self, product_except_self_brute]


@pytest.mark.parametrize("solve", TWO_SUMS)
@pytest.mark.parametrize(
    ("values", "target", "expected"),
    [
        ([2, 7, 11, 15], 9, (0, 1)),
        ([3, 2, 4], 6, (1, 2)),
        ([3, 3], 6, (0, 1)),
        ([-3, 4, 3, 90], 0, (0, 2)),
    ],
)
def test_two_sum_finds_the_indices_of_the_pair(solve, values, target, expected) -> None:
    assert solve(values, target) == expected


@pytest.mark.parametrize("solve", TWO_SUMS)
def test_two_sum_does_not_pair_a_value_with_itself(solve) -> None:
    assert solve([3, 5], 6) is None


@pytest.mark.parametrize("solve", TWO_SUMS)
@pytest.mark.parametrize("values", [[], [6]])
def test_two_sum_of_fewer_than_two_values_is_none(solve, values) -> None:
    assert solve(values, 6) is None


@pytest.mark.parametrize("solve", TWO_SUMS)
def test_two_sum_returns_the_pair_that_completes_first_with_the_earliest_partner(solve) -> None:
    # (0, 3) and (2, 3) and (1, 4) all add up to 5: the earliest j wins, then the earliest i.
    assert solve([1, 2, 1, 4, 3], 5) == (0, 3)


@pytest.mark.parametrize("solve", SUBSTRINGS)
@pytest.mark.parametrize(
    ("text", "expected"),
    [("abcabcbb", "abc"), ("bbbbb", "b"), ("pwwkew", "wke"), ("", ""), ("abba", "ab")],
)
def test_longest_unique_substring_is_the_first_longest_run(solve, text, expected) -> None:
    assert solve(text) == expected


def test_longest_unique_substring_counts_characters_not_bytes() -> None:
    assert longest_unique_substring("ééa") == "éa"


@pytest.mark.parametrize("solve", SUBSTRINGS)
def test_longest_unique_substring_refuses_what_is_not_a_string(solve) -> None:
    with pytest.raises(TypeError, match="text must be a str, got list"):
        solve(["a", "b"])


@pytest.mark.parametrize("solve", WATERS)
@pytest.mark.parametrize(
    ("heights", "expected"),
    [([1, 8, 6, 2, 5, 4, 8, 3, 7], 49), ([1, 1], 1), ([4, 3, 2, 1, 4], 16), ([5], 0), ([], 0)],
)
def test_max_water_is_the_largest_container(solve, heights, expected) -> None:
    assert solve(heights) == expected


@pytest.mark.parametrize("solve", WATERS)
def test_max_water_refuses_a_negative_height(solve) -> None:
    with pytest.raises(ValueError, match="heights must be >= 0, got -2"):
        solve([3, -2, 4])


@pytest.mark.parametrize("solve", WINDOWS)
@pytest.mark.parametrize(
    ("values", "target", "expected"),
    [
        ([2, 3, 1, 2, 4, 3], 7, 2),
        ([1, 4, 4], 4, 1),
        ([1, 1, 1, 1], 4, 4),
        ([1, 1, 1, 1], 5, 0),
        ([], 3, 0),
        ([0, 0, 5, 0], 5, 1),
    ],
)
def test_min_window_length_is_the_shortest_run_reaching_the_target(
    solve, values, target, expected
) -> None:
    assert solve(values, target) == expected


@pytest.mark.parametrize("solve", WINDOWS)
def test_min_window_length_refuses_negative_values(solve) -> None:
    with pytest.raises(ValueError, match="values must be >= 0 for a sliding window, got -1"):
        solve([4, -1, 5], 8)


@pytest.mark.parametrize("solve", WINDOWS)
@pytest.mark.parametrize("target", [0, -3])
def test_min_window_length_refuses_a_target_that_is_not_positive(solve, target) -> None:
    with pytest.raises(ValueError, match=f"target must be > 0, got {target}"):
        solve([1, 2], target)


@pytest.mark.parametrize("solve", PRODUCTS)
@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, 2, 3, 4], [24, 12, 8, 6]),
        ([-1, 1, 0, -3, 3], [0, 0, 9, 0, 0]),
        ([0, 4, 0], [0, 0, 0]),
        ([7], [1]),
        ([], []),
    ],
)
def test_product_except_self_multiplies_every_other_value(solve, values, expected) -> None:
    assert solve(values) == expected
