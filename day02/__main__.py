"""``python -m day02``: a scripted day in a tea shop's stockroom, then a stock and value report.

Stock is received and shipped, one shipment asks for more than is on hand and is refused (the
ledger is checked to be unchanged), and the report lists each product at weighted average cost.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, NoReturn

from day02.inventory import (
    Inventory,
    InventoryError,
    MovementSink,
    Posting,
    Sku,
    StockMovement,
    StockPosition,
)
from day02.journal import JsonLinesJournal, MovementLog
from day02.money import InvalidCurrencyError, Money, check_currency

PROG = "python -m day02"

CATALOG = (
    ("TEA-001", "Sencha green tea, 100 g"),
    ("TEA-002", "Assam black tea, 250 g"),
    ("MUG-010", "Stoneware mug"),
)

#: More mugs than the story leaves on hand, so this shipment must be refused.
REFUSED_SHIPMENT = StockMovement.shipment(Sku("MUG-010"), 10, "order 5004")

_VERBS = {"receipt": "received", "shipment": "shipped", "adjustment": "adjusted"}


class OneLineArgumentParser(argparse.ArgumentParser):
    """argparse, but a bad argument is reported in one line (no usage dump), exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def currency_code(text: str) -> str:
    """argparse type for ``--currency``: an ISO 4217 code, any case (``eur`` means EUR)."""
    try:
        return check_currency(text.strip().upper())
    except InvalidCurrencyError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    """The command line: currency, output format and an optional journal file."""
    parser = OneLineArgumentParser(
        prog=PROG,
        description=(
            "Run a scripted day of stock movements through an append-only ledger and print "
            "what is on hand, valued at weighted average cost."
        ),
    )
    parser.add_argument(
        "--currency",
        type=currency_code,
        default="EUR",
        metavar="CODE",
        help="ISO 4217 currency for costs and values (default: EUR; try JPY for no decimals)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--journal",
        metavar="FILE",
        help="also write each recorded movement to FILE as JSON Lines (overwritten)",
    )
    return parser


@dataclass(frozen=True)
class Refusal:
    """The movement the ledger turned down, why, and whether the ledger stayed as it was."""

    movement: StockMovement
    reason: str
    ledger_unchanged: bool


@dataclass(frozen=True)
class StoryResult:
    """Everything the report needs from one run of the story."""

    inventory: Inventory
    postings: list[Posting]
    refusal: Refusal
    heard_by_log: int


def run_story(currency: str, sinks: Sequence[MovementSink] = ()) -> StoryResult:
    """Receive, ship and adjust stock, then try one shipment the ledger must refuse."""
    log = MovementLog()
    inventory = Inventory(currency, sinks=[log, *sinks])
    for code, name in CATALOG:
        inventory.add_product(code, name)

    def cost(amount: str) -> Money:
        return Money.of(amount, currency)

    postings = [
        inventory.receive("TEA-001", 40, cost("3.20"), "PO-1001"),
        inventory.receive("TEA-002", 25, cost("5.10"), "PO-1001"),
        inventory.receive("MUG-010", 12, cost("7.25"), "PO-1002"),
        inventory.receive("TEA-001", 20, cost("3.50"), "PO-1003, new season"),
        inventory.ship("TEA-001", 35, "order 5001"),
        inventory.ship("MUG-010", 5, "order 5002"),
        inventory.adjust("TEA-002", -1, "tin dented in transit"),
        inventory.receive("TEA-002", 10, cost("5.45"), "PO-1004"),
        inventory.ship("TEA-002", 7, "order 5003"),
    ]

    movements_before, positions_before = inventory.movements, inventory.positions()
    try:
        inventory.record(REFUSED_SHIPMENT)
    except InventoryError as exc:
        reason = str(exc)
    else:
        raise AssertionError(f"the ledger accepted {REFUSED_SHIPMENT}, which it must refuse")
    unchanged = (
        inventory.movements == movements_before and inventory.positions() == positions_before
    )
    return StoryResult(inventory, postings, Refusal(REFUSED_SHIPMENT, reason, unchanged), len(log))


def most_valuable_first(inventory: Inventory) -> list[StockPosition]:
    """Positions by stock value, highest first (Money orders itself within one currency)."""
    return sorted(inventory.positions(), key=attrgetter("value"), reverse=True)


def render_text(result: StoryResult) -> str:
    """The story as a readable log followed by a stock table."""
    inventory = result.inventory
    lines = [f"Stockroom ledger in {inventory.currency}", ""]
    for posting in result.postings:
        movement = posting.movement
        what = f"{_VERBS[movement.kind]:<9} {movement.change:>+4} × {movement.sku}"
        at = "" if movement.unit_cost is None else f"at {movement.unit_cost}"
        lines.append(
            f"  {what}  {at:<14} value {posting.value_change!s:<14} "
            f"on hand {posting.after.quantity:>3}  ({movement.note})"
        )
    refusal = result.refusal
    state = "unchanged" if refusal.ledger_unchanged else "CHANGED"
    lines += [
        f"  refused   {refusal.movement.change:>+4} × {refusal.movement.sku}  {refusal.reason}",
        f"  ledger {state}: {len(inventory.movements)} movements, "
        f"{result.heard_by_log} reached the movement log",
        "",
        "Stock on hand at weighted average cost, most valuable first",
        "",
    ]
    header = f"  {'SKU':<8} {'product':<24} {'on hand':>7} {'avg cost':>12} {'value':>14}"
    lines += [header, "  " + "-" * (len(header) - 2)]
    for position in most_valuable_first(inventory):
        average = position.average_cost
        lines.append(
            f"  {position.sku!s:<8} {inventory.name_of(position.sku):<24} "
            f"{position.quantity:>7} {average!s:>12} {position.value!s:>14}"
        )
    total = f"{inventory.total_value()}"
    lines.append(f"  {'total':<8} {'':<24} {'':>7} {'':>12} {total:>14}")
    return "\n".join(lines)


def report_as_dict(result: StoryResult) -> dict[str, Any]:
    """The story and the stock report as JSON-ready data (amounts as strings)."""
    inventory = result.inventory
    return {
        "currency": inventory.currency,
        "movements": [
            {
                **posting.movement.as_dict(),
                "value_change": posting.value_change.as_dict(),
                "on_hand_after": posting.after.quantity,
            }
            for posting in result.postings
        ],
        "refused": {
            "movement": result.refusal.movement.as_dict(),
            "reason": result.refusal.reason,
            "ledger_unchanged": result.refusal.ledger_unchanged,
        },
        "movement_log_heard": result.heard_by_log,
        "stock": [
            {
                "sku": position.sku.code,
                "name": inventory.name_of(position.sku),
                "on_hand": position.quantity,
                "average_cost": None
                if position.average_cost is None
                else position.average_cost.as_dict(),
                "value": position.value.as_dict(),
            }
            for position in most_valuable_first(inventory)
        ],
        "total_value": inventory.total_value().as_dict(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run the story, print the report; 2 for a bad argument."""
    parser = build_parser()
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        sinks: list[MovementSink] = []
        if args.journal:
            try:
                stream = stack.enter_context(open(args.journal, "w", encoding="utf-8"))
            except OSError as exc:
                parser.error(f"argument --journal: cannot write {args.journal!r}: {exc.strerror}")
            sinks.append(JsonLinesJournal(stream))
        result = run_story(args.currency, sinks)
    if args.json:
        print(json.dumps(report_as_dict(result), indent=2, ensure_ascii=False))
    else:
        print(render_text(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
