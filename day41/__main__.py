"""`python -m day41`: five classic problems, their bad inputs, and how each solution's cost grows.

The operation counts are exact and the same every run. Wall-clock time is shown as the growth
class fitted from it (rounded to a whole power of n, so it is stable); ``--timings`` prints the
measured milliseconds as well, which differ from run to run and machine to machine.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from day41.complexity import (
    Growth,
    count_operations,
    growth_class,
    growth_table,
    seconds_per_call,
)
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

#: Operation counting runs every operation through Python code, so it uses smaller sizes.
COUNT_SIZES = (100, 200, 400, 800)
TIME_SIZES = (250, 500, 1000, 2000)
SEED = 41

Solver = Callable[[list[int]], object]


@dataclass(frozen=True)
class Race:
    """A fast solution and its brute force, on inputs that are the worst case for both."""

    problem: str
    case: str
    fast: tuple[str, str, Solver]  # label, stated big-O, solver
    brute: tuple[str, str, Solver]
    make_input: Callable[[int], list[int]]


def no_pair_values(n: int) -> list[int]:
    """Even numbers only, so no pair adds up to an odd target: both solutions see every value."""
    rng = random.Random(SEED + n)
    return [2 * rng.randrange(10 * n) for _ in range(n)]


def heights(n: int) -> list[int]:
    rng = random.Random(SEED + n)
    return [rng.randrange(1, 1000) for _ in range(n)]


def small_values(n: int) -> list[int]:
    rng = random.Random(SEED + n)
    return [rng.randrange(1, 10) for _ in range(n)]


RACES = (
    Race(
        "two_sum",
        "no pair adds up to the target",
        ("hash map", "O(n)", lambda values: two_sum(values, 1)),
        ("every pair", "O(n^2)", lambda values: two_sum_brute(values, 1)),
        no_pair_values,
    ),
    Race(
        "max_water",
        "random heights",
        ("two pointers", "O(n)", max_water),
        ("every pair", "O(n^2)", max_water_brute),
        heights,
    ),
    Race(
        "min_window_length",
        "a target above the total, so no window reaches it",
        ("sliding window", "O(n)", lambda values: min_window_length(values, 10 * len(values))),
        ("every start", "O(n^2)", lambda values: min_window_length_brute(values, 10 * len(values))),
        small_values,
    ),
)


def examples() -> None:
    print("Five problems, each answer checked against its brute-force oracle:")
    cases: list[tuple[str, Callable[..., object], Callable[..., object], tuple[object, ...]]] = [
        ("two_sum", two_sum, two_sum_brute, ([2, 7, 11, 15], 9)),
        ("two_sum", two_sum, two_sum_brute, ([3, 3, 4], 7)),
        ("longest_unique_substring", longest_unique_substring, longest_unique_substring_brute,
         ("abcabcbb",)),
        ("longest_unique_substring", longest_unique_substring, longest_unique_substring_brute,
         ("pwwkew",)),
        ("max_water", max_water, max_water_brute, ([1, 8, 6, 2, 5, 4, 8, 3, 7],)),
        ("min_window_length", min_window_length, min_window_length_brute, ([2, 3, 1, 2, 4, 3], 7)),
        ("product_except_self", product_except_self, product_except_self_brute, ([1, 2, 3, 4],)),
        ("product_except_self", product_except_self, product_except_self_brute, ([0, 4, 0],)),
    ]  # fmt: skip
    for name, fast, brute, args in cases:
        answer = fast(*args)
        agrees = "same as the oracle" if answer == brute(*args) else "ORACLE DISAGREES"
        shown = ", ".join(map(repr, args))
        print(f"  {name}({shown}) = {answer!r}  ({agrees})")
    print("\nBad input, one line each:")
    refusals: list[tuple[str, Callable[[], object]]] = [
        ("min_window_length([4, -1, 5], 8)", lambda: min_window_length([4, -1, 5], 8)),
        ("min_window_length([1, 2], 0)", lambda: min_window_length([1, 2], 0)),
        ("max_water([3, -2])", lambda: max_water([3, -2])),
        ("longest_unique_substring(None)", lambda: longest_unique_substring(None)),  # type: ignore[arg-type]
    ]
    for shown, call in refusals:
        try:
            call()
        except (TypeError, ValueError) as error:
            print(f"  {shown}: {type(error).__name__}: {error}")


def operations(solve: Solver, values: list[int]) -> int:
    """How many operations ``solve`` does on ``values``."""
    return count_operations(lambda counter: solve(counter.wrap(values)))


def counted(race: Race) -> str:
    """The race's table of operation counts at ``COUNT_SIZES``."""
    growths = []
    for label, stated, solve in (race.fast, race.brute):
        costs = tuple(float(operations(solve, race.make_input(n))) for n in COUNT_SIZES)
        growths.append(Growth(label, stated, COUNT_SIZES, costs))
    return growth_table(growths, "ops")


def timed(race: Race, sizes: Sequence[int]) -> list[Growth]:
    """The race's best milliseconds per call at each size, fast solution then brute force."""
    growths = []
    for label, stated, solve in (race.fast, race.brute):
        costs = []
        for n in sizes:
            values = race.make_input(n)
            repeat = 5 if stated == "O(n)" else 2
            costs.append(1000 * seconds_per_call(lambda v=values, f=solve: f(v), repeat=repeat))
        growths.append(Growth(label, stated, tuple(sizes), tuple(costs)))
    return growths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m day41",
        description="Classic array problems, checked against brute force, with measured growth.",
    )
    parser.add_argument(
        "--timings", action="store_true", help="print the measured milliseconds too (they vary)"
    )
    args = parser.parse_args(argv)
    examples()
    print(
        "\nOperations on the input values (arithmetic, comparisons, hashes), exact every run."
        "\nA ratio near x2 when n doubles is linear, near x4 quadratic; fit is the log-log slope."
    )
    for race in RACES:
        print(f"\n{race.problem}, {race.case}:")
        print(counted(race))
    print("\nWall-clock time, best of several runs at n = 250 to 2000, fitted and rounded:")
    for race in RACES:
        fast, brute = timed(race, TIME_SIZES)
        print(
            f"  {race.problem}: {fast.label} ~ {growth_class(fast.exponent)}, "
            f"{brute.label} ~ {growth_class(brute.exponent)}"
        )
        if args.timings:
            print(
                "\n".join(
                    f"    {line}" for line in growth_table([fast, brute], "ms", 3).split("\n")
                )
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
