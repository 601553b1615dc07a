"""The operation table, payloads, errors and idempotency fingerprints."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rokhas_sdk import InvalidInputError, NotFoundError
from rokhas_sdk.api import (
    ERROR_STATUS,
    EVENT_MODELS,
    OPERATIONS,
    DossierListQuery,
    DossierState,
    ErrorCode,
    ErrorEnvelope,
    EventName,
    RequestComplement,
    get_operation,
    match_operation,
    request_fingerprint,
)


def test_every_operation_matches_its_own_path_and_no_other() -> None:
    for op in OPERATIONS:
        params = {name: f"x_{i}" for i, name in enumerate(op.path_params)}
        path = op.url_path(**params)
        found = match_operation(op.method, path)
        assert found is not None, op.id
        assert found[0] is op, op.id
        assert found[1] == params


def test_literal_segments_are_not_taken_for_ids() -> None:
    found = match_operation("POST", "/v1/permits/verify")
    assert found is not None
    assert found[0].id == "verifyPermit"
    assert match_operation("GET", "/v1/nowhere") is None
    assert match_operation("PUT", "/v1/dossiers") is None


def test_path_parameters_are_percent_encoded() -> None:
    op = get_operation("getDossier")
    assert op.url_path(dossier_id="a/../b") == "/v1/dossiers/a%2F..%2Fb"
    with pytest.raises(InvalidInputError, match="dossier_id"):
        op.url_path()
    with pytest.raises(NotFoundError, match="OPERATIONS"):
        get_operation("nope")


def test_operation_ids_are_unique_and_writes_are_non_get() -> None:
    ids = [op.id for op in OPERATIONS]
    assert len(ids) == len(set(ids))
    assert {op.method for op in OPERATIONS if op.is_write} <= {"POST", "PATCH", "PUT", "DELETE"}
    assert get_operation("listDossiers").is_paginated
    assert not get_operation("getDossier").is_paginated


def test_every_error_code_has_a_status_and_both_labels() -> None:
    assert set(ERROR_STATUS) == set(ErrorCode)
    for code in ErrorCode:
        assert code.label_fr
        assert code.label_ar
        assert 400 <= code.status < 600
        env = ErrorEnvelope.for_code(code, "req_1")
        assert env.code == code.value
        assert env.request_id == "req_1"
    # 409 is what a retry may fix; a reused key is not.
    assert ErrorCode.IDEMPOTENCY_IN_PROGRESS.status == 409
    assert ErrorCode.IDEMPOTENCY_KEY_REUSED.status == 422


def test_event_body_is_parsed_by_name() -> None:
    op = get_operation("postDossierEvent")
    event = op.parse_body(b'{"event": "request_complement", "reasons_fr": ["plan illisible"]}')
    assert isinstance(event, RequestComplement)
    with pytest.raises(InvalidInputError, match="reasons_fr"):
        op.parse_body(b'{"event": "request_complement"}')
    with pytest.raises(InvalidInputError):
        op.parse_body(b'{"event": "teleport"}')
    assert set(EVENT_MODELS) == set(EventName)
    for name, model in EVENT_MODELS.items():
        assert model.model_fields["event"].default == name.value


def test_query_parsing_refuses_bad_values() -> None:
    op = get_operation("listDossiers")
    q = op.parse_query({"state": "SUBMITTED", "limit": "10"})
    assert isinstance(q, DossierListQuery)
    assert q.state is DossierState.SUBMITTED
    with pytest.raises(InvalidInputError, match="limit"):
        op.parse_query({"limit": "1000"})
    assert get_operation("getDossier").parse_query({}) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.text(max_size=6), json_values, max_size=6))
def test_fingerprint_ignores_key_order_and_whitespace(doc: dict[str, object]) -> None:
    compact = json.dumps(doc, separators=(",", ":")).encode()
    spaced = json.dumps(dict(reversed(list(doc.items()))), indent=2).encode()
    assert request_fingerprint("POST", "/v1/dossiers", compact) == request_fingerprint(
        "post", "/v1/dossiers", spaced
    )


def test_fingerprint_tells_requests_apart() -> None:
    base = request_fingerprint("POST", "/v1/dossiers", b'{"a":1}')
    assert base != request_fingerprint("POST", "/v1/dossiers", b'{"a":2}')
    assert base != request_fingerprint("PATCH", "/v1/dossiers", b'{"a":1}')
    assert base != request_fingerprint("POST", "/v1/payments", b'{"a":1}')
    assert request_fingerprint("POST", "/p", b"\xff\x00") != request_fingerprint(
        "POST", "/p", b"\xff\x01"
    )
    assert request_fingerprint("POST", "/p", b"x", content_sha256="AB") == request_fingerprint(
        "POST", "/p", b"y", content_sha256="ab"
    )
