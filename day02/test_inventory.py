"""SKUs, movements, the ledger's invariants, weighted average cost, and the inventory container."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from day02.inventory import (
    CatalogError,
    InsufficientStockError,
    InvalidMovementError,
    InvalidSkuError,
    Inventory,
    Ledger,
    MovementKind,
    Sku,
    StockMovement,
    StockPosition,
)
from day02.journal import MovementLog
from day02.money import CurrencyMismatchError, InvalidCurrencyError, Money

TEA = Sku("TEA-001")
MUG = Sku("MUG-010")


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def receipt(quantity: int, cost: str, sku: Sku = TEA) -> StockMovement:
    return StockMovement.receipt(sku, quantity, eur(cost))


def shipment(quantity: int, sku: Sku = TEA) -> StockMovement:
    return StockMovement.shipment(sku, quantity)


def ledger_with(*movements: StockMovement) -> Ledger:
    ledger = Ledger("EUR")
    for movement in movements:
        ledger.record(movement)
    return ledger


def stocked_inventory() -> Inventory:
    inventory = Inventory("EUR")
    inventory.add_product("TEA-001", "Sencha green tea")
    inventory.add_product("MUG-010", "Stoneware mug")
    inventory.receive("TEA-001", 10, eur("3.00"))
    return inventory


# Sku


@pytest.mark.parametrize("code", ["TEA-001", "AB-123", "ABCDE-123456"])
def test_a_well_formed_sku_is_accepted_and_prints_as_its_code(code: str) -> None:
    assert str(Sku(code)) == code


@pytest.mark.parametrize(
    "code",
    ["tea-001", "TEA001", "T-001", "TOOLONG-001", "TEA-01", "TEA-1234567", " TEA-001", ""],
)
def test_a_malformed_sku_is_refused_with_the_expected_format(code: str) -> None:
    with pytest.raises(InvalidSkuError, match="like TEA-001"):
        Sku(code)


def test_skus_are_equal_by_code_and_hash_alike() -> None:
    assert Sku("TEA-001") == TEA and len({Sku("TEA-001"), TEA, MUG}) == 2


def test_skus_sort_by_code() -> None:
    assert sorted([TEA, Sku("AB-999"), MUG]) == [Sku("AB-999"), MUG, TEA]


# StockMovement: a malformed movement cannot be made


def test_a_receipt_without_a_unit_cost_is_refused() -> None:
    with pytest.raises(InvalidMovementError, match="needs a unit cost"):
        StockMovement(TEA, MovementKind.RECEIPT, 5)


def test_a_receipt_with_a_negative_unit_cost_is_refused() -> None:
    with pytest.raises(InvalidMovementError, match="less than nothing"):
        receipt(5, "-0.01")


def test_a_shipment_with_a_unit_cost_is_refused_because_it_ships_at_average_cost() -> None:
    with pytest.raises(InvalidMovementError, match="average cost; leave unit_cost out"):
        StockMovement(TEA, MovementKind.SHIPMENT, 5, eur("1.00"))


@pytest.mark.parametrize("kind", [MovementKind.RECEIPT, MovementKind.SHIPMENT])
@pytest.mark.parametrize("quantity", [0, -3])
def test_receipts_and_shipments_need_a_positive_quantity(kind: MovementKind, quantity: int) -> None:
    cost = eur("1.00") if kind is MovementKind.RECEIPT else None
    with pytest.raises(InvalidMovementError, match="positive quantity"):
        StockMovement(TEA, kind, quantity, cost)


@pytest.mark.parametrize("quantity", [2.5, True, "3"], ids=["float", "bool", "str"])
def test_a_quantity_must_be_a_whole_number(quantity: object) -> None:
    with pytest.raises(InvalidMovementError, match="whole number"):
        StockMovement.shipment(TEA, quantity)  # type: ignore[arg-type]


def test_an_adjustment_must_change_the_count() -> None:
    with pytest.raises(InvalidMovementError, match="must change the count"):
        StockMovement.adjustment(TEA, 0, "recount")


def test_an_adjustment_must_say_why() -> None:
    with pytest.raises(InvalidMovementError, match="needs a note saying why"):
        StockMovement.adjustment(TEA, -2, "  ")


@pytest.mark.parametrize(
    ("movement", "expected"),
    [
        (StockMovement.receipt(TEA, 4, Money.of("1", "EUR")), 4),
        (StockMovement.shipment(TEA, 4), -4),
        (StockMovement.adjustment(TEA, -4, "broken"), -4),
        (StockMovement.adjustment(TEA, 4, "found"), 4),
    ],
)
def test_change_is_the_signed_effect_on_units_on_hand(
    movement: StockMovement, expected: int
) -> None:
    assert movement.change == expected


def test_a_movement_repr_rebuilds_an_equal_movement() -> None:
    movement = StockMovement.receipt(TEA, 4, eur("3.20"), "PO-1")
    namespace = {
        "StockMovement": StockMovement,
        "Sku": Sku,
        "MovementKind": MovementKind,
        "Money": Money,
        "Decimal": Decimal,
    }
    assert eval(repr(movement), namespace) == movement, repr(movement)


def test_a_recorded_movement_cannot_be_edited() -> None:
    ledger = ledger_with(receipt(5, "1.00"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        ledger.movements[0].quantity = 500  # type: ignore[misc]


# Ledger invariants: each refused movement raises and leaves the ledger as it was


def assert_refused_without_change(
    ledger: Ledger, movement: StockMovement, error: type[Exception], message: str
) -> None:
    movements, positions = ledger.movements, ledger.positions()
    with pytest.raises(error, match=message):
        ledger.record(movement)
    assert ledger.movements == movements, "a refused movement was appended"
    assert ledger.positions() == positions, "a refused movement changed a position"


def test_shipping_more_than_is_on_hand_is_refused_and_changes_nothing() -> None:
    ledger = ledger_with(receipt(7, "2.00"))
    assert_refused_without_change(
        ledger, shipment(8), InsufficientStockError, r"cannot ship 8 × TEA-001: only 7 on hand"
    )


def test_writing_off_more_than_is_on_hand_is_refused_and_changes_nothing() -> None:
    ledger = ledger_with(receipt(3, "2.00"))
    assert_refused_without_change(
        ledger,
        StockMovement.adjustment(TEA, -4, "lost"),
        InsufficientStockError,
        r"cannot write off 4 × TEA-001: only 3 on hand",
    )


def test_shipping_a_sku_that_never_arrived_is_refused() -> None:
    ledger = ledger_with(receipt(3, "2.00"))
    assert_refused_without_change(ledger, shipment(1, MUG), InsufficientStockError, "only 0")


def test_a_cost_in_another_currency_is_refused_and_changes_nothing() -> None:
    ledger = ledger_with(receipt(3, "2.00"))
    dollars = StockMovement.receipt(TEA, 1, Money.of("2.00", "USD"))
    assert_refused_without_change(
        ledger, dollars, CurrencyMismatchError, "this ledger keeps EUR; convert"
    )


def test_adjusting_up_from_zero_is_refused_because_there_is_no_cost_to_use() -> None:
    ledger = ledger_with(receipt(2, "2.00"), shipment(2))
    assert_refused_without_change(
        ledger,
        StockMovement.adjustment(TEA, 1, "found one"),
        InvalidMovementError,
        r"^cannot adjust TEA-001 up from zero: there is no average cost to value it at; "
        r"record a receipt with a unit cost instead$",
    )


def test_a_refused_movement_reaches_no_sink() -> None:
    log = MovementLog()
    ledger = Ledger("EUR", sinks=[log])
    ledger.record(receipt(1, "1.00"))
    with pytest.raises(InsufficientStockError):
        ledger.record(shipment(2))
    assert log.movements == (receipt(1, "1.00"),)


def test_a_correction_is_a_new_movement_and_history_stays_as_written() -> None:
    first = receipt(10, "1.00")
    ledger = ledger_with(first)
    ledger.record(StockMovement.adjustment(TEA, -2, "miscounted delivery"))
    assert ledger.movements[0] == first and len(ledger) == 2
    assert ledger.position(TEA).quantity == 8


def test_the_movements_view_is_a_snapshot_that_recording_does_not_change() -> None:
    ledger = ledger_with(receipt(1, "1.00"))
    snapshot = ledger.movements
    ledger.record(receipt(1, "1.00"))
    assert len(snapshot) == 1 and len(ledger.movements) == 2


def test_a_ledger_in_an_unknown_currency_cannot_be_opened() -> None:
    with pytest.raises(InvalidCurrencyError):
        Ledger("XXX")


# Derived totals and weighted average cost


def test_units_on_hand_are_the_sum_of_the_movements() -> None:
    movements = [receipt(10, "1.00"), shipment(3), receipt(5, "2.00"), shipment(4)]
    ledger = ledger_with(*movements)
    expected = sum(movement.change for movement in movements)
    assert ledger.position(TEA).quantity == expected


def test_receipts_at_different_costs_average_by_quantity() -> None:
    ledger = ledger_with(receipt(40, "3.20"), receipt(20, "3.50"))
    position = ledger.position(TEA)
    assert position.value == eur("198.00")  # 40 × 3.20 + 20 × 3.50
    assert position.average_cost == eur("3.30")


def test_a_shipment_takes_value_out_at_the_average_cost() -> None:
    ledger = ledger_with(receipt(40, "3.20"), receipt(20, "3.50"))
    posting = ledger.record(shipment(35))
    assert posting.value_change == eur("-115.50")  # 35 × 3.30
    assert posting.after.quantity == 25 and posting.after.value == eur("82.50")


def test_an_upward_adjustment_is_valued_at_the_average_cost() -> None:
    ledger = ledger_with(receipt(4, "2.50"))
    posting = ledger.record(StockMovement.adjustment(TEA, 2, "found behind the shelf"))
    assert posting.value_change == eur("5.00") and posting.after.average_cost == eur("2.50")


def test_an_adjustment_that_doubles_the_count_is_valued_at_the_average_cost() -> None:
    ledger = ledger_with(receipt(3, "2.00"))
    posting = ledger.record(StockMovement.adjustment(TEA, 3, "a second carton was miscounted"))
    assert (posting.value_change, posting.after.value) == (eur("6.00"), eur("12.00")), posting


def test_shipping_everything_out_costs_exactly_what_came_in() -> None:
    # 5.00 over 3 units cannot split evenly into cents; the carried value absorbs the remainder.
    ledger = ledger_with(receipt(1, "1.00"), receipt(2, "2.00"))
    taken = [ledger.record(shipment(1)).value_change for _ in range(3)]
    # 5.00 / 3 and then 3.33 / 2 round half up to 1.67; the last unit takes what is left.
    assert taken == [eur("-1.67"), eur("-1.67"), eur("-1.66")], f"shipment costs {taken}"
    assert sum(taken, Money.zero("EUR")) == eur("-5.00"), f"shipment costs {taken}"
    assert ledger.position(TEA).value.is_zero()


def test_an_empty_position_has_no_average_cost() -> None:
    ledger = ledger_with(receipt(2, "2.00"), shipment(2))
    assert ledger.position(TEA).average_cost is None


def test_positions_list_each_moved_sku_once_in_sku_order() -> None:
    ledger = ledger_with(receipt(5, "1.00"), receipt(3, "4.00", MUG), shipment(2), shipment(1, MUG))
    assert ledger.positions() == [ledger.position(MUG), ledger.position(TEA)]
    assert [(p.sku, p.quantity) for p in ledger.positions()] == [(MUG, 2), (TEA, 3)]


def test_running_balances_agree_with_a_replay_of_the_whole_history() -> None:
    ledger = ledger_with(
        receipt(40, "3.20"),
        receipt(12, "7.25", MUG),
        receipt(20, "3.50"),
        shipment(35),
        StockMovement.adjustment(MUG, -1, "chipped"),
        shipment(3),
        receipt(1, "0.99", MUG),
    )
    assert ledger.replay() == ledger.positions()
    assert ledger.positions()[1].value == eur("72.60"), ledger.positions()


class CountingLedger(Ledger):
    """A ledger that counts how often a movement is applied to a balance."""

    def __init__(self) -> None:
        super().__init__("EUR")
        self.applied = 0

    def _apply(self, position: StockPosition, movement: StockMovement) -> StockPosition:
        self.applied += 1
        return super()._apply(position, movement)


def test_recording_applies_only_the_new_movement_however_long_the_history() -> None:
    ledger = CountingLedger()
    for _ in range(100):
        ledger.record(receipt(2, "1.00"))
        ledger.record(shipment(1))
    assert ledger.applied == 200, "record() replayed the history: O(n) per movement, O(n²) in all"
    ledger.position(TEA), ledger.positions()
    assert ledger.applied == 200, "reading a position replayed the history"
    assert ledger.position(TEA).quantity == 100


def test_a_replay_applies_each_movement_once() -> None:
    ledger = CountingLedger()
    for _ in range(50):
        ledger.record(receipt(1, "1.00"))
    ledger.applied = 0
    ledger.replay()
    assert ledger.applied == 50


def test_ledger_len_iter_and_repr() -> None:
    movements = [receipt(5, "1.00"), shipment(2)]
    ledger = ledger_with(*movements)
    assert len(ledger) == 2 and list(ledger) == movements
    assert repr(ledger) == "<Ledger EUR: 2 movements>"


# Inventory: a catalog composed with a ledger


def test_len_counts_the_products_in_the_catalog() -> None:
    assert len(stocked_inventory()) == 2


def test_iterating_yields_skus_in_order() -> None:
    assert list(stocked_inventory()) == [MUG, TEA]


@pytest.mark.parametrize(
    ("item", "expected"),
    [(TEA, True), ("TEA-001", True), ("MUG-010", True), ("TEA-999", False), (Sku("AB-123"), False)],
)
def test_in_accepts_a_sku_or_its_code(item: object, expected: bool) -> None:
    assert (item in stocked_inventory()) is expected


@pytest.mark.parametrize(
    "item", ["tea-001", "", 42, None], ids=["lowercase", "empty", "int", "none"]
)
def test_in_answers_false_for_things_that_are_not_skus(item: object) -> None:
    assert item not in stocked_inventory()


def test_in_agrees_with_iteration() -> None:
    inventory = stocked_inventory()
    assert all(sku in inventory for sku in inventory)


def test_repr_summarises_currency_products_and_movements() -> None:
    assert repr(stocked_inventory()) == "<Inventory EUR: 2 products, 1 movement>"
    assert repr(Inventory("JPY")) == "<Inventory JPY: 0 products, 0 movements>"


def test_a_product_can_be_added_only_once() -> None:
    inventory = stocked_inventory()
    with pytest.raises(CatalogError, match="already in the catalog as 'Sencha green tea'"):
        inventory.add_product(TEA, "Other tea")
    assert inventory.name_of(TEA) == "Sencha green tea"


def test_a_product_needs_a_name() -> None:
    with pytest.raises(CatalogError, match="must not be blank"):
        Inventory("EUR").add_product("TEA-001", " ")


def test_moving_stock_of_a_product_not_in_the_catalog_is_refused_and_changes_nothing() -> None:
    inventory = stocked_inventory()
    before = inventory.movements
    with pytest.raises(CatalogError, match=r"add_product\('BAG-100', \.\.\.\) first"):
        inventory.receive("BAG-100", 5, eur("1.00"))
    assert inventory.movements == before


def test_a_malformed_code_passed_to_an_inventory_method_is_refused() -> None:
    with pytest.raises(InvalidSkuError):
        stocked_inventory().ship("tea-001", 1)


def test_a_refused_shipment_leaves_the_inventory_unchanged() -> None:
    inventory = stocked_inventory()
    movements, positions = inventory.movements, inventory.positions()
    with pytest.raises(InsufficientStockError):
        inventory.ship("TEA-001", 11)
    assert inventory.movements == movements and inventory.positions() == positions


def test_positions_list_every_product_untouched_ones_at_zero() -> None:
    positions = {position.sku: position for position in stocked_inventory().positions()}
    assert positions[MUG].quantity == 0 and positions[MUG].value == eur("0")
    assert positions[TEA].quantity == 10


def test_the_position_of_one_product_is_asked_by_sku_or_by_code() -> None:
    inventory = stocked_inventory()

    assert inventory.position("TEA-001") == inventory.position(TEA)
    assert (inventory.position(TEA).quantity, inventory.position(TEA).value) == (10, eur("30.00"))
    assert inventory.position("MUG-010").quantity == 0
    with pytest.raises(CatalogError, match=r"^BAG-100 is not in the catalog"):
        inventory.position("BAG-100")


def test_total_value_is_the_sum_of_the_positions() -> None:
    inventory = stocked_inventory()
    inventory.add_product("BAG-100", "Tote bag")
    inventory.receive("BAG-100", 3, eur("4.10"))
    inventory.receive("MUG-010", 2, eur("7.25"))
    expected = sum((p.value for p in inventory.positions()), Money.zero("EUR"))
    assert inventory.total_value() == expected == eur("56.80")


def test_inventory_positions_sort_by_value_because_money_is_ordered() -> None:
    inventory = stocked_inventory()
    inventory.receive("MUG-010", 10, eur("7.25"))
    by_value = sorted(inventory.positions(), key=lambda position: position.value, reverse=True)
    assert [position.sku for position in by_value] == [MUG, TEA]


# What a movement says about itself


def test_a_malformed_sku_is_refused_with_the_whole_rule_in_one_sentence() -> None:
    with pytest.raises(InvalidSkuError) as error:
        Sku("tea-1")

    assert str(error.value) == (
        "SKU 'tea-1' must be 2-5 capital letters, a dash and 3-6 digits, like TEA-001"
    )


def test_a_movement_needs_a_sku_object_not_its_code() -> None:
    with pytest.raises(InvalidMovementError) as error:
        StockMovement("TEA-001", MovementKind.SHIPMENT, 1)  # type: ignore[arg-type]

    assert str(error.value) == "sku must be a Sku, got 'TEA-001'"


def test_a_free_receipt_is_accepted() -> None:
    movement = StockMovement.receipt(TEA, 3, eur("0.00"))

    assert movement.unit_cost == eur("0.00")


def test_a_movement_without_a_note_has_an_empty_one_in_its_json_form() -> None:
    inventory = stocked_inventory()

    posted = [
        inventory.ship("TEA-001", 1).movement,
        inventory.receive("TEA-001", 2, eur("3.00")).movement,
    ]

    assert [movement.as_dict() for movement in posted] == [
        {"sku": "TEA-001", "kind": "shipment", "quantity": 1, "unit_cost": None, "note": ""},
        {
            "sku": "TEA-001",
            "kind": "receipt",
            "quantity": 2,
            "unit_cost": eur("3.00").as_dict(),
            "note": "",
        },
    ]
    assert StockMovement.receipt(TEA, 1, eur("1.00")).note == ""
    assert StockMovement.shipment(TEA, 1).note == ""
