"""sign_pdf with PKCS#12 keys at every PAdES level, cross-checked by poppler's pdfsig."""

from __future__ import annotations

import datetime as dt
import io
import logging
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from rokhas_sdk import RokhasError
from rokhas_sdk.signing import (
    AlreadySignedError,
    BrokenPdfError,
    CertificateExpiredError,
    CertificateNotYetValidError,
    CertificateRevokedError,
    EncryptedPdfError,
    KeyUsageError,
    Pkcs12Signer,
    SignatureSlot,
    SigningSession,
    StampOptions,
    TimestampError,
    WrongPassphraseError,
    sign_pdf,
)
from rokhas_sdk.testing.pki import PKIService, TestPKI

from ._pdfsig import pdfsig

LEVELS = ["B-B", "B-T", "B-LT", "B-LTA"]


def _asn1(cert: Any) -> Any:
    from asn1crypto import x509 as ax509
    from cryptography.hazmat.primitives import serialization

    return ax509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _pyhanko_status(data: bytes, pki: TestPKI, index: int = 0) -> Any:
    reader = PdfFileReader(io.BytesIO(data))
    sig = reader.embedded_signatures[index]
    vc = ValidationContext(trust_roots=[_asn1(pki.root.certificate)], allow_fetching=False)
    return reader, sig, validate_pdf_signature(sig, vc)


@pytest.mark.parametrize("key_type", ["rsa", "ecdsa"])
@pytest.mark.parametrize("level", LEVELS)
def test_each_level_signs_and_pdfsig_agrees(
    level: str,
    key_type: str,
    pki_service: PKIService,
    p12_signers: dict[tuple[str, str], Pkcs12Signer],
    plain_pdf: bytes,
    nssdir: Path,
    tmp_path: Path,
) -> None:
    pki = pki_service.pki
    signer = p12_signers[("president", key_type)]
    signed = sign_pdf(
        plain_pdf,
        signer,
        level=level,  # type: ignore[arg-type]
        tsa_url=pki_service.tsa_url,
        certify=True,
        reference="PC-2026-0042",
        reason="Autorisation de construire",
        location="Tanger",
    )
    assert signed.startswith(plain_pdf)  # an incremental update: the original is kept
    report = pdfsig(signed, nssdir=nssdir, tmp=tmp_path)
    first = report[0]
    assert first.valid, first.fields
    assert first.trusted, first.fields
    assert first.common_name == "Karim BENNANI"
    assert first.fields["Signature Type"] == "ETSI.CAdES.detached"
    assert first.fields["Signing Hash Algorithm"] == "SHA-256"

    reader, sig, status = _pyhanko_status(signed, pki)
    assert status.intact
    assert status.valid
    assert status.trusted
    assert sig.docmdp_level is not None  # certification signature
    has_ts = status.timestamp_validity is not None
    assert has_ts == (level != "B-B")
    if has_ts:
        assert status.timestamp_validity.intact
        assert status.timestamp_validity.valid
    dss = reader.root.get("/DSS")
    assert (dss is not None) == (level in ("B-LT", "B-LTA"))
    if dss is not None:
        dss = dss.get_object()
        assert len(dss["/OCSPs"].get_object()) >= 1
        assert len(dss["/CRLs"].get_object()) >= 1
    doc_ts = [s for s in reader.embedded_signatures if s.sig_object_type == "/DocTimeStamp"]
    assert len(doc_ts) == (1 if level == "B-LTA" else 0)
    if level == "B-LTA":
        # pdfsig lists the document timestamp too (it cannot verify RFC 3161 ones)
        assert any(s.is_document_timestamp for s in report)
    # B-LT and B-LTA append the DSS (and the document timestamp) after the signature
    assert first.covers_whole_file == (level in ("B-B", "B-T"))


