"""Every public model survives model -> JSON -> model, and model -> dict -> model, unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rokhas_sdk import models
from rokhas_sdk.models._schema import PUBLIC_MODELS
from rokhas_sdk.testing.strategies import STRATEGIES


def test_every_public_model_has_a_strategy() -> None:
    assert sorted(STRATEGIES) == sorted(PUBLIC_MODELS)


@pytest.mark.parametrize("name", sorted(STRATEGIES))
@settings(max_examples=25)
@given(data=st.data())
def test_json_round_trip(name: str, data: st.DataObject) -> None:
    cls = getattr(models, name)
    value = data.draw(STRATEGIES[name], label=name)
    text = value.model_dump_json()
    again = cls.model_validate_json(text)
    assert again == value
    assert again.model_dump_json() == text  # canonical: the second dump is byte-identical


@pytest.mark.parametrize("name", sorted(STRATEGIES))
@settings(max_examples=15)
@given(data=st.data())
def test_python_round_trip(name: str, data: st.DataObject) -> None:
    cls = getattr(models, name)
    value = data.draw(STRATEGIES[name], label=name)
    dumped: dict[str, Any] = value.model_dump()
    assert cls.model_validate(dumped) == value
    assert cls(**dumped) == value
