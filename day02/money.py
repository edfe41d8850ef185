"""``Money``: an amount in one currency, exact and rounded to the currency's minor unit.

A value object: immutable, equal when amount and currency are equal, hashable, and usable with
``+``, ``-``, ``*`` and ``<``. The rules it keeps:

- amounts are ``Decimal``, never ``float`` (``0.1 + 0.2`` is not ``0.3`` in binary floating point);
- every amount is rounded half-up to the currency's minor unit (cents for EUR, none for JPY,
  thousandths for KWD) when it is made, so two equal-looking amounts are always equal;
- adding, subtracting and ordering only work within one currency; mixing currencies raises
  :class:`CurrencyMismatchError` instead of guessing an exchange rate. ``==`` never raises:
  ``EUR 1.00`` simply is not equal to ``USD 1.00``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import MappingProxyType

#: ISO 4217 codes this program knows, with the number of digits after the decimal point.
#: The standard library has no currency table, so the common ones are listed here.
MINOR_UNITS: Mapping[str, int] = MappingProxyType(
    {
        "AUD": 2,
        "BHD": 3,
        "CAD": 2,
        "CHF": 2,
        "CZK": 2,
        "DKK": 2,
        "EUR": 2,
        "GBP": 2,
        "JPY": 0,
        "KWD": 3,
        "NOK": 2,
        "PLN": 2,
        "SEK": 2,
        "USD": 2,
    }
)

#: Commercial rounding: half a cent rounds away from zero, as on a till receipt.
ROUNDING = ROUND_HALF_UP

_ISO_CODE = re.compile(r"[A-Z]{3}")


class MoneyError(ValueError):
    """An amount or a currency that cannot be used; the message says what to change."""


class InvalidCurrencyError(MoneyError):
    """A currency code that is malformed or not in :data:`MINOR_UNITS`."""


class CurrencyMismatchError(MoneyError):
    """Two amounts in different currencies were added, subtracted or compared."""


def check_currency(code: str) -> str:
    """Return ``code`` if it is a known ISO 4217 currency, else raise InvalidCurrencyError."""
    if not isinstance(code, str) or not _ISO_CODE.fullmatch(code):
        raise InvalidCurrencyError(
            f"currency {code!r} must be an ISO 4217 code: three capital letters, like EUR"
        )
    if code not in MINOR_UNITS:
        raise InvalidCurrencyError(
            f"currency {code!r} is not one this program knows; use one of {', '.join(MINOR_UNITS)}"
        )
    return code


def _quantum(currency: str) -> Decimal:
    """The smallest amount of ``currency``: Decimal('0.01') for EUR, Decimal('1') for JPY."""
    return Decimal(1).scaleb(-MINOR_UNITS[currency])


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount of one currency, rounded half-up to its minor unit.

    Build one with :meth:`Money.of` (accepts ``str``, ``int`` or ``Decimal``); the constructor
    itself takes a ``Decimal`` only, so every field holds the type it is annotated with.
    """

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        check_currency(self.currency)
        if not isinstance(self.amount, Decimal):
            raise TypeError(
                f"Money amount must be a Decimal, got {type(self.amount).__name__} "
                f"{self.amount!r}; use Money.of() to build one from a str or int"
            )
        if not self.amount.is_finite():
            raise MoneyError(f"amount must be a finite number, got {self.amount}")
        try:
            rounded = self.amount.quantize(_quantum(self.currency), rounding=ROUNDING)
        except InvalidOperation:
            raise MoneyError(f"amount {self.amount} is too large to hold exactly") from None
        # -0.004 rounds to -0.00; store it as 0.00 so it never prints with a minus sign.
        if rounded.is_zero():
            rounded = abs(rounded)
        # A frozen dataclass can still set its own fields during construction this way.
        object.__setattr__(self, "amount", rounded)

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Money from a Decimal, an int or a decimal string such as ``"12.50"``.

        Floats are refused: most decimal fractions (0.10 among them) have no exact binary form.
        """
        if isinstance(amount, bool) or not isinstance(amount, Decimal | int | str):
            raise TypeError(
                f"Money.of() takes a Decimal, int or str amount, not "
                f"{type(amount).__name__} {amount!r}; write the amount as a string, e.g. '0.10'"
            )
        try:
            value = Decimal(amount.strip() if isinstance(amount, str) else amount)
        except InvalidOperation:
            raise MoneyError(f"amount {amount!r} is not a number; write it like '12.50'") from None
        return cls(value, currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Nothing, in ``currency``: the start value for ``sum(amounts, Money.zero("EUR"))``."""
        return cls(Decimal(0), currency)

    def is_zero(self) -> bool:
        """Whether this is no money at all."""
        return self.amount.is_zero()

    def as_dict(self) -> dict[str, str]:
        """A JSON-ready form, the amount as a string so no digit is lost to a float."""
        return {"amount": str(self.amount), "currency": self.currency}

    def _same_currency(self, other: Money, operation: str) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatchError(
                f"cannot {operation} {self} and {other}: convert one currency to the other first"
            )

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "add")
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "subtract")
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: object) -> Money:
        # Money times Money means nothing, and a float factor would bring binary error back in.
        if isinstance(factor, bool) or not isinstance(factor, int | Decimal):
            return NotImplemented
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "compare")
        return self.amount < other.amount

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "compare")
        return self.amount <= other.amount

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "compare")
        return self.amount > other.amount

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "compare")
        return self.amount >= other.amount

    def __str__(self) -> str:
        return f"{self.currency} {self.amount}"
