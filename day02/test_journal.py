"""The MovementSink protocol and its two implementations, which never inherit from it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from day02.inventory import InsufficientStockError, Ledger, MovementSink, Sku, StockMovement
from day02.journal import JsonLinesJournal, MovementLog
from day02.money import Money

TEA = Sku("TEA-001")
ARRIVAL = StockMovement.receipt(TEA, 5, Money.of("3.20", "EUR"), "PO-1")
DEPARTURE = StockMovement.shipment(TEA, 2, "order 7")
TOO_MANY = StockMovement.shipment(TEA, 99)


@pytest.mark.parametrize(
    "sink", [MovementLog(), JsonLinesJournal(io.StringIO())], ids=["log", "jsonl"]
)
def test_each_sink_satisfies_the_protocol_without_inheriting_from_it(sink: object) -> None:
    assert isinstance(sink, MovementSink)
    assert MovementSink not in type(sink).__mro__, f"{type(sink).__name__} inherits the protocol"


def test_an_object_without_accept_is_not_a_movement_sink() -> None:
    assert not isinstance(io.StringIO(), MovementSink)


def test_any_class_with_an_accept_method_can_listen_to_a_ledger() -> None:
    seen: list[str] = []

    class KindRecorder:  # no base class, no import of MovementSink
        def accept(self, movement: StockMovement) -> None:
            seen.append(movement.kind)

    ledger = Ledger("EUR", sinks=[KindRecorder()])
    ledger.record(ARRIVAL)
    ledger.record(DEPARTURE)
    assert seen == ["receipt", "shipment"]


def test_the_movement_log_keeps_what_the_ledger_recorded_in_order() -> None:
    log = MovementLog()
    ledger = Ledger("EUR", sinks=[log])
    ledger.record(ARRIVAL)
    ledger.record(DEPARTURE)
    assert log.movements == ledger.movements == (ARRIVAL, DEPARTURE)
    assert len(log) == 2 and repr(log) == "<MovementLog: 2 movements>"


def test_the_journal_writes_one_json_object_per_recorded_movement() -> None:
    stream = io.StringIO()
    ledger = Ledger("EUR", sinks=[JsonLinesJournal(stream)])
    ledger.record(ARRIVAL)
    ledger.record(DEPARTURE)
    lines = stream.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == [ARRIVAL.as_dict(), DEPARTURE.as_dict()]


def test_the_journal_keeps_amounts_as_exact_strings_with_their_currency() -> None:
    stream = io.StringIO()
    JsonLinesJournal(stream).accept(ARRIVAL)
    assert json.loads(stream.getvalue())["unit_cost"] == {"amount": "3.20", "currency": "EUR"}


def test_every_sink_hears_each_movement_and_none_hears_a_refused_one() -> None:
    log, stream = MovementLog(), io.StringIO()
    ledger = Ledger("EUR", sinks=[log, JsonLinesJournal(stream)])
    ledger.record(ARRIVAL)
    with pytest.raises(InsufficientStockError):
        ledger.record(TOO_MANY)
    assert log.movements == (ARRIVAL,)
    assert len(stream.getvalue().splitlines()) == 1, stream.getvalue()


def test_runtime_checkable_looks_only_for_the_method_not_its_signature() -> None:
    class WrongSignature:
        def accept(self) -> None:  # takes no movement: would fail when called
            pass

    assert isinstance(WrongSignature(), MovementSink)


def test_the_journal_writes_non_ascii_notes_as_they_are() -> None:
    stream = io.StringIO()
    JsonLinesJournal(stream).accept(StockMovement.shipment(TEA, 1, "café order"))
    assert '"note": "café order"' in stream.getvalue(), stream.getvalue()


def test_a_journal_names_the_file_it_writes_to(tmp_path: Path) -> None:
    path = tmp_path / "movements.jsonl"
    with path.open("w", encoding="utf-8") as stream:
        on_file = repr(JsonLinesJournal(stream))

    assert on_file == f"<JsonLinesJournal to {path}>"
    assert repr(JsonLinesJournal(io.StringIO())) == "<JsonLinesJournal to StringIO>"
