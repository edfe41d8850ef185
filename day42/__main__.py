"""`python -m day42`: the problems on small inputs, the growth of each one's cost, and the memoiser.

Costs are counted operations on seeded inputs, never wall-clock times, so every run prints the
same. The whole demo runs in a few seconds with no server and no network.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Sequence

from day42.growth import Ops, growth_class, measure
from day42.lru import count_paths
from day42.problems import (
    BinarySearchTree,
    CycleError,
    balanced,
    k_smallest,
    merge_sorted,
    shortest_path,
    sliding_window_max,
    topological_order,
)

MAZE = (
    "S..#....",
    ".#.#.##.",
    ".#...#..",
    ".####.#.",
    "......#G",
)
BUILD = [("models", "schemas"), ("schemas", "views"), ("config", "models"), ("views", "app")]
BUILD += [("config", "app"), ("extensions", "app")]


def problems() -> None:
    print("Problems")
    for text in ("{[()()]}", "([)]", "f(a[0], {b: 1})"):
        print(f"  balanced({text!r}) = {balanced(text)}")
    values = [1, 3, -1, -3, 5, 3, 6, 7]
    print(f"  sliding_window_max({values}, k=3) = {sliding_window_max(values, 3)}")
    path = shortest_path(MAZE, (0, 0), (4, 7)) or []
    print(f"  shortest path S to G: {len(path) - 1} steps (BFS)")
    for row, line in enumerate(MAZE):
        marked = (
            "*" if (row, col) in path and char == "." else char for col, char in enumerate(line)
        )
        print("    " + "".join(marked))
    nodes = ["app", "views", "schemas", "models", "extensions", "config"]
    print(f"  build order: {', '.join(topological_order(nodes, BUILD))}")
    try:
        topological_order(nodes, [*BUILD, ("app", "config")])
    except CycleError as error:
        print(f"  with app -> config added: {error}")
    print(f"  k_smallest([9, 4, 7, 1, 8, 2], 3) = {k_smallest([9, 4, 7, 1, 8, 2], 3)}")
    lists = [[1, 4, 7], [2, 5], [3, 6, 9]]
    print(f"  merge_sorted({lists}) = {merge_sorted(lists)}")
    tree = BinarySearchTree([50, 30, 70, 20, 40, 60, 80, 35])
    print(f"  BST in order {tree.in_order()}, levels {tree.levels()}")


def _brackets(n: int, ops: Ops) -> None:
    balanced("([{}])" * (n // 6) + "(" * (n % 6), ops)


def _window(n: int, ops: Ops) -> None:
    rng = random.Random(n)
    sliding_window_max([rng.randrange(1000) for _ in range(n)], 50, ops)


def _maze(n: int, ops: Ops) -> None:
    side = int(n**0.5)
    rng = random.Random(n)
    grid = ["".join("#" if rng.random() < 0.2 else "." for _ in range(side)) for _ in range(side)]
    grid = ["." + row[1:] for row in grid[:-1]] + [row[:-1] + "." for row in grid[-1:]]
    shortest_path(grid, (0, 0), (side - 1, side - 1), ops)


def _dag(n: int, ops: Ops) -> None:
    rng = random.Random(n)
    edges = [(a, b) for a in range(n) for b in rng.sample(range(a + 1, n + 2), 2) if b < n]
    topological_order(range(n), edges, ops)


def _k_smallest(n: int, ops: Ops) -> None:
    rng = random.Random(n)
    k_smallest([rng.random() for _ in range(n)], n // 2, ops)


def _merge(n: int, ops: Ops) -> None:
    rng = random.Random(n)
    merge_sorted([sorted(rng.random() for _ in range(n // 16)) for _ in range(16)], ops)


def _bst_random(n: int, ops: Ops) -> None:
    BinarySearchTree(random.Random(n).sample(range(n), n), ops)


def _bst_sorted(n: int, ops: Ops) -> None:
    BinarySearchTree(range(n), ops)


#: What is measured: name, stated cost, smallest n, the run, what an operation is.
GROWTH: list[tuple[str, str, int, Callable[[int, Ops], None]]] = [
    ("balanced brackets (stack)", "O(n)", 1024, _brackets),
    ("sliding window max, k=50 (deque)", "O(n)", 1024, _window),
    ("shortest path in a √n×√n grid (BFS)", "O(n)", 1024, _maze),
    ("topological order, ~2n edges (DFS)", "O(n + e)", 1024, _dag),
    ("k smallest, k = n/2 (heap)", "O(n log k)", 1024, _k_smallest),
    ("merge 16 sorted lists (heap)", "O(n log 16)", 1024, _merge),
    ("BST insert, random order", "O(n log n)", 1024, _bst_random),
    ("BST insert, sorted order", "O(n²)", 256, _bst_sorted),
]


def growth() -> None:
    print("\nGrowth: operations counted at n, 2n, 4n and 8n (seeded inputs, the same every run)")
    print(f"  {'problem':<37} {'stated':<11} {'n':>5}  {'operations':<43} last×2  measured")
    for name, stated, smallest, run in GROWTH:
        points = measure(run, [smallest * 2**step for step in range(4)])
        counts = " ".join(f"{ops:>10,}" for _, ops in points)
        doubling = points[-1][1] / points[-2][1]
        measured = growth_class(points)
        print(f"  {name:<37} {stated:<11} {smallest:>5}  {counts}  {doubling:6.2f}  ≈ {measured}")


def memoiser(sizes: Sequence[int] = (2, 4, 6, 8, 10)) -> None:
    print("\ncount_paths on an open n×n grid: how many times the recursive body ran")
    columns = ("paths", "plain", "LRU n-1", "LRU n", "no limit")
    print(f"  {'n':>3}" + "".join(f"{name:>10}" for name in columns) + "  hits/misses")
    for n in sizes:
        grid = ["." * n] * n
        plain = count_paths(grid, memoised=False)
        runs = [count_paths(grid, maxsize=size) for size in (max(n - 1, 1), n, None)]
        stats = runs[-1].cache
        assert stats is not None and all(run.paths == plain.paths for run in runs)
        counts = [plain.paths, plain.calls, *(run.calls for run in runs)]
        print(f"  {n:>3}" + "".join(f"{count:>10,}" for count in counts), end="")
        print(f"  {stats.hits}/{stats.misses}")
    big = count_paths(["." * 100] * 100, maxsize=100)
    print(f"  n = 100: {big.paths:.4e} paths in {big.calls:,} calls with an LRU of 100 entries")
    print("           (plain recursion would run the body C(200, 100) - 1 ≈ 9.1e58 times)")


def main() -> int:
    print("Day 42: stacks, queues, trees, graphs and heaps, and an LRU cache as a memoiser.\n")
    problems()
    growth()
    memoiser()
    return 0


if __name__ == "__main__":
    sys.exit(main())
