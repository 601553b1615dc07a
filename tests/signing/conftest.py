"""Fixtures of the signing tests: one loopback PKI service for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from conftest import require_tool
from rokhas_sdk.signing import Pkcs12Signer
from rokhas_sdk.testing.pki import PKIService, TestPKI
from rokhas_sdk.testing.softhsm import SoftHSM


@pytest.fixture(scope="session")
def pki_service() -> Iterator[PKIService]:
    """A running OCSP/CRL/TSA service on 127.0.0.1 with its PKI (RSA CAs)."""
    with PKIService() as service:
        yield service


@pytest.fixture(scope="session")
def pki(pki_service: PKIService) -> TestPKI:
    """The PKI served by :func:`pki_service`."""
    return pki_service.pki


@pytest.fixture(scope="session")
def nssdir(pki: TestPKI, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An NSS database trusting the test root, for pdfsig's certificate check."""
    from ._pdfsig import nss_db

    return nss_db(tmp_path_factory.mktemp("nss"), pki)


@pytest.fixture(scope="session")
def plain_pdf() -> bytes:
    """A small unsigned two-page PDF."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for page in (1, 2):
        pdf.add_page()
        pdf.cell(text=f"Autorisation de construire - page {page}")
    return bytes(pdf.output())


@pytest.fixture(scope="session")
def p12_passphrase() -> str:
    """A canary passphrase: it must never show up in an error, repr or log."""
    return "CANARY-p12-Zq7!x"


@pytest.fixture(scope="session")
def p12_signers(pki: TestPKI, p12_passphrase: str) -> dict[tuple[str, str], Pkcs12Signer]:
    """PKCS#12 signers for every role and key type, loaded once."""
    out = {}
    for role in ("president", "architect", "commission_member"):
        for kt in ("rsa", "ecdsa"):
            blob = pki.identity(role, kt).pkcs12(p12_passphrase)
            out[(role, kt)] = Pkcs12Signer.from_bytes(blob, SecretStr(p12_passphrase))
    return out


SO_PIN = "CANARY-so-9911"
USER_PIN = "CANARY-pin-4242"
TOKEN = "PRESIDENT"


@dataclass
class Token:
    hsm: SoftHSM
    label: str
    pin: str


@pytest.fixture
def token(tmp_path: Path, pki_service: PKIService) -> Iterator[Token]:
    """A fresh SoftHSM2 token (own SOFTHSM2_CONF in tmp_path) holding the president's
    RSA key ("sign", id 01) and ECDSA key ("sign-ec", id 02) with their certificates."""
    require_tool("softhsm2-util")
    hsm = SoftHSM(tmp_path / "softhsm")
    with hsm.activate():
        hsm.init_token(TOKEN, so_pin=SO_PIN, user_pin=USER_PIN)
        pki = pki_service.pki
        hsm.import_identity(TOKEN, USER_PIN, pki.identity("president", "rsa"), label="sign")
        hsm.import_identity(
            TOKEN,
            USER_PIN,
            pki.identity("president", "ecdsa"),
            label="sign-ec",
            key_id=b"\x02",
            with_chain=False,
        )
        yield Token(hsm, TOKEN, USER_PIN)
