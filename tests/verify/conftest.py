"""Fixtures of the verify tests: a throw-away PKI, a signer, a trust store."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from verify_corpus import Signing  # noqa: E402
from verify_quickpki import QuickPKI, make_pki  # noqa: E402

from rokhas_sdk.signing import TrustStore  # noqa: E402


@pytest.fixture(scope="session")
def pki() -> QuickPKI:
    return make_pki()


@pytest.fixture(scope="session")
def signing(pki: QuickPKI) -> Signing:
    return Signing(pki.signer_obj())  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def trust(pki: QuickPKI) -> TrustStore:
    return TrustStore(
        [
            pki.root.cert.public_bytes(
                __import__(
                    "cryptography.hazmat.primitives.serialization", fromlist=["Encoding"]
                ).Encoding.DER
            )
        ]
    )
