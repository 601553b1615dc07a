"""The throw-away PKI and its loopback OCSP / CRL / RFC 3161 service."""

from __future__ import annotations

import datetime as dt
import hashlib
import socket
import urllib.error
import urllib.request

import pytest
from asn1crypto import cms, core, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from rokhas_sdk import ConfigurationError, InvalidInputError
from rokhas_sdk.testing.pki import ROLES, Identity, PKIService, TestPKI


def _post(url: str, body: bytes, ctype: str) -> bytes:
    req = urllib.request.Request(url, data=body, headers={"Content-Type": ctype}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        data: bytes = resp.read()
        return data


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as resp:
        data: bytes = resp.read()
        return data


def _ts_status(der: bytes) -> str:
    # a rejection carries no token, which asn1crypto's TimeStampResp cannot parse
    first = core.Sequence.load(der)[0]
    status: str = tsp.PKIStatusInfo.load(first.dump())["status"].native
    return status


def _verify_issued_by(child: x509.Certificate, parent: x509.Certificate) -> None:
    child.verify_directly_issued_by(parent)


@pytest.mark.parametrize("key_type", ["rsa", "ecdsa"])
@pytest.mark.parametrize("role", sorted(ROLES))
def test_signer_certificates_chain_to_the_root_and_carry_name_and_cin(
    pki: TestPKI, role: str, key_type: str
) -> None:
    ident = pki.identity(role, key_type)  # type: ignore[arg-type]
    cert = ident.certificate
    _verify_issued_by(cert, pki.intermediate.certificate)
    _verify_issued_by(pki.intermediate.certificate, pki.root.certificate)
    _verify_issued_by(pki.root.certificate, pki.root.certificate)
    person = ROLES[role]
    subj = cert.subject
    assert subj.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == f"IDCMA-{person.cin}"
    assert subj.get_attributes_for_oid(NameOID.GIVEN_NAME)[0].value == person.given_name
    assert subj.get_attributes_for_oid(NameOID.SURNAME)[0].value == person.surname
    assert subj.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "MA"
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.content_commitment
    assert ku.digital_signature
    expected = rsa.RSAPublicKey if key_type == "rsa" else ec.EllipticCurvePublicKey
    assert isinstance(cert.public_key(), expected)
    assert ident.key_type == key_type
    # the service's URLs are in the certificate, so pyHanko can fetch revocation data
    aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert any(d.access_location.value.startswith(pki.base_url or "?") for d in aia)
    # cached: the same identity each time
    assert pki.identity(role, key_type) is ident


def test_identity_repr_shows_no_key_material(pki: TestPKI) -> None:
    ident = pki.identity("president")
    text = repr(ident)
    assert "BENNANI" in text
    assert "PRIVATE" not in text
    assert ident.key_pem().decode() not in text


def test_pkcs12_round_trip_with_passphrase(pki: TestPKI) -> None:
    ident = pki.identity("architect", "ecdsa")
    blob = ident.pkcs12("s3cret-canary")
    key, cert, extra = pkcs12.load_key_and_certificates(blob, b"s3cret-canary")
    assert cert == ident.certificate
    assert key is not None
    assert [c.subject for c in extra] == [c.subject for c in ident.chain]
    with pytest.raises(ValueError, match=r"(?i)invalid password|could not"):
        pkcs12.load_key_and_certificates(blob, b"wrong")


def test_issue_expired_and_without_non_repudiation(pki: TestPKI) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=800)
    expired = pki.issue("president", not_before=past, not_after=past + dt.timedelta(days=30))
    assert expired.certificate.not_valid_after_utc < dt.datetime.now(dt.UTC)
    no_nr = pki.issue("architect", non_repudiation=False)
    assert not no_nr.certificate.extensions.get_extension_for_class(
        x509.KeyUsage
    ).value.content_commitment
    assert no_nr is not pki.identity("architect")


def _ocsp_status(service: PKIService, ident: Identity) -> ocsp.OCSPResponse:
    req = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(ident.certificate, service.pki.intermediate.certificate, hashes.SHA256())
        .add_extension(x509.OCSPNonce(b"0123456789abcdef"), critical=False)
        .build()
    )
    der = _post(
        service.ocsp_url,
        req.public_bytes(serialization.Encoding.DER),
        "application/ocsp-request",
    )
    return ocsp.load_der_ocsp_response(der)


def test_ocsp_good_then_revoked_and_crl_follows(pki_service: PKIService) -> None:
    pki = pki_service.pki
    victim = pki.issue("commission_member", key_type="ecdsa")
    resp = _ocsp_status(pki_service, victim)
    assert resp.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert resp.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert resp.serial_number == victim.serial_number
    # signed by the delegated responder, which the intermediate issued
    responder = pki.ocsp_responder
    assert resp.certificates[0] == responder.certificate
    pub = responder.certificate.public_key()
    assert isinstance(pub, rsa.RSAPublicKey)
    pub.verify(resp.signature, resp.tbs_response_bytes, padding.PKCS1v15(), hashes.SHA256())
    nonce = resp.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    assert nonce == b"0123456789abcdef"

    crl = x509.load_der_x509_crl(_get(pki_service.crl_url()))
    assert crl.get_revoked_certificate_by_serial_number(victim.serial_number) is None

    pki.revoke(victim, reason=x509.ReasonFlags.key_compromise)
    assert pki.is_revoked(victim.serial_number)
    resp = _ocsp_status(pki_service, victim)
    assert resp.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert resp.revocation_reason == x509.ReasonFlags.key_compromise
    crl = x509.load_der_x509_crl(_get(pki_service.crl_url()))
    assert crl.is_signature_valid(pki.intermediate.certificate.public_key())  # type: ignore[arg-type]
    entry = crl.get_revoked_certificate_by_serial_number(victim.serial_number)
    assert entry is not None
    root_crl = x509.load_der_x509_crl(_get(pki_service.crl_url("root")))
    assert root_crl.is_signature_valid(pki.root.certificate.public_key())  # type: ignore[arg-type]
    assert len(root_crl) == 0