def test_president_certifies_then_cosigners_approve(
    p12_signers: dict[tuple[str, str], Pkcs12Signer],
    pki: TestPKI,
    plain_pdf: bytes,
    nssdir: Path,
    tmp_path: Path,
) -> None:
    slots = [
        SignatureSlot("architect", box=(36, 40, 277, 131), page=0),
        SignatureSlot("commission-1", box=(36, 140, 277, 231), page=0),
    ]
    doc = sign_pdf(
        plain_pdf,
        p12_signers[("president", "rsa")],
        certify=True,
        reference="X-1",
        field_name="president",
        slots=slots,
    )
    doc = sign_pdf(doc, p12_signers[("architect", "ecdsa")], field_name="architect")
    doc = sign_pdf(doc, p12_signers[("commission_member", "rsa")], field_name="commission-1")
    report = pdfsig(doc, nssdir=nssdir, tmp=tmp_path)
    # pdfsig lists fields in form order, not signing order
    assert sorted(s.common_name for s in report) == [
        "Karim BENNANI",
        "Salma EL IDRISSI",
        "Youssef AMRANI",
    ]
    assert all(s.valid and s.trusted for s in report), [s.fields for s in report]
    reader = PdfFileReader(io.BytesIO(doc))
    sigs = reader.embedded_signatures
    assert sigs[0].docmdp_level is not None
    assert sigs[1].docmdp_level is None
    assert sigs[2].docmdp_level is None
    # the certification allows form filling, so the later approvals are legitimate
    vc = ValidationContext(trust_roots=[_asn1(pki.root.certificate)], allow_fetching=False)
    for sig in sigs:
        status = validate_pdf_signature(sig, vc)
        assert status.docmdp_ok, status.pretty_print_details()  # type: ignore[no-untyped-call]
        assert status.bottom_line


def test_a_new_visible_field_after_certification_is_flagged(
    p12_signers: dict[tuple[str, str], Pkcs12Signer], pki: TestPKI, plain_pdf: bytes, tmp_path: Path
) -> None:
    # why SignatureSlot exists: pyHanko's diff analysis rejects the late field
    doc = sign_pdf(plain_pdf, p12_signers[("president", "rsa")], certify=True)
    doc = sign_pdf(doc, p12_signers[("architect", "rsa")], stamp=StampOptions(page=0))
    # pdfsig checks the cryptography only (no revision analysis): both "valid"
    assert all(sig.valid for sig in pdfsig(doc, tmp=tmp_path))
    reader = PdfFileReader(io.BytesIO(doc))
    vc = ValidationContext(trust_roots=[_asn1(pki.root.certificate)], allow_fetching=False)
    assert not validate_pdf_signature(reader.embedded_signatures[0], vc).docmdp_ok


def test_certifying_a_signed_document_is_refused(
    p12_signers: dict[tuple[str, str], Pkcs12Signer], plain_pdf: bytes, tmp_path: Path
) -> None:
    once = sign_pdf(plain_pdf, p12_signers[("architect", "rsa")], visible=False)
    assert pdfsig(once, tmp=tmp_path)[0].valid
    with pytest.raises(AlreadySignedError, match="first"):
        sign_pdf(once, p12_signers[("president", "rsa")], certify=True)


def test_stamp_text_is_extractable_in_both_languages(
    p12_signers: dict[tuple[str, str], Pkcs12Signer], plain_pdf: bytes, tmp_path: Path
) -> None:
    import subprocess

    from conftest import require_tool

    require_tool("pdftotext")
    signed = sign_pdf(
        plain_pdf,
        p12_signers[("president", "rsa")],
        stamp=StampOptions(name_ar="كريم بناني", title_ar="رئيس المجلس الجماعي"),
        reference="PC-2026-0042",
    )
    path = tmp_path / "s.pdf"
    path.write_bytes(signed)
    assert pdfsig(path)[0].valid
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = unicodedata.normalize("NFKC", text)
    for word in ("Signé électroniquement", "Karim BENNANI", "Président du conseil communal"):
        assert word in flat
    for word in ("توقيع إلكتروني", "رئيس المجلس الجماعي", "كريم بناني"):
        assert word in flat, (word, flat)


