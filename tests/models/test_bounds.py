"""Numbers have documented bounds (docs/models.md): past them InvalidInputError, not a crash."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rokhas_sdk import InvalidInputError
from rokhas_sdk import models as m
from rokhas_sdk.models import AREA_LIMIT, MONEY_LIMIT, Money

HUGE_WRITINGS = ["1e400", "1" + "0" * 30, "9" * 400, "1e999999999999999999", "-1E+50"]


def test_the_limits_are_the_documented_ones() -> None:
    assert Decimal("10000000000000") == MONEY_LIMIT
    assert Decimal("1000000000") == AREA_LIMIT


@pytest.mark.parametrize("text", HUGE_WRITINGS)
def test_huge_amounts_are_refused_with_the_range(text: str) -> None:
    with pytest.raises(InvalidInputError, match="between -10\\^13 and 10\\^13 MAD"):
        Money(text)
    with pytest.raises(InvalidInputError, match="10\\^13"):
        Money.rounded(text)


def test_a_huge_int_is_refused_without_printing_it() -> None:
    with pytest.raises(InvalidInputError, match="thousands of digits"):
        Money(10**5000)


@given(st.integers(0, 10**15 - 1))
def test_money_accepts_exactly_the_open_range(cents: int) -> None:
    amount = Decimal(cents).scaleb(-2)
    for signed in (amount, -amount):
        if amount < MONEY_LIMIT:
            assert Money(signed).amount == signed
        else:
            with pytest.raises(InvalidInputError):
                Money(signed)


@given(st.integers(0, 10**13 - 1), st.integers(1, 10**6))
def test_arithmetic_past_the_limit_is_refused_not_rounded(cents: int, factor: int) -> None:
    money = Money(Decimal(cents).scaleb(-2))
    if money.amount * factor < MONEY_LIMIT:
        assert (money * factor).amount == money.amount * factor
    else:
        with pytest.raises(InvalidInputError):
            money * factor


@given(st.integers(0, 10**12))
def test_areas_accept_exactly_zero_up_to_the_limit(hundredths: int) -> None:
    area = Decimal(hundredths).scaleb(-2)
    for writing in (str(area), area):
        if area < AREA_LIMIT:
            assert m.Level(name="RDC", floor_area=writing).floor_area == area
        else:
            with pytest.raises(InvalidInputError, match="below 10\\^9 m²"):
                m.Level(name="RDC", floor_area=writing)


@pytest.mark.parametrize("text", HUGE_WRITINGS[:4])
def test_huge_areas_are_refused_in_every_area_field(text: str) -> None:
    for field in ("covered_area", "saillies_public_domain_area", "subdivided_area"):
        with pytest.raises(InvalidInputError) as exc:
            m.Project(use="COMMERCIAL", description="x", **{field: text})
        assert exc.value.problems[0].path == field


def test_a_project_has_at_most_200_levels() -> None:
    levels = [{"name": f"L{i}", "floor_area": "10"} for i in range(201)]
    with pytest.raises(InvalidInputError) as exc:
        m.Project(use="COMMERCIAL", description="x", levels=levels)
    assert exc.value.problems[0].path == "levels"
    assert len(m.Project(use="COMMERCIAL", description="x", levels=levels[:200]).levels) == 200


def test_counts_are_bounded() -> None:
    with pytest.raises(InvalidInputError):
        m.Project(use="COMMERCIAL", description="x", lots_count=100_001)
    with pytest.raises(InvalidInputError):
        m.Activity(label="x", premises_address="y", public_domain_days=3661)