def test_ocsp_refuses_a_foreign_issuer(pki_service: PKIService) -> None:
    other = TestPKI.create(key_type="ecdsa")
    stranger = other.identity("president")
    req = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(stranger.certificate, other.intermediate.certificate, hashes.SHA1())
        .build()
    )
    der = _post(pki_service.ocsp_url, req.public_bytes(serialization.Encoding.DER), "x")
    assert ocsp.load_der_ocsp_response(der).response_status == (
        ocsp.OCSPResponseStatus.UNAUTHORIZED
    )


def test_revoking_a_foreign_certificate_is_refused(pki: TestPKI) -> None:
    other = TestPKI.create()
    with pytest.raises(InvalidInputError, match="intermediate"):
        pki.revoke(other.identity("president"))


def test_timestamp_token_binds_the_imprint_and_nonce(pki_service: PKIService) -> None:
    digest = hashlib.sha256(b"permit 2026/0001").digest()
    req = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": digest,
            },
            "nonce": 424242,
            "cert_req": True,
        }
    )
    resp = tsp.TimeStampResp.load(
        _post(pki_service.tsa_url, req.dump(), "application/timestamp-query")
    )
    assert resp["status"]["status"].native == "granted"
    signed = resp["time_stamp_token"]["content"]
    tst = signed["encap_content_info"]["content"].parsed
    assert tst["message_imprint"]["hashed_message"].native == digest
    assert tst["nonce"].native == 424242
    gen = tst["gen_time"].native
    assert abs((gen - dt.datetime.now(dt.UTC)).total_seconds()) < 60
    si = signed["signer_infos"][0]
    attrs = {a["type"].native: a["values"][0] for a in si["signed_attrs"]}
    assert attrs["message_digest"].native == hashlib.sha256(tst.dump()).digest()
    tsa_pub = pki_service.pki.tsa.certificate.public_key()
    assert isinstance(tsa_pub, rsa.RSAPublicKey)
    tsa_pub.verify(
        si["signature"].native,
        si["signed_attrs"].untag().dump(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    embedded = {c.chosen.dump() for c in signed["certificates"]}
    assert embedded == {
        pki_service.pki.tsa.certificate_der(),
        pki_service.pki.intermediate.certificate_der(),
    }
    assert isinstance(resp["time_stamp_token"], cms.ContentInfo)


def test_timestamp_rejects_weak_digest(pki: TestPKI) -> None:
    req = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "md5"},
                "hashed_message": b"\x00" * 16,
            },
        }
    )
    assert _ts_status(pki.timestamp_response(req.dump())) == "rejection"


@settings(max_examples=40)
@given(st.binary(max_size=300))
def test_garbage_requests_get_protocol_errors_not_crashes(blob: bytes) -> None:
    pki = _SMALL_PKI
    assert _ts_status(pki.timestamp_response(blob)) in {"rejection", "granted"}
    oresp = ocsp.load_der_ocsp_response(pki.ocsp_response(blob))
    assert oresp.response_status in {
        ocsp.OCSPResponseStatus.MALFORMED_REQUEST,
        ocsp.OCSPResponseStatus.UNAUTHORIZED,
        ocsp.OCSPResponseStatus.SUCCESSFUL,
    }


_SMALL_PKI = TestPKI.create(key_type="ecdsa")


def test_service_serves_certs_404s_and_releases_its_port() -> None:
    with PKIService(key_type="ecdsa") as svc:
        assert svc.running
        der = _get(f"{svc.url}/certs/root.crt")
        assert x509.load_der_x509_certificate(der) == svc.pki.root.certificate
        with pytest.raises(urllib.error.HTTPError) as info:
            _get(f"{svc.url}/nope")
        assert info.value.code == 404
        info.value.close()
        assert svc.hits["certs"] == 1
        port = svc.port
        assert "running" in repr(svc)
    assert not svc.running
    svc.stop()  # idempotent
    with socket.socket() as s:  # the port is free again (a listener would block this)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
    with pytest.raises(ConfigurationError, match="create a new one"):
        svc.start()


def test_offline_pki_has_no_urls_and_writes_files(tmp_path: object) -> None:
    from pathlib import Path

    pki = TestPKI.create(key_type="ecdsa")
    cert = pki.identity("president").certificate
    with pytest.raises(x509.ExtensionNotFound):
        cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    out = pki.write(Path(str(tmp_path)) / "pki", passphrase="pw")
    assert (out / "root.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE")
    _key, c, _ = pkcs12.load_key_and_certificates((out / "president-ecdsa.p12").read_bytes(), b"pw")
    assert c == pki.identity("president", "ecdsa").certificate
    assert pki.trust_roots == [pki.root.certificate]
    assert len(pki.certificates()) == 4
