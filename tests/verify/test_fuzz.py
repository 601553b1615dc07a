"""Malformed input: mutated and truncated signed PDFs never raise and never pass.

The CI profile runs 10,000+ cases in total (cheap mutations of a small signed PDF);
ROKHAS_FUZZ_EXAMPLES scales every test up for a longer run (``nox -s fuzz``).
"""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rokhas_sdk.signing import Indication, TrustStore, verify_pdf

from .verify_corpus import Signing, base_pdf

# selected by ``nox -s fuzz`` (-m slow, ROKHAS_FUZZ_EXAMPLES=100000); CI runs them too
pytestmark = pytest.mark.slow

_CI = bool(os.environ.get("CI"))
_SCALE = os.environ.get("ROKHAS_FUZZ_EXAMPLES")


def fuzz(ci_examples: int) -> settings:
    """CI runs ``ci_examples`` (10,000 over the module); ROKHAS_FUZZ_EXAMPLES overrides."""
    examples = int(_SCALE) if _SCALE else (ci_examples if _CI else 40)
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=_CI,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


@pytest.fixture(scope="module")
def signed(signing: Signing) -> bytes:
    return signing.sign(base_pdf())


def _allowed_change(original: bytes, mutated: bytes) -> bool:
    """True when ``mutated`` differs from ``original`` only where a valid verdict is right.

    The signature covers everything but its own /Contents gap, so only two kinds of
    change may leave a signature valid: inside a /Contents gap (the CMS container holds
    unsigned parts, such as the certificate bag, and hex digits have two cases), and
    whitespace after the final %%EOF. Every other change must not come out TOTAL_PASSED.
    """
    if len(original) != len(mutated):
        return False
    gaps = [
        (int(m.group(1)), int(m.group(2)))
        for m in re.finditer(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)", original)
    ]
    eof = original.rfind(b"%%EOF") + 5
    for i in range(len(original)):
        if original[i] == mutated[i]:
            continue
        if i >= eof and (mutated[i : i + 1].isspace() or mutated[i] == 0):
            continue
        if not any(a < i < b - 1 for a, b in gaps):
            return False
    return True


def _check(original: bytes, mutated: bytes, trust: TrustStore) -> None:
    report = verify_pdf(mutated, trust=trust)
    if report.document.indication is Indication.TOTAL_PASSED:
        assert mutated == original or _allowed_change(original, mutated), report.model_dump_json(
            indent=1
        )
        # whatever changed in the CMS container, the signer is still the one who signed
        reference = verify_pdf(original, trust=trust)
        assert [s.signer for s in report.signatures] == [s.signer for s in reference.signatures]
    else:
        assert report.document.errors, "a negative verdict must give a reason"


@fuzz(3000)
@given(cut=st.integers(min_value=0, max_value=10**7))
def test_truncated(signed: bytes, trust: TrustStore, cut: int) -> None:
    n = cut % len(signed)
    _check(signed, signed[:n], trust)


@fuzz(3000)
@given(
    flips=st.lists(
        st.tuples(st.integers(min_value=0, max_value=10**7), st.integers(1, 255)),
        min_size=1,
        max_size=4,
    )
)
def test_byte_flips(signed: bytes, trust: TrustStore, flips: list[tuple[int, int]]) -> None:
    data = bytearray(signed)
    for pos, xor in flips:
        data[pos % len(data)] ^= xor
    _check(signed, bytes(data), trust)


_TOKENS = [
    b"<<",
    b">>",
    b"[",
    b"]",
    b"/ByteRange",
    b"/Contents",
    b"0 R",
    b"999999999",
    b"-1",
    b"obj",
    b"endobj",
    b"stream\n",
    b"endstream",
    b"xref",
    b"trailer",
    b"startxref",
    b"%%EOF",
    b"(",
    b")",
    b"\x00",
]


@fuzz(2500)
@given(
    pos=st.integers(min_value=0, max_value=10**7),
    token=st.sampled_from(_TOKENS),
    replace=st.booleans(),
)
def test_token_splices(
    signed: bytes, trust: TrustStore, pos: int, token: bytes, replace: bool
) -> None:
    i = pos % len(signed)
    tail = signed[i + len(token) :] if replace else signed[i:]
    _check(signed, signed[:i] + token + tail, trust)


@fuzz(1500)
@given(junk=st.binary(min_size=0, max_size=64), where=st.integers(0, 10**7))
def test_random_bytes_in_the_sig_dict(
    signed: bytes, trust: TrustStore, junk: bytes, where: int
) -> None:
    # aim at the signature dictionaries, where the forgery attacks live
    anchors = [m.start() for m in re.finditer(rb"/ByteRange|/SubFilter|/Contents", signed)]
    i = anchors[where % len(anchors)] + (where // len(anchors)) % 40
    _check(signed, signed[:i] + junk + signed[i + len(junk) :], trust)
