"""Classic problems, one data structure each: a stack, a deque, a queue, a DFS, a heap, a tree.

Every function takes an optional ``Ops`` counter and ticks it once per basic step, so the demo
can show how the work grows with the input and the tests can pin it.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from day42.growth import Ops

#: Each closing bracket and the opening bracket it must match.
PAIRS = {")": "(", "]": "[", "}": "{"}
WALL = "#"

Cell = tuple[int, int]
N = TypeVar("N", bound=Hashable)


class Comparable(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


C = TypeVar("C", bound=Comparable)


def balanced(text: str, ops: Ops | None = None) -> bool:
    """Whether every bracket in ``text`` is closed by its own kind, in order; others are skipped."""
    ops = Ops() if ops is None else ops
    # practice 1: match brackets with a stack
    # hint: push each opening bracket; a closing one must pop its partner (see PAIRS),
    # hint: and at the end nothing may be left open on the stack.
    stack: list[str] = []
    for char in text:
        ops.tick()
        if char in "([{":
            stack.append(char)
        elif char in PAIRS and (not stack or stack.pop() != PAIRS[char]):
            return False
    return not stack
    # end practice 1


def sliding_window_max(values: Sequence[int], k: int, ops: Ops | None = None) -> list[int]:
    """The maximum of every window of ``k`` consecutive values, in O(n) with a monotonic deque."""
    if k <= 0 or k > len(values):
        raise ValueError(f"k must be between 1 and {len(values)}, got {k}")
    ops = Ops() if ops is None else ops
    window: deque[int] = deque()  # indices whose values decrease from left to right
    maxima = []
    for i, value in enumerate(values):
        while window and values[window[-1]] <= value:
            window.pop()  # a smaller value before a larger one can never be a maximum again
            ops.tick()
        window.append(i)
        ops.tick()
        if window[0] <= i - k:
            window.popleft()
        if i >= k - 1:
            maxima.append(values[window[0]])
    return maxima


def shortest_path(
    grid: Sequence[str], start: Cell, goal: Cell, ops: Ops | None = None
) -> list[Cell] | None:
    """The cells of a shortest 4-way path from ``start`` to ``goal`` avoiding ``#``, or None."""
    for name, (row, col) in (("start", start), ("goal", goal)):
        if not (0 <= row < len(grid) and 0 <= col < len(grid[row])) or grid[row][col] == WALL:
            raise ValueError(f"{name} {(row, col)} is not an open cell of the grid")
    ops = Ops() if ops is None else ops
    # practice 2: breadth-first search from start, remembering each cell's parent
    # hint: a deque as the queue; mark a cell seen when it is queued (not when it is taken out),
    # hint: then walk the parents back from the goal and reverse.
    parent: dict[Cell, Cell | None] = {start: None}
    queue: deque[Cell] = deque([start])
    while queue:
        cell = queue.popleft()
        ops.tick()
        if cell == goal:
            path = []
            step: Cell | None = cell
            while step is not None:
                path.append(step)
                step = parent[step]
            return path[::-1]
        row, col = cell
        for near in ((row - 1, col), (row + 1, col), (row, col - 1), (row, col + 1)):
            r, c = near
            inside = 0 <= r < len(grid) and 0 <= c < len(grid[r])
            if inside and grid[r][c] != WALL and near not in parent:
                parent[near] = cell
                queue.append(near)
    return None
    # end practice 2


class CycleError(ValueError):
    """The graph has no topological order; ``cycle`` is one cycle, its first node repeated last."""

    def __init__(self, cycle: list[Any]) -> None:
        super().__init__("cycle: " + " -> ".join(map(str, cycle)))
        self.cycle = cycle


def topological_order(
    nodes: Iterable[N], edges: Iterable[tuple[N, N]], ops: Ops | None = None
) -> list[N]:
    """Every node after all the nodes with an edge into it; CycleError naming a cycle otherwise.

    An iterative depth-first search: the explicit stack is the current path, so a chain of a
    million nodes needs no recursion and a back edge reads the cycle straight off the stack.
    """
    ops = Ops() if ops is None else ops
    after: dict[N, list[N]] = {node: [] for node in nodes}
    for source, target in edges:
        after.setdefault(source, []).append(target)
        after.setdefault(target, [])
    done: set[N] = set()
    on_path: dict[N, int] = {}  # node -> its position on the stack
    finished: list[N] = []
    for root in after:
        if root in done:
            continue
        stack: list[tuple[N, Iterator[N]]] = [(root, iter(after[root]))]
        on_path[root] = 0
        while stack:
            node, targets = stack[-1]
            ops.tick()
            target = next(targets, None)
            if target is None:
                stack.pop()
                del on_path[node]
                done.add(node)
                finished.append(node)
            elif target in on_path:
                path = [entry[0] for entry in stack[on_path[target] :]]
                raise CycleError([*path, target])
            elif target not in done:
                on_path[target] = len(stack)
                stack.append((target, iter(after[target])))
    return finished[::-1]


