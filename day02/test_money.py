"""Money as a value object: equality, hashing, rounding, arithmetic and ordering in one currency."""

from __future__ import annotations

import dataclasses
import operator
from decimal import Decimal

import pytest

from day02.money import (
    MINOR_UNITS,
    CurrencyMismatchError,
    InvalidCurrencyError,
    Money,
    MoneyError,
)


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


# Value semantics


def test_amounts_written_differently_but_worth_the_same_are_equal() -> None:
    assert eur("12.5") == eur("12.50") == Money.of(Decimal("12.500"), "EUR")


def test_the_same_amount_in_two_currencies_is_unequal_without_raising() -> None:
    assert eur("1.00") != Money.of("1.00", "USD")


def test_money_is_never_equal_to_a_bare_number() -> None:
    assert eur("1.00") != Decimal("1.00")


def test_equal_amounts_hash_alike_so_a_set_keeps_one() -> None:
    amounts = {eur("3.5"), eur("3.50"), Money.of(Decimal("3.5000"), "EUR"), eur("4.00")}
    assert amounts == {eur("3.50"), eur("4.00")}, f"got {amounts}"


def test_money_works_as_a_dict_key() -> None:
    prices = {eur("9.99"): "paperback"}
    assert prices[Money.of("9.990", "EUR")] == "paperback"


def test_money_cannot_be_changed_after_it_is_made() -> None:
    price = eur("2.00")
    with pytest.raises(dataclasses.FrozenInstanceError):
        price.amount = Decimal("0.01")  # type: ignore[misc]


def test_repr_is_an_expression_that_rebuilds_an_equal_value() -> None:
    price = Money.of("-7.25", "GBP")
    rebuilt = eval(repr(price), {"Money": Money, "Decimal": Decimal})
    assert rebuilt == price, f"repr {price!r} rebuilt {rebuilt!r}"


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("12.5", "EUR", "EUR 12.50"),
        ("-3", "USD", "USD -3.00"),
        ("1200", "JPY", "JPY 1200"),
        ("1.5", "KWD", "KWD 1.500"),
        ("1E+3", "EUR", "EUR 1000.00"),
    ],
)
def test_str_shows_the_currency_then_every_minor_digit(
    amount: str, currency: str, expected: str
) -> None:
    assert str(Money.of(amount, currency)) == expected


# Rounding to minor units


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("0.125", "EUR", "0.13"),
        ("0.124", "EUR", "0.12"),
        ("-0.125", "EUR", "-0.13"),
        ("2.675", "GBP", "2.68"),
        ("100.5", "JPY", "101"),
        ("99.4", "JPY", "99"),
        ("1.0005", "KWD", "1.001"),
    ],
)
def test_amounts_round_half_up_to_the_currency_minor_unit(
    amount: str, currency: str, expected: str
) -> None:
    rounded = Money.of(amount, currency).amount
    assert rounded == Decimal(expected) and str(rounded) == expected, (
        f"{amount} {currency}: expected {expected}, got {rounded}"
    )


def test_a_tiny_negative_amount_rounds_to_zero_without_a_minus_sign() -> None:
    assert str(eur("-0.004")) == "EUR 0.00"


def test_every_known_currency_rounds_to_its_own_minor_unit() -> None:
    for currency, digits in MINOR_UNITS.items():
        exponent = Money.of("1", currency).amount.as_tuple().exponent
        assert exponent == -digits, f"{currency}: expected {digits} decimals, got {-exponent}"


# Arithmetic


def test_adding_and_subtracting_in_one_currency() -> None:
    assert eur("10.10") + eur("0.20") == eur("10.30")
    assert eur("10.10") - eur("10.20") == eur("-0.10")


def test_decimal_arithmetic_has_no_binary_float_error() -> None:
    assert eur("0.10") + eur("0.20") == eur("0.30")


def test_negating_flips_the_sign_and_keeps_the_currency() -> None:
    assert -eur("2.50") == eur("-2.50") and -eur("-2.50") == eur("2.50")
    assert str(-Money.zero("EUR")) == "EUR 0.00"


def test_sum_needs_a_zero_in_the_currency_to_start_from() -> None:
    total = sum([eur("1.10"), eur("2.20"), eur("3.30")], Money.zero("EUR"))
    assert total == eur("6.60")


def test_multiplying_by_a_whole_number_is_exact_either_way_round() -> None:
    assert eur("3.20") * 40 == 40 * eur("3.20") == eur("128.00")


def test_multiplying_by_a_decimal_rounds_the_product_to_cents() -> None:
    assert eur("0.10") * Decimal("0.05") == eur("0.01")  # 0.005 rounds half-up
    assert eur("19.99") * Decimal("0.2") == eur("4.00")  # 3.998


@pytest.mark.parametrize("factor", [1.5, True, "2"], ids=["float", "bool", "str"])
def test_multiplying_by_anything_but_an_int_or_decimal_is_a_type_error(factor: object) -> None:
    with pytest.raises(TypeError):
        eur("1.00") * factor  # type: ignore[operator]


