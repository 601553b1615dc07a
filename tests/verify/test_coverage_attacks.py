"""Byte-level attack checks (_attacks): each refusal with its code and message."""

from __future__ import annotations

import datetime as dt

import pytest
from asn1crypto import x509 as a509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from rokhas_sdk.signing import Finding
from rokhas_sdk.signing._attacks import (
    check_byte_range,
    check_embedded_certificates,
    check_replayed_values,
    check_trailing_bytes,
    der_length,
)

# a DER OCTET STRING of 3 bytes followed by zero padding, as a signer lays out /Contents
_VALUE = bytes([0x04, 0x03, 0xAA, 0xBB, 0xCC, 0, 0])
_HEAD = b"%PDF-1.7 head "
_TAIL = b" tail %%EOF"


def _file(gap: bytes) -> tuple[bytes, list[int]]:
    data = _HEAD + gap + _TAIL
    return data, [0, len(_HEAD), len(_HEAD) + len(gap), len(_TAIL)]


def _codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def test_well_formed_range_has_no_finding() -> None:
    data, rng = _file(b"<" + _VALUE.hex().encode() + b">")
    assert check_byte_range(data, "Sig1", rng, _VALUE) == []


@pytest.mark.parametrize(
    ("rng", "code", "words"),
    [
        (None, "byte_range_malformed", "not an array of integers"),
        (["a", 1, 2, 3], "byte_range_malformed", "not an array of integers"),
        ([0, 10, 20], "byte_range_malformed", "has 3 numbers, not 4"),
        ([0, 10, 20, 5, 7], "byte_range_malformed", "has 5 numbers, not 4"),
        ([0, -1, 20, 5], "byte_range_malformed", "negative number"),
        ([1, 10, 20, 5], "byte_range_not_from_start", "do not start at offset 0"),
        ([0, 30, 20, 5], "byte_range_outside_file", "overlaps itself"),
        ([0, 10, 20, 10_000], "byte_range_outside_file", "outside the file"),
    ],
)
def test_malformed_ranges_are_refused(rng: object, code: str, words: str) -> None:
    data, _ = _file(b"<" + _VALUE.hex().encode() + b">")
    findings = check_byte_range(data, "Sig1", rng, _VALUE)
    assert _codes(findings) == [code]
    assert words in findings[0].message
    assert findings[0].field == "Sig1"


@pytest.mark.parametrize(
    ("gap", "words"),
    [
        (b"(" + _VALUE.hex().encode() + b")", "not a single hex string"),
        (b"<", "not a single hex string"),
        (b"<04zz>", "not a single hex string"),
        (b"<040>", "not valid hexadecimal"),
        (b"<" + bytes([0x04, 0x03, 1, 2, 3]).hex().encode() + b">", "was moved"),
    ],
)
def test_gap_that_is_not_this_contents_is_refused(gap: bytes, words: str) -> None:
    data, rng = _file(gap)
    findings = check_byte_range(data, "Sig1", rng, _VALUE)
    assert _codes(findings) == ["byte_range_gap_not_contents"]
    assert words in findings[0].message


@pytest.mark.parametrize(
    "contents",
    [
        _VALUE[:-1] + b"\x01",  # data hidden in the padding
        b"",  # nothing parses
        bytes([0x04, 0x09, 1]),  # length runs past the end
    ],
)
def test_bytes_after_the_signature_value_are_refused(contents: bytes) -> None:
    data, rng = _file(b"<" + contents.hex().encode() + b">")
    findings = check_byte_range(data, "Sig1", rng, contents)
    assert _codes(findings) == ["data_after_signature_value"]


def test_der_length() -> None:
    assert der_length(_VALUE) == 5
    # BER indefinite length, as NSS writes it: followed to its end-of-contents
    assert der_length(bytes([0x30, 0x80, 0x04, 0x01, 0x07, 0, 0]) + b"\x00" * 4) == 7
    assert der_length(b"") is None
    assert der_length(bytes([0x04, 0x05, 1])) is None


def test_replayed_values() -> None:
    value = b"\x30\x03\x02\x01\x01"
    findings = check_replayed_values(
        {"Sig1": value + b"\x00" * 8, "Sig2": b"other", "Sig3": value, "Sig4": b"\x00\x00"}
    )
    assert _codes(findings) == ["signature_value_reused"]
    assert findings[0].field == "Sig3"
    assert "'Sig3'" in findings[0].message
    assert "'Sig1'" in findings[0].message
    # empty (all-zero) placeholders are not replays of each other
    assert check_replayed_values({"a": b"\x00", "b": b"\x00\x00"}) == []


def test_trailing_bytes() -> None:
    assert check_trailing_bytes(b"%PDF-1.7\n%%EOF\r\n\x00 ") == []
    findings = check_trailing_bytes(b"%PDF-1.7\n%%EOF\n%%EOF\nhidden")
    assert _codes(findings) == ["trailing_data"]
    assert findings[0].message.startswith("7 bytes follow the last %%EOF")
    assert _codes(check_trailing_bytes(b"%PDF-1.7\n")) == ["no_eof_marker"]


# --------------------------------------------------------------------------- certificates


def _cert(
    subject: str, issuer: str, key: ec.EllipticCurvePrivateKey, signer: ec.EllipticCurvePrivateKey
) -> bytes:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(0x1122334455667788)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(signer, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="module")
def chain() -> tuple[bytes, bytes]:
    root_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    root = _cert("Test Root", "Test Root", root_key, root_key)
    leaf = _cert("Test Signer", "Test Root", leaf_key, root_key)
    return root, leaf


class _Unparsable:
    """Something carried in a CMS bag whose bytes are not a certificate."""

    def dump(self) -> bytes:
        return b"not a certificate"


def test_intact_carried_certificates_pass(chain: tuple[bytes, bytes]) -> None:
    root, leaf = (a509.Certificate.load(d) for d in chain)
    assert check_embedded_certificates("Sig1", [leaf], [root]) == []
    assert check_embedded_certificates("Sig1", [leaf, root], []) == []
    # no known issuer: nothing to check against, not a finding
    assert check_embedded_certificates("Sig1", [leaf], []) == []


def test_altered_carried_certificate_is_reported(chain: tuple[bytes, bytes]) -> None:
    root_der, leaf_der = chain
    serial = (0x1122334455667788).to_bytes(8, "big")
    assert leaf_der.count(serial) == 1
    altered = a509.Certificate.load(leaf_der.replace(serial, b"\x12" + serial[1:]))
    findings = check_embedded_certificates("Sig1", [altered], [a509.Certificate.load(root_der)])
    assert _codes(findings) == ["embedded_certificate_corrupt"]
    assert "'CN=Test Signer'" in findings[0].message
    assert "altered" in findings[0].message
    assert findings[0].field == "Sig1"


def test_unparsable_carried_certificate_is_reported(chain: tuple[bytes, bytes]) -> None:
    root = a509.Certificate.load(chain[0])
    # an unparsable known certificate is ignored (anchors were parsed on load)
    findings = check_embedded_certificates("Sig2", [_Unparsable(), root], [_Unparsable()])
    assert _codes(findings) == ["embedded_certificate_corrupt"]
    assert "cannot be parsed" in findings[0].message
