"""Fixtures of the signing tests: one loopback PKI service for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rokhas_sdk.testing.pki import PKIService, TestPKI


@pytest.fixture(scope="session")
def pki_service() -> Iterator[PKIService]:
    """A running OCSP/CRL/TSA service on 127.0.0.1 with its PKI (RSA CAs)."""
    with PKIService() as service:
        yield service


@pytest.fixture(scope="session")
def pki(pki_service: PKIService) -> TestPKI:
    """The PKI served by :func:`pki_service`."""
    return pki_service.pki
