"""Temporary throw-away PKI for the verify tests (replaced by rokhas_sdk.testing.pki)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from asn1crypto import keys as a_keys
from asn1crypto import x509 as a_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Party:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def a_cert(self) -> a_x509.Certificate:
        return a_x509.Certificate.load(self.cert.public_bytes(serialization.Encoding.DER))

    @property
    def a_key(self) -> a_keys.PrivateKeyInfo:
        return a_keys.PrivateKeyInfo.load(
            self.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


def _name(cn: str, org: str = "Rokhas Test", serial: str | None = None) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
    ]
    if serial:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
    return x509.Name(attrs)


def issue(
    cn: str,
    issuer: Party | None,
    *,
    ca: bool,
    serial: str | None = None,
    days: int = 3650,
    start: dt.datetime | None = None,
) -> Party:
    key = ec.generate_private_key(ec.SECP256R1())
    now = start or dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    subject = _name(cn, serial=serial)
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        b = b.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    cert = b.sign(issuer.key if issuer else key, hashes.SHA256())
    return Party(cert, key)


@dataclass
class QuickPKI:
    root: Party
    inter: Party
    signer: Party


def make_pki() -> QuickPKI:
    root = issue("Test Root CA", None, ca=True)
    inter = issue("Test Intermediate CA", root, ca=True)
    signer = issue("Président Commune Test", inter, ca=False, serial="CIN-AB123456")
    return QuickPKI(root, inter, signer)


def _signer_obj(self: QuickPKI) -> object:
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    return signers.SimpleSigner(
        signing_cert=self.signer.a_cert,
        signing_key=self.signer.a_key,
        cert_registry=SimpleCertificateStore.from_certs([self.inter.a_cert]),
    )


def _root_pem(self: QuickPKI) -> bytes:
    return self.root.cert.public_bytes(serialization.Encoding.PEM)


QuickPKI.signer_obj = _signer_obj  # type: ignore[attr-defined]
QuickPKI.root_pem = _root_pem  # type: ignore[attr-defined]
