"""The strict reader of request bodies: exact values, depth measured as a parser would."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rokhas_sdk.sandbox._json import JsonBodyError, depth_beyond, loads_request

# Strings full of what a naive bracket count would trip on.
_tricky_text = st.text(alphabet=st.sampled_from('[]{}"\\ab é\u0627\n'), max_size=12)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _tricky_text
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_tricky_text, inner, max_size=3),
    max_leaves=40,
)


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


def _nest(value: Any, levels: int) -> Any:
    for i in range(levels):
        value = [value] if i % 2 else {"k": value}
    return value


@given(_values, st.integers(0, 40), st.booleans())
def test_every_value_reads_back_exact_or_is_refused_for_its_depth(
    value: Any, extra: int, ascii_only: bool
) -> None:
    value = _nest(value, extra)
    body = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8")
    depth = _depth(value)
    found = depth_beyond(body, 32)
    assert (found is not None) == (depth > 32)
    if depth > 32:
        with pytest.raises(JsonBodyError) as refused:
            loads_request(body)
        assert refused.value.kind == "too_deep"
    else:
        assert loads_request(body) == value


@given(st.binary(max_size=64))
def test_any_bytes_either_parse_or_are_refused_with_a_kind(raw: bytes) -> None:
    kind = None
    try:
        loads_request(raw)
    except JsonBodyError as exc:
        kind = exc.kind
    assert kind in {None, "encoding", "syntax", "too_deep"}


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ('{"a": 1}'.encode("utf-16"), "encoding"),
        (b'{"a": NaN}', "syntax"),
        (b'{"a": Infinity}', "syntax"),
        (b'{"a": 1e999}', "syntax"),
        (b'"\\ud800"', "syntax"),
        (b"[" * 33 + b"]" * 33, "too_deep"),
        (b"x" * 20, "syntax"),
    ],
)
def test_refusals_name_their_kind(body: bytes, kind: str) -> None:
    with pytest.raises(JsonBodyError) as refused:
        loads_request(body)
    assert refused.value.kind == kind


def test_the_size_limit_is_checked_first() -> None:
    with pytest.raises(JsonBodyError) as refused:
        loads_request(b"[" * 50, max_bytes=10)
    assert (refused.value.kind, refused.value.limit, refused.value.found) == ("too_large", 10, 50)
    assert loads_request(b"[1]", max_bytes=3) == [1]