def test_multiplying_money_by_money_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        eur("1.00") * eur("2.00")  # type: ignore[operator]


def test_adding_a_bare_number_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        eur("1.00") + 1  # type: ignore[operator]


@pytest.mark.parametrize(
    ("combine", "verb"), [(operator.add, "add"), (operator.sub, "subtract")], ids=["add", "sub"]
)
def test_arithmetic_across_currencies_raises_naming_both_amounts(
    combine: object, verb: str
) -> None:
    with pytest.raises(CurrencyMismatchError) as error:
        combine(eur("1.00"), Money.of("2.00", "USD"))  # type: ignore[operator]

    assert str(error.value) == (
        f"cannot {verb} EUR 1.00 and USD 2.00: convert one currency to the other first"
    )


# Ordering


def test_amounts_in_one_currency_sort_by_value() -> None:
    amounts = [eur("10.00"), eur("-1.00"), eur("2.50"), eur("2.5")]
    assert sorted(amounts) == [eur("-1.00"), eur("2.50"), eur("2.50"), eur("10.00")]


def test_every_comparison_operator_works_within_one_currency() -> None:
    low, high = eur("1.99"), eur("2.00")
    assert low < high and low <= high and high > low and high >= low
    assert low <= eur("1.99") and low >= eur("1.99")
    assert not (high < low or high <= low or low > high or low >= high)


@pytest.mark.parametrize("compare", [operator.lt, operator.le, operator.gt, operator.ge])
def test_ordering_across_currencies_raises(compare: object) -> None:
    with pytest.raises(CurrencyMismatchError, match="cannot compare"):
        compare(eur("1.00"), Money.of("1.00", "USD"))  # type: ignore[operator]


def test_sorting_a_list_that_mixes_currencies_raises_instead_of_guessing() -> None:
    with pytest.raises(CurrencyMismatchError):
        sorted([eur("5.00"), Money.of("1.00", "GBP"), eur("1.00")])


@pytest.mark.parametrize("compare", [operator.lt, operator.le, operator.gt, operator.ge])
def test_comparing_with_a_bare_number_is_a_type_error(compare: object) -> None:
    with pytest.raises(TypeError, match="not supported between instances of 'Money' and 'int'"):
        compare(eur("1.00"), 2)  # type: ignore[operator]


def test_an_amount_is_neither_less_nor_greater_than_itself() -> None:
    price = eur("1.99")
    assert not (price < price or price > price)
    assert price <= price and price >= price


# Bad input


def test_a_float_amount_is_refused_with_a_hint_to_use_a_string() -> None:
    with pytest.raises(TypeError, match=r"write the amount as a string, e\.g\. '0\.10'"):
        Money.of(0.1, "EUR")  # type: ignore[arg-type]


def test_a_bool_amount_is_refused() -> None:
    with pytest.raises(TypeError, match="not bool"):
        Money.of(True, "EUR")


def test_text_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(MoneyError, match=r"amount 'twelve' is not a number"):
        Money.of("twelve", "EUR")


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity"])
def test_amounts_that_are_not_finite_are_refused(amount: str) -> None:
    with pytest.raises(MoneyError, match="finite"):
        Money.of(amount, "EUR")


def test_an_amount_too_large_to_hold_to_the_cent_is_refused() -> None:
    with pytest.raises(MoneyError, match="too large"):
        Money.of("1E+40", "EUR")


def test_the_constructor_takes_a_decimal_and_points_to_money_of_otherwise() -> None:
    with pytest.raises(TypeError, match=r"got str .*use Money\.of\(\)"):
        Money("1.00", "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["eur", "EURO", "E1R", "", "EU"])
def test_a_malformed_currency_code_is_refused(code: str) -> None:
    with pytest.raises(InvalidCurrencyError, match="three capital letters, like EUR"):
        Money.of("1", code)


def test_an_unknown_currency_code_is_refused_listing_the_known_ones() -> None:
    with pytest.raises(InvalidCurrencyError, match=r"'XYZ' is not one .* EUR, GBP"):
        Money.of("1", "XYZ")


# What Python does on its own (the lesson's surprises)


def test_a_plain_dataclass_with_eq_is_unhashable_and_a_frozen_one_hashes() -> None:
    @dataclasses.dataclass
    class Mutable:
        amount: int

    @dataclasses.dataclass(frozen=True)
    class Frozen:
        amount: int

    assert Mutable.__hash__ is None
    with pytest.raises(TypeError, match="unhashable"):
        hash(Mutable(1))
    assert hash(Frozen(1)) == hash(Frozen(1))


def test_decimal_and_round_default_to_bankers_rounding_which_money_does_not_use() -> None:
    assert Decimal("0.125").quantize(Decimal("0.01")) == Decimal("0.12")
    assert round(0.125, 2) == 0.12  # 0.125 is exact in binary, so this is the tie rule too
    assert eur("0.125") == eur("0.13")
