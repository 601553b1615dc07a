"""Property tests of the byte-level checks (_attacks): total functions, exact verdicts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rokhas_sdk.signing._attacks import (
    check_byte_range,
    check_replayed_values,
    check_trailing_bytes,
    der_length,
)


@given(
    data=st.binary(max_size=300),
    byte_range=st.lists(st.one_of(st.integers(-5, 400), st.text(max_size=3)), max_size=6),
    contents=st.binary(max_size=40),
)
def test_check_byte_range_is_total(data: bytes, byte_range: list[object], contents: bytes) -> None:
    findings = check_byte_range(data, "f", byte_range, contents)
    assert all(f.field == "f" for f in findings)


@given(
    head=st.binary(max_size=50).filter(lambda b: b"<" not in b),
    der=st.binary(min_size=1, max_size=30),
    tail=st.binary(max_size=50),
    pad=st.integers(0, 8),
)
def test_well_formed_range_passes_and_any_shift_fails(
    head: bytes, der: bytes, tail: bytes, pad: int
) -> None:
    # a DER OCTET STRING wrapping ``der``, zero padded, as a signer writes it
    value = bytes([0x04, len(der)]) + der + b"\x00" * pad
    gap = b"<" + value.hex().encode() + b">"
    data = head + gap + tail
    good = [0, len(head), len(head) + len(gap), len(tail)]
    assert check_byte_range(data, "f", good, value) == []
    shifted = [0, len(head), len(head) + len(gap) - 1, len(tail) + 1]
    assert check_byte_range(data, "f", shifted, value) != []
    hidden = value[:-1] + b"\x01" if pad else value + b"\x01"
    gap2 = b"<" + hidden.hex().encode() + b">"
    data2 = head + gap2 + tail
    rng2 = [0, len(head), len(head) + len(gap2), len(tail)]
    assert [f.code for f in check_byte_range(data2, "f", rng2, hidden)] == [
        "data_after_signature_value"
    ]


@given(st.binary(max_size=64))
def test_der_length_is_total_and_bounded(blob: bytes) -> None:
    n = der_length(blob)
    assert n is None or 0 < n <= len(blob)


@given(st.dictionaries(st.text(max_size=4), st.binary(max_size=8), max_size=6))
def test_replays_are_exactly_duplicate_values(values: dict[str, bytes]) -> None:
    findings = check_replayed_values(values)
    distinct = {v.rstrip(b"\x00") for v in values.values() if v.rstrip(b"\x00")}
    non_empty = [v for v in values.values() if v.rstrip(b"\x00")]
    assert len(findings) == len(non_empty) - len(distinct)


@given(st.binary(max_size=40), st.sampled_from([b"", b"\n", b"\r\n\x00 ", b"junk", b"\n%%EOF"]))
def test_trailing_bytes(body: bytes, tail: bytes) -> None:
    data = body + b"%%EOF" + tail
    after_last_eof = data[data.rfind(b"%%EOF") + 5 :]
    expected = [] if after_last_eof.strip(b"\x00 \t\r\n\x0c") == b"" else ["trailing_data"]
    assert [f.code for f in check_trailing_bytes(data)] == expected
