"""quote() itself refuses amounts no caller could mean: negative, out of bounds, inexact.

The CLI checks its flags too, but portals call the library directly; the library is
where the rule lives (docs/payments.md, "Amounts given to quote").
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rokhas_sdk import InvalidInputError
from rokhas_sdk.models import MONEY_LIMIT, Money
from rokhas_sdk.payments import quote

from ._builders import cafe, lotissement

ON = date(2026, 3, 1)
CENT = Decimal("0.01")

# Every amount Money can hold below zero: -MONEY_LIMIT < x < 0, in centimes.
negative_amounts = st.decimals(
    min_value=-MONEY_LIMIT + CENT, max_value=-CENT, places=2, allow_nan=False
)
valid_amounts = st.decimals(min_value=0, max_value=MONEY_LIMIT - CENT, places=2, allow_nan=False)
# At or beyond the bound, in each form a caller might pass it.
beyond_bound = st.one_of(
    st.decimals(min_value=MONEY_LIMIT, allow_nan=False, allow_infinity=False),
    st.decimals(max_value=-MONEY_LIMIT, allow_nan=False, allow_infinity=False),
    st.integers(min_value=10**13, max_value=10**400),
    st.integers(min_value=10**13, max_value=10**400).map(lambda n: -n),
    st.sampled_from(["1e400", "-1e400", "1" + "0" * 30, "9" * 400, "Infinity", "NaN"]),
)


def _not_money(value: Any) -> bool:
    # Text Money reads ("1e5", "1_000", "12,5", Arabic-Indic digits) is an amount, and
    # quote() takes what Money takes: only what Money refuses is drawn here.
    try:
        Money(value)
    except InvalidInputError:
        return True
    return False


not_amounts = st.one_of(
    st.floats(allow_nan=True),
    st.booleans(),
    st.text(max_size=20).filter(_not_money),
    st.decimals(min_value=0, max_value=10**6, places=4).filter(lambda d: d != d.quantize(CENT)),
    st.sampled_from([b"100", [100], {"amount": "100"}, object()]),
)
ARGUMENTS = ["actual_works_cost", "beverage_receipts_ht"]


def _quote_with(argument: str, value: Any) -> Any:
    dossier = lotissement("2400000") if argument == "actual_works_cost" else cafe()
    return quote(dossier, on=ON, **{argument: value})


@pytest.mark.parametrize("argument", ARGUMENTS)
@given(amount=negative_amounts)
def test_a_negative_amount_is_refused_with_its_name_and_the_fix(
    argument: str, amount: Decimal
) -> None:
    for value in (Money(amount), amount, str(amount)):
        with pytest.raises(InvalidInputError) as info:
            _quote_with(argument, value)
        message = str(info.value)
        assert argument in message
        assert "cannot be negative" in message
        assert "0 or more MAD" in message
        assert [p.path for p in info.value.problems] == [argument]


@pytest.mark.parametrize("argument", ARGUMENTS)
@given(value=beyond_bound)
def test_an_amount_beyond_money_limit_is_refused(argument: str, value: Any) -> None:
    with pytest.raises(InvalidInputError) as info:
        _quote_with(argument, value)
    assert str(info.value).startswith(f"{argument}: ")
    assert info.value.problems[0].path == argument


@pytest.mark.parametrize("argument", ARGUMENTS)
@given(value=not_amounts)
def test_what_is_not_an_exact_amount_is_refused(argument: str, value: Any) -> None:
    with pytest.raises(InvalidInputError) as info:
        _quote_with(argument, value)
    assert str(info.value).startswith(f"{argument}: ")


@given(amount=valid_amounts)
def test_any_amount_within_bounds_is_quoted_whatever_its_form(amount: Decimal) -> None:
    as_money = quote(cafe(), on=ON, beverage_receipts_ht=Money(amount))
    assert as_money.lines[0].base == amount
    assert not as_money.total.is_negative()
    for other in (amount, str(amount)):
        assert quote(cafe(), on=ON, beverage_receipts_ht=other) == as_money
    balance = quote(lotissement("2400000"), on=ON, actual_works_cost=amount)
    assert balance.lines[-1].base == amount
    assert all(not line.amount.is_negative() for line in balance.lines)


def test_zero_is_an_amount() -> None:
    # Nothing sold, or works that cost nothing: no tax on it, but no refusal either.
    assert quote(cafe(), on=ON, beverage_receipts_ht=0).total == Money.zero()
    q = quote(lotissement("2400000"), on=ON, actual_works_cost=Money.zero())
    assert q.lines[-1].amount == Money.zero()
    assert any("overpaid" in note for note in q.notes)


def test_the_documented_example_runs_and_prints_what_the_page_shows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "payments.md").read_text("utf-8")
    section = page.split("### Amounts given to `quote`", 1)[1].split("\n## ", 1)[0]
    code = re.findall(r"```python\n(.*?)```", section, flags=re.S)[0]
    exec(compile(code, "docs/payments.md", "exec"), {"__name__": "__main__"})
    shown = [line.split("# -> ", 1)[1].strip() for line in code.splitlines() if "# -> " in line]
    assert capsys.readouterr().out.split("\n")[:-1] == shown
