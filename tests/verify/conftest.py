"""Fixtures of the verify tests: the shared test PKI (rokhas_sdk.testing.pki) served on
127.0.0.1, a pyHanko signer for the corpus, and a trust store holding its root."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rokhas_sdk.signing import TrustStore
from rokhas_sdk.testing.pki import PKIService, TestPKI

from .verify_corpus import Signing, signer_for


@pytest.fixture(scope="session")
def pki_service() -> Iterator[PKIService]:
    """OCSP/CRL/TSA on 127.0.0.1 for a fresh ECDSA test PKI."""
    with PKIService(key_type="ecdsa") as service:
        yield service


@pytest.fixture(scope="session")
def pki(pki_service: PKIService) -> TestPKI:
    return pki_service.pki


@pytest.fixture(scope="session")
def signing(pki: TestPKI) -> Signing:
    return Signing(signer_for(pki.identity("president", "ecdsa")))


@pytest.fixture(scope="session")
def trust(pki: TestPKI) -> TrustStore:
    return TrustStore([pki.root.certificate_der()])
