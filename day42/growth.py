"""Counting the work an algorithm does, and naming how it grows with n.

Operations are counted, never timed: a count is the same on every machine and every run, so a
test can assert it and a README can show it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: The growth classes a measurement is compared with, cheapest first.
CLASSES: dict[str, Callable[[int], float]] = {
    "1": lambda n: 1.0,
    "log n": lambda n: math.log2(n),
    "n": lambda n: float(n),
    "n log n": lambda n: n * math.log2(n),
    "n²": lambda n: float(n * n),
}


@dataclass
class Ops:
    """A counter an algorithm ticks once per basic step (a comparison, a push, a visit)."""

    count: int = 0

    def tick(self, steps: int = 1) -> None:
        self.count += steps


def measure(run: Callable[[int, Ops], object], sizes: Sequence[int]) -> list[tuple[int, int]]:
    """``(n, operations)`` for each size, ``run(n, ops)`` building its own input of size n."""
    points = []
    for n in sizes:
        ops = Ops()
        run(n, ops)
        points.append((n, ops.count))
    return points


def growth_class(points: Sequence[tuple[int, int]]) -> str:
    """The class whose ``ops / f(n)`` stays the most constant over the points."""
    if len(points) < 2 or any(n < 2 or ops < 1 for n, ops in points):
        raise ValueError(f"need two or more points with n >= 2 and ops >= 1, got {points}")

    def spread(f: Callable[[int], float]) -> float:
        ratios = [ops / f(n) for n, ops in points]
        return max(ratios) / min(ratios)

    return min(CLASSES, key=lambda name: spread(CLASSES[name]))
