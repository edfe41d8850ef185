"""Measuring how a solution's cost grows: by the clock, and by counting its operations.

A cost measured at a few sizes n is fitted with a straight line on a log-log scale: for a cost
c * n^k, log(cost) = log(c) + k * log(n), so the slope is the exponent k (about 1 for O(n),
about 2 for O(n^2)). Wall-clock time varies from run to run; operation counts do not.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Clock = Callable[[], float]


def fit_exponent(sizes: Sequence[float], costs: Sequence[float]) -> float:
    """The least-squares slope of log(cost) against log(n): the k in cost ~ c * n^k."""
    if len(sizes) != len(costs):
        raise ValueError(f"{len(sizes)} sizes but {len(costs)} costs")
    if len(set(sizes)) < 2:
        raise ValueError("an exponent needs costs at two different sizes at least")
    if any(value <= 0 for value in [*sizes, *costs]):
        raise ValueError("sizes and costs must be > 0 to take their logarithms")
    xs = [math.log(size) for size in sizes]
    ys = [math.log(cost) for cost in costs]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def growth_class(exponent: float) -> str:
    """The exponent rounded to the nearest whole power, as ``n^1``, ``n^2``: stable across runs."""
    return f"n^{max(0, round(exponent))}"


def seconds_per_call(
    call: Callable[[], object],
    *,
    repeat: int = 5,
    min_time: float = 0.002,
    clock: Clock = time.perf_counter,
) -> float:
    """The best time of one ``call()`` over ``repeat`` samples of at least ``min_time`` each.

    A fast call is looped (1, 2, 4, ... times) until one sample takes ``min_time``, so the
    clock's resolution does not dominate; the minimum drops the samples another process slowed.
    """
    if repeat < 1:
        raise ValueError(f"repeat must be >= 1, got {repeat}")
    number = 1
    while True:
        elapsed = _sample(call, number, clock)
        if elapsed >= min_time:
            break
        number *= 2
    best = elapsed / number
    for _ in range(repeat - 1):
        best = min(best, _sample(call, number, clock) / number)
    return best


def _sample(call: Callable[[], object], number: int, clock: Clock) -> float:
    start = clock()
    for _ in range(number):
        call()
    return clock() - start


class OperationCounter:
    """How many operations touched a value made by ``wrap``, or a value computed from one."""

    def __init__(self) -> None:
        self.count = 0

    def wrap(self, values: Sequence[int]) -> list[Counted]:
        return [Counted(value, self) for value in values]


class Counted(int):
    """An int that counts each arithmetic operation, comparison and hash done with it.

    The result of arithmetic is Counted too, so a running sum built from input values keeps
    counting. Python tries a subclass's reflected method first, so ``0 + x`` counts as well.
    """

    counter: OperationCounter

    def __new__(cls, value: int, counter: OperationCounter) -> Counted:
        number = super().__new__(cls, value)
        number.counter = counter
        return number

    def __hash__(self) -> int:
        self.counter.count += 1
        return int.__hash__(self)


def _counting(name: str, makes_number: bool) -> Callable[..., object]:
    plain = getattr(int, name)

    def operation(self: Counted, other: object) -> object:
        self.counter.count += 1
        result = plain(int(self), int(other) if isinstance(other, int) else other)
        if makes_number and type(result) is int:
            return Counted(result, self.counter)
        return result

    operation.__name__ = name
    return operation


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__"):
    setattr(Counted, _name, _counting(_name, makes_number=True))
for _name in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"):
    setattr(Counted, _name, _counting(_name, makes_number=False))


def count_operations(run: Callable[[OperationCounter], object]) -> int:
    """How many operations ``run`` did on the values it wrapped with the counter it is given."""
    counter = OperationCounter()
    run(counter)
    return counter.count


@dataclass(frozen=True)
class Growth:
    """A cost measured at each size, with the fitted exponent and the stated big-O."""

    label: str
    stated: str
    sizes: tuple[int, ...]
    costs: tuple[float, ...]

    @property
    def exponent(self) -> float:
        return fit_exponent(self.sizes, self.costs)

    def ratios(self) -> list[float | None]:
        """Each cost divided by the one before it (None for the first)."""
        return [None, *(b / a for a, b in zip(self.costs, self.costs[1:], strict=False))]


def growth_table(growths: Sequence[Growth], unit: str, digits: int = 0) -> str:
    """Costs side by side: n, then the cost and its ratio to the previous n for each growth."""
    sizes = growths[0].sizes
    if any(growth.sizes != sizes for growth in growths):
        raise ValueError("every growth in one table must be measured at the same sizes")
    header = f"{'n':>6}" + "".join(
        f"  {growth.label + ' ' + unit:>22}  ratio" for growth in growths
    )
    lines = [header]
    for row, size in enumerate(sizes):
        line = f"{size:>6}"
        for growth in growths:
            ratio = growth.ratios()[row]
            shown = "" if ratio is None else f"x{ratio:.1f}"
            line += f"  {growth.costs[row]:>22,.{digits}f}  {shown:>5}"
        lines.append(line.rstrip())
    fitted = f"{'fit':>6}" + "".join(
        f"  {f'n^{growth.exponent:.2f}, stated {growth.stated}':>29}" for growth in growths
    )
    lines.append(fitted)
    return "\n".join(lines)
