"""Structural checks that catch PDF-signature attacks pyHanko's checks leave implicit.

pyHanko already recomputes digests (universal signature forgery), rates coverage
(signature wrapping) and reviews every incremental update with a reject-by-default
policy (incremental saving, shadow, evil-annotation and sneaky-signature attacks). The
checks here add belt and braces on the raw bytes, where the attacks live:

* the ``/ByteRange`` must be four non-negative integers starting at 0, its gap must be
  exactly the ``/Contents`` hex string of *this* signature dictionary, and it must stay
  inside the file (signature wrapping, USF variants);
* two signature fields must not share one signature value (replayed signatures);
* the file must end with the last revision (bytes after the final ``%%EOF`` other than
  whitespace are data that no signature and no xref accounts for).

Each problem is a :class:`~rokhas_sdk.signing.Finding`; a finding tied to a signature
caps it at ``TOTAL_FAILED``/``FORMAT_FAILURE``, a document-level finding caps the
document at ``INDETERMINATE``.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from ._report import Finding

_HEX = re.compile(rb"[0-9A-Fa-f\s]*")
_EOF = re.compile(rb"%%EOF")
_TRAILING_OK = re.compile(rb"[\x00\s]*")


def check_byte_range(data: bytes, field: str, byte_range: Any, contents: bytes) -> list[Finding]:
    """Findings about one signature's /ByteRange against the raw file bytes."""
    out: list[Finding] = []

    def bad(code: str, message: str) -> list[Finding]:
        out.append(Finding(code=code, message=message, field=field))
        return out

    try:
        values = [int(v) for v in byte_range]
    except (TypeError, ValueError):
        return bad("byte_range_malformed", "the /ByteRange is not an array of integers")
    if len(values) != 4:
        return bad("byte_range_malformed", f"the /ByteRange has {len(values)} numbers, not 4")
    start1, len1, start2, len2 = values
    if min(values) < 0:
        return bad("byte_range_malformed", "the /ByteRange has a negative number")
    if start1 != 0:
        return bad("byte_range_not_from_start", "the signed bytes do not start at offset 0")
    if start2 < len1 or start2 + len2 > len(data):
        return bad(
            "byte_range_outside_file",
            "the /ByteRange overlaps itself or points outside the file (signature wrapping)",
        )
    gap = data[len1:start2]
    if len(gap) < 2 or gap[:1] != b"<" or gap[-1:] != b">" or not _HEX.fullmatch(gap[1:-1]):
        return bad(
            "byte_range_gap_not_contents",
            "the unsigned gap of the /ByteRange is not a single hex string (signature wrapping)",
        )
    try:
        gap_value = bytes.fromhex(gap[1:-1].decode("ascii"))
    except ValueError:
        return bad("byte_range_gap_not_contents", "the unsigned gap is not valid hexadecimal")
    if gap_value != contents:
        return bad(
            "byte_range_gap_not_contents",
            "the unsigned gap does not hold this signature's /Contents "
            "(the signature value was moved: signature wrapping)",
        )
    end = der_length(contents)
    if end is None or any(contents[end:]):
        return bad(
            "data_after_signature_value",
            "the /Contents carries bytes after the signature value, where only zero "
            "padding belongs (unsigned data hidden in the signature)",
        )
    return out


def der_length(blob: bytes) -> int | None:
    """Length of the BER/DER element at the start of ``blob`` (None if malformed).

    Indefinite lengths (BER, as NSS writes them) are followed to their end-of-contents.
    """
    from asn1crypto import parser

    try:
        _cls, _method, _tag, header, content, trailer = parser.parse(blob, strict=False)
    except Exception:
        return None
    return len(header) + len(content) + len(trailer)


def check_replayed_values(values: dict[str, bytes]) -> list[Finding]:
    """Two fields carrying the same signature value is a replay, never legitimate."""
    out: list[Finding] = []
    seen: dict[bytes, str] = {}
    for field, value in values.items():
        stripped = value.rstrip(b"\x00")
        if stripped and stripped in seen:
            out.append(
                Finding(
                    code="signature_value_reused",
                    message=f"field {field!r} carries the same signature value "
                    f"as {seen[stripped]!r}",
                    field=field,
                )
            )
        else:
            seen.setdefault(stripped, field)
    return out


def check_trailing_bytes(data: bytes) -> list[Finding]:
    """Bytes after the last ``%%EOF`` that are not whitespace."""
    tail_start = data.rfind(b"%%EOF")
    if tail_start < 0:
        return [Finding(code="no_eof_marker", message="the file has no %%EOF marker")]
    tail = data[tail_start + 5 :]
    if _TRAILING_OK.fullmatch(tail):
        return []
    return [
        Finding(
            code="trailing_data",
            message=f"{len(tail)} bytes follow the last %%EOF and belong to no revision",
        )
    ]


def check_embedded_certificates(field: str, embedded: list[Any], known: list[Any]) -> list[Finding]:
    """Every certificate carried in the CMS must be intact.

    The CMS certificate bag is not covered by the signature, so a changed copy of a CA
    certificate does not break the signature; it is still data someone altered, and a
    verifier that ignores it hides the tampering. A carried certificate whose issuer is
    known (carried, anchored or self-signed) must verify against that issuer.
    """
    from cryptography import x509 as cx509

    out: list[Finding] = []
    parsed: list[tuple[Any, Any]] = []
    for cert in embedded:
        try:
            parsed.append((cert, cx509.load_der_x509_certificate(cert.dump())))
        except Exception:
            out.append(
                Finding(
                    code="embedded_certificate_corrupt",
                    message="a certificate carried in the signature cannot be parsed",
                    field=field,
                )
            )
    pool = list(parsed)
    for cert in known:
        try:
            pool.append((cert, cx509.load_der_x509_certificate(cert.dump())))
        except Exception:  # noqa: S112 - our own anchors were parsed on load
            continue
    for _a_cert, c in parsed:
        with warnings.catch_warnings():
            # cryptography warns about non-conforming names (e.g. a 3-letter country
            # code) while comparing them; the comparison itself is fine
            warnings.simplefilter("ignore", UserWarning)
            issuers = [p for _, p in pool if p.subject == c.issuer]
        if not issuers:
            continue
        if not any(_issued_by(c, i) for i in issuers):
            out.append(
                Finding(
                    code="embedded_certificate_corrupt",
                    message=f"the certificate {c.subject.rfc4514_string()!r} carried in the "
                    "signature does not verify against its issuer (it was altered)",
                    field=field,
                )
            )
    return out


def _issued_by(cert: Any, issuer: Any) -> bool:
    from ._verify_crypto import issued_by

    return issued_by(cert, issuer)
