"""Money in Moroccan dirhams and areas in square metres: exact decimals, never floats.

A float cannot represent 0.10 DH exactly, and a tax computed on floats can be off by a
centime. Both types therefore refuse floats outright and ask for a string or a Decimal.
"""

from __future__ import annotations

import decimal
import re
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Self

from pydantic import BeforeValidator, GetCoreSchemaHandler, PlainSerializer, WithJsonSchema
from pydantic_core import core_schema

from .._errors import InvalidInputError

__all__ = ["AREA_LIMIT", "MONEY_LIMIT", "Area", "Money", "SquareMetres", "to_decimal"]

_CENT = Decimal("0.01")

#: Amounts of money lie strictly between ``-MONEY_LIMIT`` and ``MONEY_LIMIT`` MAD (ten
#: thousand billion dirhams, several times Morocco's yearly GDP): far above any works cost
#: or fee, yet small enough that an amount times a tariff rate stays exact in Decimal's
#: default 28-digit context. A bigger number is a typing slip or an attack, not a permit.
MONEY_LIMIT = Decimal(10) ** 13

#: Areas lie in ``[0, AREA_LIMIT)`` m² (1,000 km², more than any parcel, building or
#: lotissement). An area times a per-m² rate then stays far inside ``MONEY_LIMIT``.
AREA_LIMIT = Decimal(10) ** 9
_PLAIN = re.compile(r"-?[0-9]{1,20}(?:\.[0-9]{1,10})?\Z")


def to_decimal(value: Any, *, what: str) -> Decimal:
    """Parse an exact decimal, refusing floats and non-finite values with a helpful message."""
    if type(value) is str and _PLAIN.match(value):
        # The common case (a JSON decimal string such as "1250.50") skips the clean-up.
        return Decimal(value)
    if isinstance(value, bool):
        raise InvalidInputError(f"{what} must be a number, not a boolean")
    if isinstance(value, float):
        raise InvalidInputError(
            f"{what} must not be a float ({value!r} cannot be represented exactly); "
            f"pass a string such as '{value:.2f}' or a decimal.Decimal"
        )
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        text = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
        try:
            d = Decimal(text)
        except decimal.InvalidOperation:
            raise InvalidInputError(
                f"{what} {value!r} is not a number; write it like '1250.50'"
            ) from None
    else:
        raise InvalidInputError(
            f"{what} must be a decimal string or an integer, got {type(value).__name__}"
        )
    if not d.is_finite():
        raise InvalidInputError(f"{what} must be a finite number, got {value!r}")
    return d


class Money:
    """An exact amount of Moroccan dirhams (MAD) with two decimals.

    >>> Money("1250.5") + Money(10)
    Money('1260.50')

    Arithmetic between Money values is exact; multiplying by a Decimal rate rounds half
    up to the centime (the rounding rule of fees-payments.md §5), explicitly.
    Negative amounts exist (a refund line), but fee amounts are checked non-negative
    where they are produced. Every amount lies strictly between ``-MONEY_LIMIT`` and
    ``MONEY_LIMIT`` (10¹³ MAD); a bigger one, built or computed, raises
    :class:`~rokhas_sdk.InvalidInputError`.
    """

    __slots__ = ("_amount",)
    currency = "MAD"

    def __init__(self, amount: Any) -> None:
        d = to_decimal(amount, what="an amount of money")
        _check_amount(d, amount)
        q = d.quantize(_CENT, rounding=ROUND_HALF_UP)
        if q != d:
            raise InvalidInputError(
                f"an amount of money has at most 2 decimals (centimes), got {amount!r}; "
                f"round it first, e.g. Money.rounded({str(d)!r})"
            )
        self._amount = q

    @classmethod
    def rounded(cls, amount: Any, rounding: str = ROUND_HALF_UP) -> Self:
        """Build from any exact number, rounding to the centime (half up by default)."""
        d = to_decimal(amount, what="an amount of money")
        _check_amount(d, amount)
        return cls(d.quantize(_CENT, rounding=rounding))

    @classmethod
    def zero(cls) -> Self:
        """0.00 MAD."""
        return cls(0)

    @property
    def amount(self) -> Decimal:
        """The amount as a Decimal with exactly two decimals."""
        return self._amount

    def __repr__(self) -> str:
        return f"Money('{self._amount}')"

    def __str__(self) -> str:
        return f"{self._amount} MAD"

    def __format__(self, spec: str) -> str:
        return format(self._amount, spec) if spec else str(self._amount)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Money) and self._amount == other._amount

    def __hash__(self) -> int:
        return hash(("MAD", self._amount))

    def __lt__(self, other: Money) -> bool:
        return self._amount < _money(other)._amount

    def __le__(self, other: Money) -> bool:
        return self._amount <= _money(other)._amount

    def __gt__(self, other: Money) -> bool:
        return self._amount > _money(other)._amount

    def __ge__(self, other: Money) -> bool:
        return self._amount >= _money(other)._amount

    def __add__(self, other: Money) -> Money:
        return Money(self._amount + _money(other)._amount)

    def __radd__(self, other: Any) -> Money:
        # sum() starts from the integer 0
        if other == 0:
            return self
        return self.__add__(other)

    def __sub__(self, other: Money) -> Money:
        return Money(self._amount - _money(other)._amount)

    def __neg__(self) -> Money:
        return Money(-self._amount)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float | bool) or not isinstance(factor, Decimal | int):
            raise TypeError("multiply Money by a Decimal or an int, never a float")
        product = self._amount * factor
        _check_amount(product, f"{self._amount} × {factor}")
        return Money(product.quantize(_CENT, rounding=ROUND_HALF_UP))

    __rmul__ = __mul__

    def __bool__(self) -> bool:
        return bool(self._amount)

    def is_negative(self) -> bool:
        """True below zero (a refund line)."""
        return self._amount < 0

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def validate(value: Any) -> Money:
            if isinstance(value, Money):
                return value
            return Money(value)

        return core_schema.no_info_plain_validator_function(
            validate,
            json_schema_input_schema=core_schema.union_schema(
                [
                    # the bounds of MONEY_LIMIT, so a sender can check them before sending
                    core_schema.str_schema(pattern=r"^-?\d{1,13}(\.\d{1,2})?$"),
                    core_schema.int_schema(gt=-(10**13), lt=10**13),
                ]
            ),
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda m: str(m.amount), when_used="always"
            ),
        )


