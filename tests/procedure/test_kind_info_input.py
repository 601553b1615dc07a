"""``kind_info`` takes a kind or its string value, and names the fix for anything else."""

from __future__ import annotations

import pytest

from rokhas_sdk.models import ProcedureKind
from rokhas_sdk.procedure import UnknownProcedureError, kind_info


@pytest.mark.parametrize("kind", list(ProcedureKind))
def test_string_and_enum_give_the_same_facts(kind: ProcedureKind) -> None:
    assert kind_info(kind.value) == kind_info(kind)
    assert kind_info(kind.value).kind is kind


def test_unknown_kind_is_a_typed_error_that_says_where_to_look() -> None:
    with pytest.raises(UnknownProcedureError, match=r"'URB_NOTHING'.*ProcedureKind"):
        kind_info("URB_NOTHING")
