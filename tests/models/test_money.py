"""Money and areas: exact, floats refused, property-tested arithmetic and parsing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from rokhas_sdk import InvalidInputError
from rokhas_sdk import models as m
from rokhas_sdk.models import Money, SquareMetres, to_decimal
from rokhas_sdk.testing import strategies as S

AREA = TypeAdapter(SquareMetres)
MONEY = TypeAdapter(Money)


@given(S.amounts(-(10**12), 10**12))
def test_money_parses_its_own_string(amount: Decimal) -> None:
    money = Money(amount)
    assert Money(str(money.amount)) == money
    assert MONEY.validate_json(MONEY.dump_json(money)) == money
    assert MONEY.dump_json(money) == f'"{money.amount}"'.encode()


@given(S.amounts(), S.amounts())
def test_money_addition_is_exact(a: Decimal, b: Decimal) -> None:
    assert (Money(a) + Money(b)).amount == a + b
    assert (Money(a) - Money(b)).amount == a - b
    assert sum([Money(a), Money(b)]) == Money(a + b)


@given(S.amounts(0, 10**9), st.integers(0, 10**6).map(lambda r: Decimal(r).scaleb(-4)))
def test_money_times_rate_rounds_half_up_to_the_centime(a: Decimal, rate: Decimal) -> None:
    product = Money(a) * rate
    exact = a * rate
    assert abs(product.amount - exact) <= Decimal("0.005")
    assert product.amount == product.amount.quantize(Decimal("0.01"))


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_money_refuses_every_float(value: float) -> None:
    with pytest.raises(ValueError, match=r"float|finite|number"):
        Money(value)


def test_money_float_message_says_what_to_send() -> None:
    with pytest.raises(InvalidInputError) as exc:
        m.Project(use="COMMERCIAL", description="x", works_cost_ht=1250.5)
    message = exc.value.problems[0].message
    assert "float" in message
    assert "'1250.50'" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1250,50", "1250.50"), ("1 250.50", "1250.50"), ("\u00a01250", "1250.00"), (" 7 ", "7.00")],
)
def test_money_accepts_common_writings(text: str, expected: str) -> None:
    assert Money(text).amount == Decimal(expected)


@pytest.mark.parametrize("bad", ["1.005", "abc", "NaN", "Infinity", True, [1], "1,2,3"])
def test_money_refuses_bad_amounts(bad: Any) -> None:
    with pytest.raises(ValueError, match="amount of money"):
        Money(bad)


def test_money_rounded_and_ordering() -> None:
    assert Money.rounded("1.005") == Money("1.01")
    assert Money("1") < Money("2") <= Money("2")
    assert Money("3") > Money("2") >= Money("2")
    assert Money.zero() == Money(0)
    assert not Money.zero()
    assert (-Money("5")).is_negative()
    assert hash(Money("1.10")) == hash(Money("1.1"))
    with pytest.raises(TypeError):
        Money("1") * 1.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money("1") + 1  # type: ignore[operator]


@given(S.areas())
def test_area_round_trip(area: Decimal) -> None:
    assert AREA.validate_python(str(area)) == area
    assert AREA.validate_json(AREA.dump_json(area)) == area


@given(st.integers(1, 10**9).map(lambda c: -Decimal(c).scaleb(-2)))
def test_negative_area_is_refused(area: Decimal) -> None:
    with pytest.raises(ValidationError, match="cannot be negative"):
        AREA.validate_python(str(area))


@given(st.integers(1, 10**6), st.integers(3, 6))
def test_area_with_more_than_two_decimals_is_refused(n: int, places: int) -> None:
    value = Decimal(n * 10 + 1).scaleb(-places)
    with pytest.raises(ValidationError, match="at most 2 decimals"):
        AREA.validate_python(str(value))


def test_negative_area_in_a_model_is_a_typed_error() -> None:
    with pytest.raises(InvalidInputError) as exc:
        m.Level(name="RDC", floor_area="-12")
    assert exc.value.problems[0].path == "floor_area"
    assert "negative" in exc.value.problems[0].message


@given(st.one_of(st.text(max_size=20), st.integers(), st.decimals(allow_nan=True)))
def test_to_decimal_never_crashes(value: Any) -> None:
    try:
        d = to_decimal(value, what="x")
    except ValueError:
        return
    assert d.is_finite()
