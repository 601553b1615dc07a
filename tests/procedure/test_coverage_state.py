"""Event data and stored states read back strictly: what is refused, and with what words."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from procedure_helpers import at

from rokhas_sdk import InvalidInputError
from rokhas_sdk.models import CommissionBody as B
from rokhas_sdk.models import Opinion as O
from rokhas_sdk.models import ProcedureKind as K
from rokhas_sdk.models import Role as R
from rokhas_sdk.procedure import Context, ProcedureState, apply, start


def _state() -> ProcedureState:
    s = start(K.URB_PERMIS_CONSTRUIRE_GRAND_PROJET, at=at(2026, 3, 2, 8))
    return apply(s, "sign_plans", role=R.ARCHITECTE, at=at(2026, 3, 2, 9))


def test_context_from_a_non_mapping_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="must be a JSON object, got list"):
        Context.from_dict([("fees_paid", True)])  # type: ignore[arg-type]
    assert Context.from_dict(None) == Context.from_dict({})


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"missing_pieces": "PLAN"}, "missing_pieces must be a list of piece codes"),
        ({"missing_pieces": [1, 2]}, "missing_pieces must be a list of piece codes"),
        ({"reason": 12}, "reason must be a string"),
        ({"fees_paid": "yes"}, "fees_paid must be true, false or null"),
        ({"speed": 1}, "unknown event data fields ['speed']"),
    ],
)
def test_context_fields_are_typed(data: dict[str, Any], needle: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        Context.from_dict(data)
    assert needle in str(info.value)


def test_state_round_trips_and_answers_queries() -> None:
    s = _state()
    assert ProcedureState.from_dict(s.to_dict()) == s
    assert s.first("sign_plans") == at(2026, 3, 2, 9)
    assert s.first("never_happened") is None
    assert s.opinion_of(B.COMMUNE) is None
    later = s.evolve(opinions=((B.COMMUNE, O.FAVORABLE),))
    assert later.opinion_of(B.COMMUNE) is O.FAVORABLE
    assert later.opinion_of(B.PROVINCE) is None
    assert s.opinions == ()  # evolve copies, the original is unchanged


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"history": [["submit", "2026-03-02T10:00:00"]]}, "is not an ISO 8601 instant"),
        ({"history": [["submit", 12]]}, "is not an ISO 8601 instant"),
        ({"last_at": "yesterday"}, "not a procedure state"),
        ({"seq": "three"}, "not a procedure state"),
        ({"kind": "URB_NOTHING"}, "URB_NOTHING"),
    ],
)
def test_damaged_stored_states_are_refused(change: dict[str, Any], needle: str) -> None:
    doc = {**_state().to_dict(), **change}
    with pytest.raises(InvalidInputError) as info:
        ProcedureState.from_dict(doc)
    assert needle in str(info.value)


def test_a_missing_key_names_the_fix() -> None:
    doc = _state().to_dict()
    del doc["graph"]
    with pytest.raises(InvalidInputError, match=r"use ProcedureState\.to_dict\(\)"):
        ProcedureState.from_dict(doc)


@given(st.dictionaries(st.sampled_from(["fees_paid", "investment", "reason"]), st.booleans()))
def test_context_to_dict_from_dict_round_trip(data: dict[str, bool]) -> None:
    if "reason" in data:  # a boolean is no reason
        with pytest.raises(InvalidInputError, match="reason must be a string"):
            Context.from_dict(data)
        return
    ctx = Context.from_dict(data)
    assert Context.from_dict(ctx.to_dict()) == ctx
    assert ctx.to_dict() == data
