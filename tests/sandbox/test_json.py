"""The sandbox's JSON codec writes what the standard library writes, only faster."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rokhas_sdk.models import ProcedureKind
from rokhas_sdk.sandbox._json import dumps, dumps_text, loads


def _reference(data: Any, lenient: bool = True) -> bytes:
    return json.dumps(
        data, ensure_ascii=False, separators=(",", ":"), default=str if lenient else None
    ).encode("utf-8")


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_values)
def test_same_document_as_the_standard_library(value: Any) -> None:
    assert loads(dumps(value)) == json.loads(_reference(value))
    assert loads(dumps_text(value)) == loads(_reference(value))


@given(st.text())
def test_text_is_written_as_utf8_without_escapes_beyond_json_s(text: str) -> None:
    assert dumps(text) == _reference(text)


@dataclasses.dataclass
class _Point:
    x: int


def test_values_without_a_json_type_are_written_as_str() -> None:
    at = dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    data = {
        "at": at,
        "amount": Decimal("12.50"),
        "kind": ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET,
        "point": _Point(1),
        1: "int key",
        "arabic": "الدار البيضاء",
    }
    assert dumps(data) == _reference(data)


def test_strict_mode_refuses_values_without_a_json_type() -> None:
    with pytest.raises(TypeError):
        dumps({"amount": Decimal("1")}, lenient=False)
    assert dumps({"a": [1, "b"]}, lenient=False) == b'{"a":[1,"b"]}'


def test_reads_documents_written_by_the_standard_library() -> None:
    old = json.dumps({"nom": "Fès", "n": 3})  # stored with \\u escapes by earlier versions
    assert "\\u00e8" in old
    assert loads(old) == {"nom": "Fès", "n": 3}
    assert loads("[NaN]")[0] != loads("[NaN]")[0]  # the stdlib's NaN still reads back


def test_integers_beyond_64_bits_stay_exact() -> None:
    big = -(2**63) - 1
    assert loads(dumps({"n": big})) == {"n": big}
    assert loads("[12345678901234567890123]") == [12345678901234567890123]


@given(
    st.integers(min_value=-(10**40), max_value=10**40),
    st.text(alphabet="abc أبت 0123456789", max_size=30),
)
def test_any_integer_reads_back_exactly_from_text_or_bytes(n: int, label: str) -> None:
    # The long-integer guard works on bytes; text with non-ASCII letters must not fool it.
    doc = {"label": label, "n": n, "ns": [n, label]}
    text = dumps(doc).decode("utf-8")
    for raw in (text, text.encode("utf-8")):
        back = loads(raw)
        assert back == doc
        assert type(back["n"]) is int