@pytest.mark.parametrize("reuse_seconds", [300.0, 0.0])
def test_batch_reuses_timestamp_and_revocation_data(
    reuse_seconds: float,
    pki_service: PKIService,
    p12_signers: dict[tuple[str, str], Pkcs12Signer],
    plain_pdf: bytes,
    nssdir: Path,
    tmp_path: Path,
) -> None:
    signer = p12_signers[("president", "ecdsa")]
    session = SigningSession(
        signer,
        level="B-LTA",
        tsa_url=pki_service.tsa_url,
        visible=False,
        revinfo_reuse_seconds=reuse_seconds,
    )
    before = dict(pki_service.hits)
    first = session.sign(plain_pdf)
    # with reuse, later documents get the first one's DSS content without re-validation
    assert (session._revinfo is not None) == (reuse_seconds > 0)
    after_first = dict(pki_service.hits)
    rest = session.sign_many([plain_pdf, plain_pdf, plain_pdf])
    after_all = dict(pki_service.hits)

    def delta(a: dict[str, int], b: dict[str, int], key: str) -> int:
        return b.get(key, 0) - a.get(key, 0)

    # the first document pays for the size-estimation timestamp and the revocation data
    assert delta(before, after_first, "tsa") == 3  # estimate + signature + document ts
    assert delta(before, after_first, "ocsp") >= 1
    # later ones only for their two timestamps: OCSP and CRLs come from the cache
    assert delta(after_first, after_all, "tsa") == 2 * len(rest)
    assert delta(after_first, after_all, "ocsp") == 0
    assert delta(after_first, after_all, "crl") == 0
    for doc in [first, *rest]:
        report = pdfsig(doc, nssdir=nssdir, tmp=tmp_path)
        assert report[0].valid
        assert report[0].trusted
        _assert_lta_offline(doc, pki_service.pki)


def _assert_lta_offline(doc: bytes, pki: TestPKI) -> None:
    """The DSS alone (no network, revocation required) validates the signature and its
    timestamp, and a document timestamp closes the revision: B-LTA."""
    from pyhanko.sign.validation import validate_pdf_timestamp
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    reader = PdfFileReader(io.BytesIO(doc))
    dss = DocumentSecurityStore.read_dss(reader)
    vc = dss.as_validation_context(
        {
            "trust_roots": [_asn1(pki.root.certificate)],
            "allow_fetching": False,
            "revocation_mode": "hard-fail",
        }
    )
    sig, doc_ts = reader.embedded_signatures
    status = validate_pdf_signature(sig, vc)
    assert status.bottom_line, status.pretty_print_details()  # type: ignore[no-untyped-call]
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.trusted
    # the signature's VRI entry exists (keyed by the SHA-1 of its contents)
    vri = reader.root["/DSS"]["/VRI"]
    import hashlib

    key = "/" + hashlib.sha1(sig.pkcs7_content).hexdigest().upper()
    assert key in vri
    assert doc_ts.sig_object_type == "/DocTimeStamp"
    ts_status = validate_pdf_timestamp(doc_ts, validation_context=vc)
    assert ts_status.intact
    assert ts_status.valid


def test_expired_and_not_yet_valid_certificates(pki: TestPKI, plain_pdf: bytes) -> None:
    now = dt.datetime.now(dt.UTC)
    expired = pki.issue(
        "president", not_before=now - dt.timedelta(days=900), not_after=now - dt.timedelta(days=1)
    )
    signer = Pkcs12Signer(expired.key, expired.certificate, expired.chain)
    with pytest.raises(CertificateExpiredError, match="expired on") as info:
        sign_pdf(plain_pdf, signer)
    assert info.value.code == "certificate_expired"
    future = pki.issue("president", not_before=now + dt.timedelta(days=3))
    with pytest.raises(CertificateNotYetValidError, match="clock"):
        sign_pdf(plain_pdf, Pkcs12Signer(future.key, future.certificate, future.chain))


def test_certificate_without_non_repudiation_is_refused(pki: TestPKI, plain_pdf: bytes) -> None:
    auth_only = pki.issue("architect", non_repudiation=False)
    signer = Pkcs12Signer(auth_only.key, auth_only.certificate, auth_only.chain)
    assert not signer.has_non_repudiation
    with pytest.raises(KeyUsageError, match="nonRepudiation"):
        sign_pdf(plain_pdf, signer)


@pytest.mark.parametrize("level", ["B-B", "B-LT"])
def test_revoked_certificate_is_refused(
    level: str, pki_service: PKIService, plain_pdf: bytes
) -> None:
    pki = pki_service.pki
    victim = pki.issue("commission_member", key_type="ecdsa")
    pki.revoke(victim, when=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    signer = Pkcs12Signer(victim.key, victim.certificate, victim.chain)
    with pytest.raises(CertificateRevokedError, match="revoked"):
        sign_pdf(
            plain_pdf,
            signer,
            level=level,  # type: ignore[arg-type]
            tsa_url=pki_service.tsa_url,
            check_revocation=True,
        )


def test_unreachable_tsa_is_a_typed_error(
    p12_signers: dict[tuple[str, str], Pkcs12Signer], plain_pdf: bytes
) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TimestampError, match="time-stamping authority"):
        sign_pdf(
            plain_pdf,
            p12_signers[("president", "rsa")],
            level="B-T",
            tsa_url=f"http://127.0.0.1:{port}/tsa",
        )


