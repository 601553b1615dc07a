"""Revocation data carried in the DSS: only data signed for the issuer counts, and a
signed "revoked" never leaves a signature valid (regression: it used to be reported
REVOKED next to a TOTAL_PASSED verdict when the certificate declared no CRL/OCSP URL)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from asn1crypto import crl as a_crl
from asn1crypto import ocsp as a_ocsp
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore

from rokhas_sdk.signing import (
    Indication,
    RevocationSource,
    RevocationStatus,
    SubIndication,
    TrustStore,
    verify_pdf,
)
from rokhas_sdk.testing.pki import Identity, TestPKI

from .verify_corpus import Signing, base_pdf, signer_for


@pytest.fixture(scope="module")
def offline_pki() -> TestPKI:
    """Certificates without CRL/OCSP addresses: pyHanko does not look for their status."""
    return TestPKI.create(key_type="ecdsa")


def _with_dss(pdf: bytes, *, ocsps: tuple[bytes, ...] = (), crls: tuple[bytes, ...] = ()) -> bytes:
    sig = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    out = io.BytesIO(pdf)
    DocumentSecurityStore.add_dss(
        out,
        sig.pkcs7_content,
        ocsps=[a_ocsp.OCSPResponse.load(o) for o in ocsps],
        crls=[a_crl.CertificateList.load(c) for c in crls],
    )
    return out.getvalue()


def _ocsp_for(pki: TestPKI, who: Identity) -> bytes:
    req = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(who.certificate, pki.intermediate.certificate, hashes.SHA1())
        .build()
    )
    return pki.ocsp_response(req.public_bytes(serialization.Encoding.DER))


def _signed(pki: TestPKI, role: str) -> tuple[Identity, bytes, TrustStore]:
    who = pki.issue(role, key_type="ecdsa")
    return who, Signing(signer_for(who)).sign(base_pdf()), TrustStore([pki.root.certificate_der()])


@pytest.mark.parametrize("source", ["crl", "ocsp"])
def test_embedded_revoked_status_is_never_valid(offline_pki: TestPKI, source: str) -> None:
    who, pdf, trust = _signed(offline_pki, "architect")
    offline_pki.revoke(who, when=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    if source == "crl":
        data = _with_dss(pdf, crls=(offline_pki.crl(),))
    else:
        data = _with_dss(pdf, ocsps=(_ocsp_for(offline_pki, who),))
    rep = verify_pdf(data, trust=trust)
    sig = rep.signatures[0]
    assert sig.revocation.status is RevocationStatus.REVOKED
    assert sig.revocation.source is RevocationSource.EMBEDDED
    assert sig.revocation.detail == source.upper()
    assert sig.indication is Indication.INDETERMINATE
    assert sig.subindication is SubIndication.REVOKED_NO_POE
    assert sig.errors[0].startswith("the signer's certificate is revoked")
    assert rep.document.indication is Indication.INDETERMINATE
    assert rep.document.subindication is SubIndication.REVOKED_NO_POE


def test_genuine_good_status_is_reported(offline_pki: TestPKI) -> None:
    who, pdf, trust = _signed(offline_pki, "president")
    rep = verify_pdf(_with_dss(pdf, ocsps=(_ocsp_for(offline_pki, who),)), trust=trust)
    assert rep.document.indication is Indication.TOTAL_PASSED, rep.document.errors
    sig = rep.signatures[0]
    assert (sig.revocation.status, sig.revocation.source, sig.revocation.detail) == (
        RevocationStatus.GOOD,
        RevocationSource.EMBEDDED,
        "OCSP",
    )
    assert sig.warnings == []


def test_status_from_another_responder_is_ignored(offline_pki: TestPKI) -> None:
    """An attacker's own CA answers "good" for the signer's serial number."""
    who, pdf, trust = _signed(offline_pki, "commission_member")
    offline_pki.revoke(who, when=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    attacker = TestPKI.create(key_type="ecdsa")
    stranger = attacker.issue("commission_member", key_type="ecdsa")
    # a genuine response of the attacker's CA, re-pointed at the victim's serial number
    own_id = ocsp.load_der_ocsp_request(
        ocsp.OCSPRequestBuilder()
        .add_certificate(stranger.certificate, attacker.intermediate.certificate, hashes.SHA1())
        .build()
        .public_bytes(serialization.Encoding.DER)
    )
    req = (
        ocsp.OCSPRequestBuilder()
        .add_certificate_by_hash(
            own_id.issuer_name_hash, own_id.issuer_key_hash, who.serial_number, hashes.SHA1()
        )
        .build()
    )
    forged = attacker.ocsp_response(req.public_bytes(serialization.Encoding.DER))
    assert ocsp.load_der_ocsp_response(forged).response_status is (
        ocsp.OCSPResponseStatus.SUCCESSFUL
    )
    rep = verify_pdf(_with_dss(pdf, ocsps=(forged,)), trust=trust)
    sig = rep.signatures[0]
    assert sig.revocation.status is RevocationStatus.UNKNOWN
    assert sig.revocation.source is RevocationSource.NONE
    assert sig.warnings == ["revocation not checked: no revocation data is embedded (offline mode)"]