def _shown(value: Any) -> str:
    """A short quotation of a number for a message (the number may be huge)."""
    try:
        text = str(value)
    except ValueError:  # an int beyond Python's digit limit for str()
        return "a number with thousands of digits"
    return repr(text if len(text) <= 40 else f"{text[:37]}...")


def _check_amount(d: Decimal, given: Any) -> None:
    # copy_abs() is exact and context-free: abs() could trap on a huge exponent.
    if d.copy_abs() >= MONEY_LIMIT:
        raise InvalidInputError(
            "an amount of money must lie strictly between -10^13 and 10^13 MAD, "
            f"got {_shown(given)}; "
            "check the number (a works cost or a fee is far below that)"
        )


def _money(value: Any) -> Money:
    if not isinstance(value, Money):
        raise TypeError(f"expected Money, got {type(value).__name__}")
    return value


# Nine integer digits at most: every match is below AREA_LIMIT, so the fast path needs
# no comparison.
_PLAIN_AREA = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,2})?\Z")


def _parse_area(value: Any) -> Decimal:
    if type(value) is str and _PLAIN_AREA.match(value):
        return Decimal(value)  # the JSON form: non-negative, two decimals at most
    d = to_decimal(value, what="an area in m²")
    if d < 0:
        raise InvalidInputError(f"an area cannot be negative, got {value!r} m²")
    if d >= AREA_LIMIT:
        raise InvalidInputError(
            f"an area must be below 10^9 m² (1,000 km²), got {_shown(value)} m²; "
            "give the area in m², e.g. '312.40'"
        )
    if d != d.quantize(_CENT, rounding=ROUND_HALF_UP):
        raise InvalidInputError(f"an area has at most 2 decimals (1 dm²), got {value!r} m²")
    return d


SquareMetres = Annotated[
    Decimal,
    BeforeValidator(_parse_area),
    PlainSerializer(lambda d: str(d), return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^[0-9]{1,9}(\.[0-9]{1,2})?$"},
                {"type": "integer", "minimum": 0, "maximum": 999_999_999},
            ],
            "description": (
                "Area in m², exact, below 10^9 m²: a decimal string (2 decimals at most) "
                "or an integer"
            ),
            "examples": ["520.50"],
        }
    ),
]
"""A non-negative area in m² below ``AREA_LIMIT`` (10⁹ m²), exact, at most two decimals.

JSON form: a decimal string."""

Area = SquareMetres


def ceil_m2(area: Decimal) -> Decimal:
    """A fraction of a m² counts as a whole m² (construction tax base rule)."""
    return area.to_integral_value(rounding=ROUND_CEILING)