def test_level_above_b_b_needs_a_tsa(p12_signers: dict[tuple[str, str], Pkcs12Signer]) -> None:
    with pytest.raises(RokhasError, match="time-stamping"):
        SigningSession(p12_signers[("president", "rsa")], level="B-T")
    with pytest.raises(RokhasError, match="unknown PAdES level"):
        SigningSession(p12_signers[("president", "rsa")], level="B-X")  # type: ignore[arg-type]


def test_encrypted_pdf_is_refused(p12_signers: dict[tuple[str, str], Pkcs12Signer]) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica")
    pdf.cell(text="secret")
    pdf.set_encryption(owner_password="owner", user_password="")
    with pytest.raises(EncryptedPdfError, match="encrypted"):
        sign_pdf(bytes(pdf.output()), p12_signers[("president", "rsa")])


@pytest.mark.parametrize(
    "blob",
    [b"", b"hello", b"%PDF-1.7\n%%EOF", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"],
)
def test_broken_pdfs_are_typed_errors(
    blob: bytes, p12_signers: dict[tuple[str, str], Pkcs12Signer]
) -> None:
    with pytest.raises(BrokenPdfError, match="not a readable PDF"):
        sign_pdf(blob, p12_signers[("president", "rsa")], visible=False)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=10_000), noise=st.binary(max_size=64))
def test_damaged_pdfs_never_leak_dependency_errors(
    cut: int, noise: bytes, p12_signers: dict[tuple[str, str], Pkcs12Signer], plain_pdf: bytes
) -> None:
    damaged = plain_pdf[: cut % (len(plain_pdf) + 1)] + noise
    try:
        out = sign_pdf(damaged, p12_signers[("president", "rsa")], visible=False)
    except RokhasError:
        return
    assert out.startswith(damaged)
    # whatever pyHanko could repair and sign, poppler must accept too
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        report = pdfsig(out, tmp=Path(tmp))
    assert report[-1].valid, report[-1].fields


def test_wrong_passphrase_and_no_secret_anywhere(
    pki: TestPKI, p12_passphrase: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    blob = pki.identity("president").pkcs12(p12_passphrase)
    path = tmp_path / "president.p12"
    path.write_bytes(blob)
    canary_wrong = "CANARY-wrong-77"
    with pytest.raises(WrongPassphraseError, match="passphrase is wrong") as info:
        Pkcs12Signer.from_file(path, SecretStr(canary_wrong))
    exc = info.value
    for text in (str(exc), repr(exc), repr(exc.args), caplog.text):
        assert canary_wrong not in text
        assert p12_passphrase not in text
    signer = Pkcs12Signer.from_file(path, p12_passphrase)  # a plain str is accepted too
    assert p12_passphrase not in repr(signer)
    assert p12_passphrase not in str(vars(signer))
    with pytest.raises(WrongPassphraseError, match="PKCS#12"):
        Pkcs12Signer.from_bytes(b"not a p12", "x")


def test_signer_reports_identity(p12_signers: dict[tuple[str, str], Pkcs12Signer]) -> None:
    s = p12_signers[("president", "ecdsa")]
    assert s.name == "Karim BENNANI"
    assert s.cin == "BK123456"
    assert s.title == "Président du conseil communal"
    assert s.organization == "Commune de Casablanca"
    assert s.key_type == "ecdsa"
    assert len(s.chain) == 2
    assert s.chain[-1].subject == s.chain[-1].issuer
    assert s.not_before < s.not_after


def test_output_file_and_path_input(
    p12_signers: dict[tuple[str, str], Pkcs12Signer], plain_pdf: bytes, tmp_path: Path
) -> None:
    src = tmp_path / "in.pdf"
    src.write_bytes(plain_pdf)
    out = tmp_path / "out.pdf"
    data = sign_pdf(src, p12_signers[("architect", "rsa")], output=out, visible=False)
    assert out.read_bytes() == data
    assert pdfsig(out)[0].valid
    with pytest.raises(RokhasError, match="directory"):
        sign_pdf(tmp_path, p12_signers[("architect", "rsa")])
