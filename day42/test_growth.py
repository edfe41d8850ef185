"""The operation counter and the growth classes the demo names."""

from __future__ import annotations

import math

import pytest

from day42.growth import Ops, growth_class, measure


def test_measure_counts_each_size_with_a_fresh_counter() -> None:
    def run(n: int, ops: Ops) -> None:
        ops.tick(3 * n)

    assert measure(run, [10, 20]) == [(10, 30), (20, 60)]


@pytest.mark.parametrize(
    ("cost", "expected"),
    [
        (lambda n: 7, "1"),
        (lambda n: 3 * math.log2(n), "log n"),
        (lambda n: 2 * n + 5, "n"),
        (lambda n: n * math.log2(n), "n log n"),
        (lambda n: n * (n - 1) // 2, "n²"),
    ],
    ids=["constant", "log", "linear", "n log n", "quadratic"],
)
def test_growth_class_names_the_cost_that_stays_proportional(cost, expected: str) -> None:
    points = [(n, max(1, round(cost(n)))) for n in (1000, 2000, 4000, 8000)]
    assert growth_class(points) == expected, points


def test_growth_class_needs_two_usable_points() -> None:
    with pytest.raises(ValueError, match="need two or more points"):
        growth_class([(100, 5)])