@dataclass(frozen=True)
class _Counted(Generic[C]):
    """A heap entry that counts its comparisons; ``reverse`` makes heapq's min-heap a max-heap."""

    key: tuple[C, int]
    ops: Ops = field(compare=False)
    reverse: bool = False

    def __lt__(self, other: _Counted[C]) -> bool:
        self.ops.tick()
        return other.key < self.key if self.reverse else self.key < other.key


def k_smallest(values: Iterable[C], k: int, ops: Ops | None = None) -> list[C]:
    """The ``k`` smallest values, smallest first, in O(n log k) with a max-heap of size k."""
    if k < 0:
        raise ValueError(f"k must be 0 or more, got {k}")
    ops = Ops() if ops is None else ops
    heap: list[_Counted[C]] = []
    for i, value in enumerate(values):
        entry = _Counted((value, i), ops, reverse=True)
        if len(heap) < k:
            heapq.heappush(heap, entry)
        elif heap and entry.key < heap[0].key:
            ops.tick()
            heapq.heapreplace(heap, entry)  # drop the largest of the k kept so far
        else:
            ops.tick()
    return [entry.key[0] for entry in sorted(heap, key=lambda entry: entry.key)]


def merge_sorted(lists: Sequence[Sequence[C]], ops: Ops | None = None) -> list[C]:
    """One sorted list from k sorted lists, in O(N log k) with a heap of one head per list."""
    ops = Ops() if ops is None else ops
    heap = [_Counted((values[0], i), ops) for i, values in enumerate(lists) if values]
    heapq.heapify(heap)
    position = [0] * len(lists)
    merged = []
    while heap:
        value, i = heap[0].key
        merged.append(value)
        position[i] += 1
        if position[i] < len(lists[i]):
            heapq.heapreplace(heap, _Counted((lists[i][position[i]], i), ops))
        else:
            heapq.heappop(heap)
    return merged


@dataclass
class _Node(Generic[C]):
    key: C
    left: _Node[C] | None = None
    right: _Node[C] | None = None


class BinarySearchTree(Generic[C]):
    """An unbalanced binary search tree of distinct keys, every walk iterative."""

    def __init__(self, keys: Iterable[C] = (), ops: Ops | None = None) -> None:
        self.root: _Node[C] | None = None
        self.size = 0
        self.ops = Ops() if ops is None else ops
        for key in keys:
            self.insert(key)

    def insert(self, key: C) -> bool:
        """Add ``key``; False when it was already there. O(height): log n if random, n if sorted."""
        if self.root is None:
            self.root = _Node(key)
            self.size = 1
            return True
        node = self.root
        while True:
            self.ops.tick()
            if key < node.key:
                if node.left is None:
                    node.left = _Node(key)
                    break
                node = node.left
            elif node.key < key:
                if node.right is None:
                    node.right = _Node(key)
                    break
                node = node.right
            else:
                return False
        self.size += 1
        return True

    def __contains__(self, key: C) -> bool:
        node = self.root
        while node is not None:
            if key < node.key:
                node = node.left
            elif node.key < key:
                node = node.right
            else:
                return True
        return False

    def __len__(self) -> int:
        return self.size

    def in_order(self) -> list[C]:
        """The keys in sorted order, walked with an explicit stack."""
        keys: list[C] = []
        stack: list[_Node[C]] = []
        node = self.root
        while stack or node is not None:
            while node is not None:
                stack.append(node)
                node = node.left
            node = stack.pop()
            keys.append(node.key)
            node = node.right
        return keys

    def levels(self) -> list[list[C]]:
        """The keys level by level from the root, left to right (a breadth-first walk)."""
        levels: list[list[C]] = []
        queue = deque([self.root] if self.root is not None else [])
        while queue:
            level = [queue.popleft() for _ in range(len(queue))]
            levels.append([node.key for node in level])
            queue.extend(child for node in level for child in (node.left, node.right) if child)
        return levels

    def height(self) -> int:
        return len(self.levels())
