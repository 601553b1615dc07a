"""Signer construction edge cases: PKCS#12 files without a key or with an unusable key,
certificates without key usage, RSA-PSS, and the token signer's repr."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from rokhas_sdk import InvalidInputError
from rokhas_sdk.signing import (
    KeyUsageError,
    Pkcs11Signer,
    Pkcs12Signer,
    WrongPassphraseError,
    sign_pdf,
)
from rokhas_sdk.signing._signers import as_secret, certificate_fingerprint
from rokhas_sdk.testing.pki import TestPKI

from .conftest import Token

PASS = "CANARY-p12-cov-77"


def _self_signed(key: object, cn: str) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())  # type: ignore[attr-defined]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
    )
    algo = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(key, algo)  # type: ignore[arg-type]


def _p12(key: object, cert: x509.Certificate | None, cas: list[x509.Certificate]) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"x",
        key,  # type: ignore[arg-type]
        cert,
        cas or None,
        serialization.BestAvailableEncryption(PASS.encode()),
    )


def test_as_secret_accepts_utf8_bytes() -> None:
    secret = as_secret("pïn-ü".encode())
    assert isinstance(secret, SecretStr)
    assert secret.get_secret_value() == "pïn-ü"
    assert "pïn" not in repr(secret)
    assert as_secret(secret) is secret


def test_p12_with_only_certificates_is_refused() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _self_signed(key, "Only A Cert")
    blob = _p12(None, None, [cert])
    with pytest.raises(WrongPassphraseError, match="holds no private key with its certificate"):
        Pkcs12Signer.from_bytes(blob, SecretStr(PASS), source="ca.p12")


def test_p12_with_an_ed25519_key_is_refused() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    blob = _p12(key, _self_signed(key, "Edwards"), [])
    with pytest.raises(WrongPassphraseError, match="holds a Ed25519PrivateKey") as info:
        Pkcs12Signer.from_bytes(blob, SecretStr(PASS), source="ed.p12")
    assert "RSA or ECDSA" in str(info.value)
    assert str(info.value).startswith("ed.p12 ")


def test_p12_from_a_directory_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"is a directory: give the \.p12 file"):
        Pkcs12Signer.from_file(tmp_path, SecretStr(PASS))


def test_certificate_without_key_usage_cannot_commit(plain_pdf: bytes) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _self_signed(key, "No Usage")
    signer = Pkcs12Signer.from_bytes(_p12(key, cert, []), SecretStr(PASS))
    assert signer.has_non_repudiation is False
    with pytest.raises(KeyUsageError, match="No Usage"):
        signer.require_non_repudiation()
    assert (
        certificate_fingerprint(cert)
        == hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    )


def test_rsa_pss_signature_verifies_with_the_certificate(plain_pdf: bytes) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    pki = TestPKI.create(key_type="rsa")
    who = pki.identity("president", "rsa")
    signer = Pkcs12Signer.from_bytes(who.pkcs12(PASS), SecretStr(PASS), prefer_pss=True)
    signed = sign_pdf(plain_pdf, signer, visible=False)
    (sig,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    algo = sig.signer_info["signature_algorithm"]["algorithm"].native
    assert algo == "rsassa_pss"
    # the PSS signature really is the certificate key's signature over the signed attributes
    from cryptography.hazmat.primitives.asymmetric import padding

    signed_attrs = sig.signer_info["signed_attrs"].untag().dump()
    public = who.certificate.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(
        sig.signer_info["signature"].native,
        signed_attrs,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
        hashes.SHA256(),
    )


def test_token_signer_repr_names_token_and_holder_never_the_pin(token: Token) -> None:
    with Pkcs11Signer.open(token.hsm.module, token.label, token.pin, key_label="sign") as s:
        text = repr(s)
    assert text == "Pkcs11Signer(token='PRESIDENT', name='Karim BENNANI', key_type='rsa')"
    assert token.pin not in text
