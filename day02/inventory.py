"""Stock kept as an append-only ledger of movements, valued at weighted average cost.

The pieces, smallest first:

- :class:`Sku` and :class:`StockMovement` are value objects: frozen, validated when made, so a
  malformed SKU or a receipt without a cost cannot exist at all;
- :class:`Ledger` is the one place the rules about stock live (:meth:`Ledger.record`): stock
  never goes below zero, costs are in the ledger's currency, movements are only ever appended,
  and each SKU's running balance is moved on by the same rule that accepted the movement, so
  recording is O(1) and :meth:`Ledger.replay` can always rebuild the balances from the history;
- :class:`Inventory` composes a ledger with a catalog of product names and is what callers use;
- :class:`MovementSink` is a protocol: anything with an ``accept(movement)`` method can be told
  about each recorded movement, without inheriting from anything (see ``day02.journal``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from day02.money import CurrencyMismatchError, Money, check_currency

_SKU_FORMAT = re.compile(r"[A-Z]{2,5}-[0-9]{3,6}")


class InventoryError(ValueError):
    """An operation the inventory refuses; the message says what was wrong."""


class InvalidSkuError(InventoryError):
    """A SKU that does not match the ``ABC-123`` format."""


class InvalidMovementError(InventoryError):
    """A movement that is malformed, or that cannot be valued in the current state."""


class InsufficientStockError(InventoryError):
    """A movement that would take stock below zero."""


class CatalogError(InventoryError):
    """A product that is unknown, or already in the catalog."""


@dataclass(frozen=True, order=True, slots=True)
class Sku:
    """A stock-keeping unit code: 2–5 capital letters, a dash, 3–6 digits (``TEA-001``).

    Ordered by code, so sorting SKUs (or anything keyed by them) is stable and readable.
    """

    code: str

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not _SKU_FORMAT.fullmatch(self.code):
            raise InvalidSkuError(
                f"SKU {self.code!r} must be 2-5 capital letters, a dash and 3-6 digits, "
                "like TEA-001"
            )

    def __str__(self) -> str:
        return self.code


class MovementKind(StrEnum):
    """Why stock moved."""

    RECEIPT = "receipt"
    SHIPMENT = "shipment"
    ADJUSTMENT = "adjustment"

    def __repr__(self) -> str:
        # The default <MovementKind.RECEIPT: 'receipt'> cannot be pasted back into Python.
        return f"{type(self).__name__}.{self.name}"


@dataclass(frozen=True, slots=True)
class StockMovement:
    """One change to the stock of one SKU, as it will stand in the ledger forever.

    ``quantity`` is a count of units: positive for receipts and shipments (the kind says which
    way they go), signed for adjustments. Only receipts carry a ``unit_cost``; shipments and
    adjustments are valued at the average cost of the stock they touch. Adjustments must say
    why in ``note``. Use :meth:`receipt`, :meth:`shipment` and :meth:`adjustment` to build one.
    """

    sku: Sku
    kind: MovementKind
    quantity: int
    unit_cost: Money | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.sku, Sku):
            raise InvalidMovementError(f"sku must be a Sku, got {self.sku!r}")
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise InvalidMovementError(
                f"quantity must be a whole number of units, got {self.quantity!r}"
            )
        if self.kind is MovementKind.ADJUSTMENT:
            if self.quantity == 0:
                raise InvalidMovementError(f"an adjustment of {self.sku} must change the count")
            if not self.note.strip():
                raise InvalidMovementError(
                    f"an adjustment of {self.sku} needs a note saying why (e.g. 'damaged')"
                )
        elif self.quantity <= 0:
            raise InvalidMovementError(
                f"a {self.kind} of {self.sku} needs a positive quantity, got {self.quantity}"
            )
        if self.kind is MovementKind.RECEIPT:
            if not isinstance(self.unit_cost, Money):
                raise InvalidMovementError(f"a receipt of {self.sku} needs a unit cost (Money)")
            if self.unit_cost.amount < 0:
                raise InvalidMovementError(
                    f"a receipt of {self.sku} cannot cost less than nothing, got {self.unit_cost}"
                )
        elif self.unit_cost is not None:
            raise InvalidMovementError(
                f"a {self.kind} of {self.sku} is valued at average cost; leave unit_cost out"
            )

    @classmethod
    def receipt(cls, sku: Sku, quantity: int, unit_cost: Money, note: str = "") -> StockMovement:
        """Units arriving, bought at ``unit_cost`` each."""
        return cls(sku, MovementKind.RECEIPT, quantity, unit_cost, note)

    @classmethod
    def shipment(cls, sku: Sku, quantity: int, note: str = "") -> StockMovement:
        """Units leaving, at the current average cost."""
        return cls(sku, MovementKind.SHIPMENT, quantity, None, note)

    @classmethod
    def adjustment(cls, sku: Sku, change: int, note: str) -> StockMovement:
        """A correction after a count: ``change`` units more (or fewer), and why."""
        return cls(sku, MovementKind.ADJUSTMENT, change, None, note)

    @property
    def change(self) -> int:
        """The signed change to the units on hand."""
        return -self.quantity if self.kind is MovementKind.SHIPMENT else self.quantity

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form (the unit cost as ``Money.as_dict``, or None)."""
        return {
            "sku": self.sku.code,
            "kind": self.kind.value,
            "quantity": self.quantity,
            "unit_cost": None if self.unit_cost is None else self.unit_cost.as_dict(),
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class StockPosition:
    """Units on hand of one SKU and what they cost, as derived from the ledger."""

    sku: Sku
    quantity: int
    value: Money

    @property
    def average_cost(self) -> Money | None:
        """Value per unit, rounded to the minor unit; None when nothing is on hand."""
        if self.quantity == 0:
            return None
        return Money(self.value.amount / self.quantity, self.value.currency)


@dataclass(frozen=True, slots=True)
class Posting:
    """A movement the ledger accepted, with the position of its SKU before and after."""

    movement: StockMovement
    before: StockPosition
    after: StockPosition

    @property
    def value_change(self) -> Money:
        """What the movement added to (or, negative, took from) the stock value."""
        return self.after.value - self.before.value


@runtime_checkable
class MovementSink(Protocol):
    """Anything that wants to hear about each movement once the ledger has recorded it.

    Structural typing: a class satisfies this by having the method, not by inheriting from it.
    """

    def accept(self, movement: StockMovement) -> None:
        """Take note of a recorded movement (an audit log, a metrics counter, a message bus)."""
        ...


class Ledger:
    """The append-only record of stock movements, in one currency.

    :meth:`record` is the only way in and the one place where the rules are checked; a refused
    movement raises and leaves the ledger exactly as it was. Each SKU's running balance is
    moved on by the same :meth:`_apply` that checked the movement, so recording and reading a
    position cost O(1) however long the history is, and :meth:`replay` rebuilds every balance
    from the movements alone to show that they agree.
    """

    def __init__(self, currency: str, sinks: Iterable[MovementSink] = ()) -> None:
        self._currency = check_currency(currency)
        self._movements: list[StockMovement] = []
        self._balances: dict[Sku, StockPosition] = {}
        self._sinks = tuple(sinks)

    @property
    def currency(self) -> str:
        """The currency every cost in this ledger is kept in."""
        return self._currency

    @property
    def movements(self) -> tuple[StockMovement, ...]:
        """Every recorded movement, oldest first (a tuple: history cannot be edited through it)."""
        return tuple(self._movements)

    def record(self, movement: StockMovement) -> Posting:
        """Check ``movement`` against the current stock, append it, tell the sinks.

        Raises InsufficientStockError, InvalidMovementError or CurrencyMismatchError, with
        nothing appended and no sink told, when the movement breaks a rule. Sinks hear of a
        movement only after it is appended, so an exception from a sink does not undo it.
        """
        before = self.position(movement.sku)
        after = self._apply(before, movement)
        # _apply raised if the movement breaks a rule, so both writes happen or neither does.
        self._movements.append(movement)
        self._balances[movement.sku] = after
        for sink in self._sinks:
            sink.accept(movement)
        return Posting(movement, before, after)

    def position(self, sku: Sku) -> StockPosition:
        """Units on hand of ``sku`` and their value: its running balance, zero if it never moved."""
        return self._balances.get(sku) or self._empty(sku)

    def positions(self) -> list[StockPosition]:
        """The position of every SKU that has moved, in SKU order."""
        return [self._balances[sku] for sku in sorted(self._balances)]

    def replay(self) -> list[StockPosition]:
        """Every position rebuilt from the movements alone, in SKU order: an audit of the balances.

        It applies each movement once, with the rules that accepted it, so on an intact ledger it
        equals :meth:`positions`.
        """
        by_sku: dict[Sku, StockPosition] = {}
        for movement in self._movements:
            sku = movement.sku
            by_sku[sku] = self._apply(by_sku.get(sku) or self._empty(sku), movement)
        return [by_sku[sku] for sku in sorted(by_sku)]

    def _empty(self, sku: Sku) -> StockPosition:
        return StockPosition(sku, 0, Money.zero(self._currency))

    def _apply(self, position: StockPosition, movement: StockMovement) -> StockPosition:
        """Every rule about stock, in one place: the position after ``movement``, or raise."""
        sku, on_hand, value = position.sku, position.quantity, position.value
        cost = movement.unit_cost
        if cost is not None:  # only receipts carry a cost; StockMovement guarantees that
            if cost.currency != self._currency:
                raise CurrencyMismatchError(
                    f"the {movement.kind} of {sku} costs {cost}, but this ledger keeps "
                    f"{self._currency}; convert the cost to {self._currency} first"
                )
            return StockPosition(sku, on_hand + movement.quantity, value + cost * movement.quantity)
        change = movement.change
        if on_hand + change < 0:
            wanted = "ship" if movement.kind is MovementKind.SHIPMENT else "write off"
            raise InsufficientStockError(
                f"cannot {wanted} {-change} × {sku}: only {on_hand} on hand"
            )
        if on_hand == 0:
            # Only an upward adjustment gets here: receipts returned above, shipments failed.
            raise InvalidMovementError(
                f"cannot adjust {sku} up from zero: there is no average cost to value it at; "
                "record a receipt with a unit cost instead"
            )
        # practice 2: move units out or in at the weighted average cost
        # hint: the value moved is value × change ÷ on hand, rounded once by Money;
        # hint: emptying the stock takes all of the value that is left.
        # Units in or out at the average cost, rounded once. Carrying the exact remaining value
        # (not units × rounded average) keeps cents from drifting; emptying takes it all.
        if on_hand + change == 0:
            moved = -value
        else:
            moved = Money(value.amount * change / on_hand, self._currency)
        return StockPosition(sku, on_hand + change, value + moved)
        # end practice 2

    def __len__(self) -> int:
        return len(self._movements)

    def __iter__(self) -> Iterator[StockMovement]:
        return iter(tuple(self._movements))

    def __repr__(self) -> str:
        # Not rebuildable from one expression, so the <...> form the data model asks for.
        return f"<Ledger {self._currency}: {pluralise(len(self._movements), 'movement')}>"


class Inventory:
    """The products on offer and their stock: a catalog of names composed with a :class:`Ledger`.

    Composition, not inheritance: an inventory *has* a ledger and offers only operations that go
    through :meth:`Ledger.record`. Iterating, ``len()`` and ``in`` work over the catalog's SKUs,
    the way a dict's work over its keys. Every method that takes a SKU accepts a :class:`Sku` or
    its code as a string.
    """

    def __init__(self, currency: str, sinks: Iterable[MovementSink] = ()) -> None:
        self._ledger = Ledger(currency, sinks)
        self._names: dict[Sku, str] = {}

    @property
    def currency(self) -> str:
        """The currency costs and values are kept in."""
        return self._ledger.currency

    @property
    def movements(self) -> tuple[StockMovement, ...]:
        """Every recorded movement, oldest first."""
        return self._ledger.movements

    def add_product(self, sku: Sku | str, name: str) -> Sku:
        """Put a product in the catalog so its stock can move; returns its SKU."""
        sku = _as_sku(sku)
        if sku in self._names:
            raise CatalogError(f"{sku} is already in the catalog as {self._names[sku]!r}")
        if not name.strip():
            raise CatalogError(f"the product name for {sku} must not be blank")
        self._names[sku] = name.strip()
        return sku

    def name_of(self, sku: Sku | str) -> str:
        """The catalog name of ``sku``."""
        return self._names[self._known(sku)]

    def record(self, movement: StockMovement) -> Posting:
        """Record a movement of a product in the catalog; the ledger checks the rest."""
        self._known(movement.sku)
        return self._ledger.record(movement)

    def receive(self, sku: Sku | str, quantity: int, unit_cost: Money, note: str = "") -> Posting:
        """Record ``quantity`` units arriving at ``unit_cost`` each."""
        return self.record(StockMovement.receipt(_as_sku(sku), quantity, unit_cost, note))

    def ship(self, sku: Sku | str, quantity: int, note: str = "") -> Posting:
        """Record ``quantity`` units leaving; refused if fewer are on hand."""
        return self.record(StockMovement.shipment(_as_sku(sku), quantity, note))

    def adjust(self, sku: Sku | str, change: int, note: str) -> Posting:
        """Correct the count of ``sku`` by ``change`` units after a stock take, saying why."""
        return self.record(StockMovement.adjustment(_as_sku(sku), change, note))

    def position(self, sku: Sku | str) -> StockPosition:
        """Units on hand of ``sku`` and their value at weighted average cost."""
        return self._ledger.position(self._known(sku))

    def positions(self) -> list[StockPosition]:
        """The position of every product in the catalog, in SKU order, untouched ones at zero."""
        moved = {position.sku: position for position in self._ledger.positions()}
        zero = Money.zero(self.currency)
        return [moved.get(sku, StockPosition(sku, 0, zero)) for sku in sorted(self._names)]

    def total_value(self) -> Money:
        """What all the stock on hand cost, at weighted average cost."""
        return sum((position.value for position in self.positions()), Money.zero(self.currency))

    def _known(self, sku: Sku | str) -> Sku:
        sku = _as_sku(sku)
        if sku not in self._names:
            raise CatalogError(f"{sku} is not in the catalog; add_product({sku.code!r}, ...) first")
        return sku

    def __len__(self) -> int:
        return len(self._names)

    def __iter__(self) -> Iterator[Sku]:
        return iter(sorted(self._names))

    def __contains__(self, item: object) -> bool:
        # ``in`` answers a question, so a malformed code is simply not there rather than an error.
        # practice 1: answer `in` for a Sku or its code, never raising
        # hint: turn a str into a Sku first; a malformed code (InvalidSkuError) is simply not in
        # hint: the catalog, and anything that is neither a Sku nor a str is not either.
        if isinstance(item, str):
            try:
                item = Sku(item)
            except InvalidSkuError:
                return False
        return isinstance(item, Sku) and item in self._names
        # end practice 1

    def __repr__(self) -> str:
        products = pluralise(len(self._names), "product")
        movements = pluralise(len(self._ledger), "movement")
        return f"<Inventory {self.currency}: {products}, {movements}>"


def pluralise(number: int, noun: str) -> str:
    """``number`` with ``noun`` in the singular or plural, for reprs: 1 movement, 2 movements."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _as_sku(sku: Sku | str) -> Sku:
    return sku if isinstance(sku, Sku) else Sku(sku)
