"""Money and areas built directly (outside a model) raise the SDK's typed error too."""

from __future__ import annotations

import pytest

from rokhas_sdk import InvalidInputError
from rokhas_sdk.models import Money, to_decimal


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (12.5, "must not be a float"),
        ("12.505", "at most 2 decimals"),
        ("douze", "not a number"),
        (True, "boolean"),
    ],
)
def test_money_constructor_raises_invalid_input(value: object, words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        Money(value)


def test_to_decimal_refuses_non_finite_with_a_typed_error() -> None:
    with pytest.raises(InvalidInputError, match="finite"):
        to_decimal("NaN", what="an amount")
