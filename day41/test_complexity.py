"""The exponent fit on exact synthetic costs, the timer on an injected clock, and real growth
measured by counting operations (never by wall clock)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator

import pytest

from day41.complexity import (
    Growth,
    OperationCounter,
    count_operations,
    fit_exponent,
    growth_class,
    growth_table,
    seconds_per_call,
)
from day41.problems import (
    max_water,
    max_water_brute,
    min_window_length,
    min_window_length_brute,
    two_sum,
    two_sum_brute,
)

SIZES = (50, 100, 200, 400)


@pytest.mark.parametrize("exponent", [0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
def test_fit_exponent_recovers_the_power_of_an_exact_cost(exponent: float) -> None:
    costs = [7.5 * n**exponent for n in SIZES]
    assert fit_exponent(SIZES, costs) == pytest.approx(exponent, abs=1e-9)


def test_fit_exponent_of_n_log_n_lies_between_one_and_two() -> None:
    costs = [n * math.log(n) for n in SIZES]
    assert 1.0 < fit_exponent(SIZES, costs) < 1.5


def test_fit_exponent_is_the_least_squares_slope_through_noisy_points() -> None:
    # log2 sizes 1, 2, 3 with log2 costs 1, 3, 3: the least-squares slope is 1.
    assert fit_exponent([2, 4, 8], [2, 8, 8]) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("sizes", "costs", "message"),
    [
        ([10], [1.0], "two different sizes"),
        ([10, 10], [1.0, 2.0], "two different sizes"),
        ([10, 20], [1.0], "2 sizes but 1 costs"),
        ([10, 20], [1.0, 0.0], "must be > 0"),
        ([0, 20], [1.0, 2.0], "must be > 0"),
    ],
)
def test_fit_exponent_refuses_points_it_cannot_fit(sizes, costs, message) -> None:
    with pytest.raises(ValueError, match=message):
        fit_exponent(sizes, costs)


@pytest.mark.parametrize(
    ("exponent", "expected"),
    [(0.97, "n^1"), (1.1, "n^1"), (1.49, "n^1"), (1.51, "n^2"), (2.08, "n^2"), (-0.2, "n^0")],
)
def test_growth_class_rounds_to_the_nearest_whole_power(exponent: float, expected: str) -> None:
    assert growth_class(exponent) == expected


class FakeClock:
    """A clock that moves only when a timed call says how long it took."""

    def __init__(self, costs: Iterator[float]) -> None:
        self.now = 0.0
        self.costs = costs
        self.calls = 0

    def __call__(self) -> float:
        return self.now

    def call(self) -> None:
        self.calls += 1
        self.now += next(self.costs)


def constant(cost: float) -> Iterator[float]:
    while True:
        yield cost


def test_seconds_per_call_loops_a_fast_call_until_a_sample_is_long_enough() -> None:
    clock = FakeClock(constant(2**-10))
    best = seconds_per_call(clock.call, repeat=3, min_time=2**-9, clock=clock)
    assert best == 2**-10
    assert clock.calls == 1 + 2 * 3  # one call was too short, then three samples of two calls


def test_seconds_per_call_keeps_the_fastest_sample() -> None:
    clock = FakeClock(iter([0.004, 0.003, 0.005]))
    assert seconds_per_call(clock.call, repeat=3, min_time=0.001, clock=clock) == 0.003


def test_seconds_per_call_refuses_no_samples() -> None:
    with pytest.raises(ValueError, match="repeat must be >= 1, got 0"):
        seconds_per_call(lambda: None, repeat=0)


def test_counted_values_count_arithmetic_comparisons_and_hashes() -> None:
    def run(counter: OperationCounter) -> None:
        a, b = counter.wrap([3, 4])
        total = a + b  # 1
        assert total == 7  # 2
        assert (total - a) * 2 == 8  # 3, 4, 5
        _ = {a: "three"}  # 6

    assert count_operations(run) == 6


def test_a_plain_int_on_the_left_still_counts_through_the_reflected_method() -> None:
    def run(counter: OperationCounter) -> None:
        (value,) = counter.wrap([5])
        assert 10 - value == 5  # 10 - value, then the result == 5
        assert sum([value, value]) == 10  # 0 + value, + value, then == 10

    assert count_operations(run) == 5


def test_counted_values_behave_as_the_ints_they_wrap() -> None:
    counter = OperationCounter()
    values = counter.wrap([2, 7, 11, 15])
    assert two_sum(values, 9) == (0, 1)
    assert max_water(values) == 14


def ops(solve: Callable[[list[int]], object], make: Callable[[int], list[int]]) -> list[float]:
    return [float(count_operations(lambda c, n=n: solve(c.wrap(make(n))))) for n in SIZES]


def even_values(n: int) -> list[int]:
    rng = random.Random(n)
    return [2 * rng.randrange(10 * n) for _ in range(n)]


def heights(n: int) -> list[int]:
    rng = random.Random(n)
    return [rng.randrange(1, 1000) for _ in range(n)]


@pytest.mark.parametrize(
    ("label", "solve", "make", "expected"),
    [
        ("two_sum", lambda v: two_sum(v, 1), even_values, 1),
        ("two_sum_brute", lambda v: two_sum_brute(v, 1), even_values, 2),
        ("max_water", max_water, heights, 1),
        ("max_water_brute", max_water_brute, heights, 2),
        ("min_window_length", lambda v: min_window_length(v, 10**9), heights, 1),
        ("min_window_length_brute", lambda v: min_window_length_brute(v, 10**9), heights, 2),
    ],
)
def test_operation_count_grows_as_the_stated_big_o(label, solve, make, expected) -> None:
    costs = ops(solve, make)
    exponent = fit_exponent(SIZES, costs)
    assert exponent == pytest.approx(expected, abs=0.05), f"{label}: {costs} -> n^{exponent:.2f}"


def test_two_sum_does_a_handful_of_operations_per_value() -> None:
    costs = ops(lambda v: two_sum(v, 1), even_values)
    assert all(n <= cost <= 4 * n for n, cost in zip(SIZES, costs, strict=True)), costs


def test_growth_table_shows_costs_ratios_and_the_fit() -> None:
    fast = Growth("fast", "O(n)", (10, 20), (5.0, 10.0))
    slow = Growth("slow", "O(n^2)", (10, 20), (100.0, 400.0))
    lines = growth_table([fast, slow], "ops").split("\n")
    assert lines[0].split() == ["n", "fast", "ops", "ratio", "slow", "ops", "ratio"]
    assert lines[1].split() == ["10", "5", "100"]
    assert lines[2].split() == ["20", "10", "x2.0", "400", "x4.0"]
    assert lines[3].split() == ["fit", "n^1.00,", "stated", "O(n)", "n^2.00,", "stated", "O(n^2)"]


def test_growth_table_refuses_growths_measured_at_different_sizes() -> None:
    with pytest.raises(ValueError, match="same sizes"):
        growth_table(
            [Growth("a", "O(n)", (1, 2), (1, 2)), Growth("b", "O(n)", (1, 3), (1, 3))], "ms"
        )
