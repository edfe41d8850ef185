"""Properties: on any input hypothesis makes up, each fast solution agrees with its oracle."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

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

EXAMPLES = settings(max_examples=200, deadline=None)
#: Small values, so pairs that add up to the target are common.
VALUES = st.lists(st.integers(min_value=-20, max_value=20), max_size=40)
NON_NEGATIVE = st.lists(st.integers(min_value=0, max_value=20), max_size=40)


@EXAMPLES
@given(VALUES, st.integers(min_value=-40, max_value=40))
def test_two_sum_agrees_with_trying_every_pair(values: list[int], target: int) -> None:
    assert two_sum(values, target) == two_sum_brute(values, target)


@EXAMPLES
@given(VALUES, st.integers(min_value=-40, max_value=40))
def test_two_sum_pair_adds_up_to_the_target(values: list[int], target: int) -> None:
    found = two_sum(values, target)
    if found is not None:
        i, j = found
        assert i < j
        assert values[i] + values[j] == target


@EXAMPLES
@given(st.text(alphabet="abcde", max_size=40) | st.text(max_size=20))
def test_longest_unique_substring_agrees_with_growing_from_every_start(text: str) -> None:
    assert longest_unique_substring(text) == longest_unique_substring_brute(text)


@EXAMPLES
@given(st.text(alphabet="abcde", max_size=40))
def test_longest_unique_substring_is_a_substring_without_repeats(text: str) -> None:
    found = longest_unique_substring(text)
    assert found in text
    assert len(set(found)) == len(found)


@EXAMPLES
@given(NON_NEGATIVE)
def test_max_water_agrees_with_trying_every_pair(heights: list[int]) -> None:
    assert max_water(heights) == max_water_brute(heights)


@EXAMPLES
@given(NON_NEGATIVE, st.integers(min_value=1, max_value=100))
def test_min_window_length_agrees_with_summing_from_every_start(
    values: list[int], target: int
) -> None:
    assert min_window_length(values, target) == min_window_length_brute(values, target)


@EXAMPLES
@given(st.lists(st.integers(min_value=-9, max_value=9), max_size=12))
def test_product_except_self_agrees_with_multiplying_the_others(values: list[int]) -> None:
    assert product_except_self(values) == product_except_self_brute(values)
