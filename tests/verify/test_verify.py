# mypy: disable-error-code="no-untyped-call"
"""verify_pdf: the report's facts, trust paths, PAdES levels, revocation, the permit."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import json
from typing import Any

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.embed import EmbeddedFileObject, FileSpec, embed_file
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko_certvalidator import ValidationContext

from rokhas_sdk import InvalidInputError, NotFoundError
from rokhas_sdk.models import Permit
from rokhas_sdk.procedure import CASABLANCA as CASA  # from tzdata, never the host
from rokhas_sdk.signing import (
    Coverage,
    Indication,
    Integrity,
    Modification,
    PadesLevel,
    RevocationSource,
    RevocationStatus,
    SubIndication,
    TrustStore,
    verify_pdf,
)
from rokhas_sdk.testing.pki import PKIService, TestPKI

from .verify_corpus import Signing, base_pdf, signer_for


@pytest.fixture(scope="module")
def signed(signing: Signing) -> bytes:
    return signing.sign(base_pdf())


def test_report_describes_the_signature(signed: bytes, trust: TrustStore, pki: TestPKI) -> None:
    report = verify_pdf(signed, trust=trust)
    assert report.document.indication is Indication.TOTAL_PASSED
    assert report.sha256 == hashlib.sha256(signed).hexdigest()
    assert report.size == len(signed)
    assert report.validated_at.tzinfo is not None
    assert report.validated_at.utcoffset() == dt.datetime.now(CASA).utcoffset()
    (sig,) = report.signatures
    president = pki.identity("president", "ecdsa")
    assert sig.field == "Signature1"
    assert sig.integrity is Integrity.INTACT
    assert sig.coverage is Coverage.ENTIRE_FILE
    assert sig.modified_after_signing is Modification.NONE
    assert sig.level is PadesLevel.B_B
    assert sig.signer is not None
    assert (
        sig.signer.name
        == president.certificate.subject.get_attributes_for_oid(
            __import__("cryptography.x509.oid", fromlist=["NameOID"]).NameOID.COMMON_NAME
        )[0].value
    )
    assert sig.signer.cin == president.cin
    assert sig.signer.certificate_sha256 == hashlib.sha256(president.certificate_der()).hexdigest()
    assert sig.signer.serial_number == format(president.serial_number, "x")
    assert len(sig.trust_path) == 3
    assert "Root" in sig.trust_path[-1]
    assert sig.signing_time is not None
    assert abs(sig.signing_time - dt.datetime.now(CASA)) < dt.timedelta(minutes=30)
    # offline, nothing embedded: the status is unknown and the report says so
    assert sig.revocation.status is RevocationStatus.UNKNOWN
    assert sig.revocation.source is RevocationSource.NONE
    assert any("revocation" in w for w in sig.warnings)


def test_cli_shape_uses_the_issue_names(signed: bytes, trust: TrustStore) -> None:
    entry = verify_pdf(signed, trust=trust).cli_dict()
    assert set(entry) == {
        "file",
        "size",
        "sha256",
        "validated_at",
        "revocation_mode",
        "document",
        "signatures",
        "findings",
        "permit",
    }
    assert entry["size"] == len(signed)
    assert entry["sha256"] == hashlib.sha256(signed).hexdigest()
    assert entry["revocation_mode"] == "offline"
    assert set(entry["document"]) == {"indication", "subindication", "errors"}
    sig = entry["signatures"][0]
    assert set(sig) == {
        "field",
        "fields",
        "type",
        "integrity",
        "coverage",
        "modified_after_signing",
        "changes",
        "indication",
        "subindication",
        "level",
        "signer",
        "signing_time",
        "timestamp",
        "certification",
        "mdp",
        "trust_path",
        "revocation",
        "errors",
        "warnings",
    }
    assert sig["type"] == "signature"
    assert sig["fields"] == [sig["field"]]
    assert len(sig["trust_path"]) == 3
    assert sig["revocation"]["status"] == "unknown"
    assert any("revocation" in w for w in sig["warnings"])
    assert entry["signatures"][0]["integrity"] == "intact"
    assert entry["document"]["indication"] == "TOTAL_PASSED"
    json.dumps(entry)


def test_sources_path_bytes_and_file_agree(signed: bytes, trust: TrustStore, tmp_path: Any) -> None:
    path = tmp_path / "p.pdf"
    path.write_bytes(signed)
    by_path = verify_pdf(path, trust=trust)
    by_str = verify_pdf(str(path), trust=trust)
    with path.open("rb") as fh:
        by_file = verify_pdf(fh, trust=trust)
    by_bytes = verify_pdf(bytearray(signed), trust=trust)
    assert by_path.file == str(path)
    for rep in (by_path, by_str, by_file, by_bytes):
        assert rep.document.indication is Indication.TOTAL_PASSED
        assert rep.sha256 == by_path.sha256


def test_bad_arguments_raise_our_errors(signed: bytes, trust: TrustStore, tmp_path: Any) -> None:
    with pytest.raises(InvalidInputError, match="revocation"):
        verify_pdf(signed, trust=trust, revocation="sometimes")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="timezone"):
        verify_pdf(signed, trust=trust, at=dt.datetime(2026, 1, 1))
    with pytest.raises(InvalidInputError, match="TrustStore"):
        verify_pdf(signed, trust=["root.pem"])  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        verify_pdf(tmp_path / "missing.pdf", trust=trust)
    with pytest.raises(InvalidInputError, match="binary"):
        verify_pdf(io.StringIO("%PDF-1.7"), trust=trust)  # type: ignore[arg-type]


def test_not_a_pdf_and_unsigned_pdf(trust: TrustStore) -> None:
    rep = verify_pdf(b"hello, world", trust=trust)
    assert rep.document.indication is Indication.TOTAL_FAILED
    assert rep.document.subindication is SubIndication.FORMAT_FAILURE
    rep = verify_pdf(base_pdf(), trust=trust)
    assert rep.document.indication is Indication.INDETERMINATE
    assert rep.document.subindication is SubIndication.SIGNED_DATA_NOT_FOUND
    assert rep.signatures == []


def test_untrusted_root_is_named(signed: bytes, pki: TestPKI) -> None:
    rep = verify_pdf(signed, trust=TrustStore())
    assert rep.document.indication is Indication.INDETERMINATE
    (sig,) = rep.signatures
    assert sig.subindication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    assert any("Rokhas TEST Root CA" in e for e in sig.errors)


def test_missing_intermediate_is_named_and_can_be_supplied(pki: TestPKI, trust: TrustStore) -> None:
    ident = pki.identity("architect", "ecdsa")
    bare = signer_for(ident)
    bare = signers.SimpleSigner(
        signing_cert=bare.signing_cert,
        signing_key=bare.signing_key,
        cert_registry=__import__(
            "pyhanko_certvalidator.registry", fromlist=["SimpleCertificateStore"]
        ).SimpleCertificateStore(),
    )
    data = Signing(bare).sign(base_pdf())
    rep = verify_pdf(data, trust=trust)
    assert rep.document.indication is Indication.INDETERMINATE
    msg = " ".join(rep.signatures[0].errors)
    assert "Rokhas TEST Qualified CA" in msg
    assert "missing" in msg
    completed = TrustStore(trust.anchors_der, intermediates=[pki.intermediate.certificate_der()])
    assert verify_pdf(data, trust=completed).document.indication is Indication.TOTAL_PASSED


def test_validation_time_before_the_certificate(signed: bytes, trust: TrustStore) -> None:
    past = dt.datetime(2000, 1, 1, tzinfo=CASA)
    rep = verify_pdf(signed, trust=trust, at=past)
    assert rep.document.indication is not Indication.TOTAL_PASSED
    assert rep.signatures[0].subindication is not None
    assert rep.validated_at == past


def test_expired_signer_certificate(pki: TestPKI, trust: TrustStore) -> None:
    now = dt.datetime.now(dt.UTC)
    old = pki.issue(
        "commission_member",
        key_type="ecdsa",
        not_before=now - dt.timedelta(days=30),
        not_after=now - dt.timedelta(days=1),
    )
    data = Signing(signer_for(old)).sign(base_pdf())
    rep = verify_pdf(data, trust=trust)
    assert rep.document.indication is not Indication.TOTAL_PASSED


async def test_works_inside_a_running_event_loop(signed: bytes, trust: TrustStore) -> None:
    assert asyncio.get_running_loop() is not None
    rep = verify_pdf(signed, trust=trust)
    assert rep.document.indication is Indication.TOTAL_PASSED


# ---------------------------------------------------------------- levels and revocation


def _sign_with(
    pdf: bytes,
    signer: signers.Signer,
    service: PKIService,
    *,
    tsa: bool = False,
    ltv: bool = False,
    lta: bool = False,
) -> bytes:
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    vc = ValidationContext(
        trust_roots=[
            __import__("asn1crypto.x509", fromlist=["Certificate"]).Certificate.load(
                service.pki.root.certificate_der()
            )
        ],
        allow_fetching=True,
    )
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1",
        subfilter=fields.SigSeedSubFilter.PADES,
        embed_validation_info=ltv,
        use_pades_lta=lta,
        validation_context=vc if ltv else None,
    )
    ts = timestamps.HTTPTimeStamper(service.tsa_url) if tsa else None
    out = signers.sign_pdf(w, meta, signer=signer, timestamper=ts)
    return bytes(out.getvalue())


def test_b_t_has_a_valid_timestamp(
    signing: Signing, pki_service: PKIService, trust: TrustStore
) -> None:
    data = _sign_with(base_pdf(), signing.signer, pki_service, tsa=True)
    rep = verify_pdf(data, trust=trust)
    (sig,) = rep.signatures
    assert rep.document.indication is Indication.TOTAL_PASSED, rep.document.errors
    assert sig.level is PadesLevel.B_T
    assert sig.timestamp is not None
    assert sig.timestamp.valid
    assert sig.timestamp.tsa is not None
    assert "Time-Stamping" in sig.timestamp.tsa


def test_b_lt_and_b_lta_offline(
    signing: Signing, pki_service: PKIService, trust: TrustStore
) -> None:
    lt = _sign_with(base_pdf(), signing.signer, pki_service, tsa=True, ltv=True)
    rep = verify_pdf(lt, trust=trust)
    assert rep.document.indication is Indication.TOTAL_PASSED, rep.document.errors
    sig = next(s for s in rep.signatures if s.kind.value == "signature")
    assert sig.level is PadesLevel.B_LT
    assert sig.revocation.status is RevocationStatus.GOOD
    assert sig.revocation.source is RevocationSource.EMBEDDED

    lta = _sign_with(base_pdf(), signing.signer, pki_service, tsa=True, ltv=True, lta=True)
    rep = verify_pdf(lta, trust=trust)
    assert rep.document.indication is Indication.TOTAL_PASSED, rep.document.errors
    kinds = [s.kind.value for s in rep.signatures]
    assert kinds == ["signature", "document_timestamp"]
    assert rep.signatures[0].level is PadesLevel.B_LTA
    assert rep.signatures[0].modified_after_signing is Modification.ALLOWED


def test_revoked_signer_fetched_online(pki_service: PKIService, trust: TrustStore) -> None:
    pki = pki_service.pki
    victim = pki.issue("architect", key_type="ecdsa")
    data = Signing(signer_for(victim)).sign(base_pdf())
    pki.revoke(victim, when=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
    offline = verify_pdf(data, trust=trust)
    assert offline.signatures[0].revocation.status is RevocationStatus.UNKNOWN
    rep = verify_pdf(data, trust=trust, revocation="soft-fail")
    assert rep.document.indication is not Indication.TOTAL_PASSED
    assert rep.signatures[0].subindication in {
        SubIndication.REVOKED,
        SubIndication.REVOKED_NO_POE,
    }
    assert rep.signatures[0].revocation.status is RevocationStatus.REVOKED
    good = verify_pdf(
        Signing(signer_for(pki.identity("president", "ecdsa"))).sign(base_pdf()),
        trust=trust,
        revocation="hard-fail",
    )
    assert good.document.indication is Indication.TOTAL_PASSED, good.document.errors
    assert good.signatures[0].revocation.status is RevocationStatus.GOOD
    assert good.signatures[0].revocation.source is RevocationSource.FETCHED


def test_hard_fail_without_reachable_responder(trust: TrustStore) -> None:
    dead = TestPKI.create(key_type="ecdsa", base_url="http://127.0.0.1:9")
    data = Signing(signer_for(dead.identity("president", "ecdsa"))).sign(base_pdf())
    store = TrustStore([dead.root.certificate_der()])
    assert verify_pdf(data, trust=store).document.indication is Indication.TOTAL_PASSED
    rep = verify_pdf(data, trust=store, revocation="hard-fail")
    assert rep.document.indication is Indication.INDETERMINATE


# ---------------------------------------------------------------- the embedded permit


def _permit() -> Permit:
    return Permit.model_validate(
        {
            "number": "PC-2026-0001",
            "dossier_reference": "D-2026-77",
            "kind": "URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
            "commune": "141.01.01",
            "commune_name_fr": "Casablanca",
            "commune_name_ar": "الدار البيضاء",
            "beneficiary_name": "Test Bénéficiaire",
            "beneficiary_id": "BK123456",
            "object_fr": "Construction d'une maison",
            "object_ar": "بناء منزل",
            "address": "1 rue Test",
            "issued_on": "2026-11-28",
            "signatory": {"name": "Karim", "title_fr": "Président", "title_ar": "رئيس"},
        }
    )


def _with_permit(pdf: bytes, permit_json: bytes) -> bytes:
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    ef = EmbeddedFileObject.from_file_data(w, permit_json, mime_type="application/json")
    embed_file(w, FileSpec(file_spec_string="permit.json", embedded_data=ef))
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def test_embedded_permit_is_returned_and_covered(signing: Signing, trust: TrustStore) -> None:
    permit = _permit()
    pdf = _with_permit(base_pdf(f"Permis {permit.number}"), permit.model_dump_json().encode())
    rep = verify_pdf(signing.sign(pdf), trust=trust)
    assert rep.document.indication is Indication.TOTAL_PASSED, rep.document.errors
    assert rep.permit is not None
    assert rep.permit.permit == permit
    assert rep.permit.covered
    assert rep.permit.reference == permit.number
    assert rep.permit.reference_matches is True


def test_permit_reference_not_on_the_page(signing: Signing, trust: TrustStore) -> None:
    permit = _permit()
    pdf = _with_permit(base_pdf("Permis PC-2026-9999"), permit.model_dump_json().encode())
    rep = verify_pdf(signing.sign(pdf), trust=trust)
    assert rep.permit is not None
    assert rep.permit.reference_matches is False
    assert rep.document.indication is Indication.INDETERMINATE


def test_permit_added_after_signing_is_not_covered(signing: Signing, trust: TrustStore) -> None:
    permit = _permit()
    signed_pdf = signing.sign(base_pdf(f"Permis {permit.number}"))
    rep = verify_pdf(_with_permit(signed_pdf, permit.model_dump_json().encode()), trust=trust)
    assert rep.document.indication is not Indication.TOTAL_PASSED
    assert rep.permit is not None
    assert not rep.permit.covered


def test_permit_that_does_not_validate(signing: Signing, trust: TrustStore) -> None:
    pdf = _with_permit(base_pdf(), b'{"number": "PC-1", "kind": "nonsense"}')
    rep = verify_pdf(signing.sign(pdf), trust=trust)
    assert rep.permit is not None
    assert rep.permit.permit is None
    assert any("does not validate" in p for p in rep.permit.problems)
    bad = _with_permit(base_pdf(), b"\xff\xfe not json")
    rep = verify_pdf(signing.sign(bad), trust=trust)
    assert rep.permit is not None
    assert rep.permit.data == {}


def test_unsigned_field_value_in_annotation_does_not_matter(
    signing: Signing, trust: TrustStore
) -> None:
    # a signed file with an unrelated widget annotation stays valid (no false positive)
    w = IncrementalPdfFileWriter(io.BytesIO(base_pdf()))
    page = w.root["/Pages"]["/Kids"][0].get_object()
    page[pdf_name("/Annots")] = generic.ArrayObject(
        [
            w.add_object(
                generic.DictionaryObject(
                    {
                        pdf_name("/Type"): pdf_name("/Annot"),
                        pdf_name("/Subtype"): pdf_name("/Link"),
                        pdf_name("/Rect"): generic.ArrayObject(
                            map(generic.NumberObject, [0, 0, 10, 10])
                        ),
                    }
                )
            )
        ]
    )
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    rep = verify_pdf(signing.sign(out.getvalue()), trust=trust)
    assert rep.document.indication is Indication.TOTAL_PASSED
