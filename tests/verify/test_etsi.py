"""The ETSI TS 119 102-2 validation report is valid against the published schema and
says what our report says: for a signed permit, a tampered one, document timestamps,
a file without signature, and any text a hostile file can put in a field name."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers, timestamps

from rokhas_sdk.cli import main
from rokhas_sdk.documents import render_permit
from rokhas_sdk.signing import (
    Indication,
    Pkcs12Signer,
    SignatureKind,
    TrustStore,
    VerificationReport,
    sign_pdf,
    verify_pdf,
)
from rokhas_sdk.testing.pki import PKIService, TestPKI

from .test_verify import _permit
from .verify_corpus import base_pdf

etree = pytest.importorskip("lxml.etree")

XSD = Path(__file__).resolve().parents[3] / "shared" / "etsi-xsd" / "1910202xmlSchema.xsd"
VR = "{http://uri.etsi.org/19102/v1.4.1#}"
NS = {"vr": VR[1:-1]}
MAIN = "urn:etsi:019102:mainindication:"


@pytest.fixture(scope="module")
def schema() -> Any:
    if not XSD.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{XSD} is missing: CI must have ../shared/etsi-xsd")
        pytest.skip(f"the ETSI schema is not at {XSD} (../shared/etsi-xsd)")
    return etree.XMLSchema(etree.parse(str(XSD)))


def _valid(schema: Any, report: VerificationReport) -> Any:
    xml = report.to_etsi_xml()
    assert xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    doc = etree.fromstring(xml)
    assert schema.validate(doc), schema.error_log
    return doc


def _statuses(doc: Any) -> list[tuple[str, list[str]]]:
    """(main indication, sub-indications) of each top-level SignatureValidationReport."""
    out = []
    for svr in doc.findall("vr:SignatureValidationReport", NS):
        status = svr.find("vr:SignatureValidationStatus", NS)
        out.append(
            (
                status.findtext("vr:MainIndication", namespaces=NS),
                [s.text for s in status.findall("vr:SubIndication", NS)],
            )
        )
    return out


def _document_status(doc: Any) -> str:
    (obj,) = doc.xpath("//vr:ValidationObject[@id='D-1']", namespaces=NS)
    return str(
        obj.findtext(
            "vr:ValidationReport/vr:SignatureValidationStatus/vr:MainIndication", namespaces=NS
        )
    )


def _objects(doc: Any, kind: str) -> list[Any]:
    return list(
        doc.xpath(
            f"//vr:ValidationObject[vr:ObjectType='urn:etsi:019102:validationObject:{kind}']",
            namespaces=NS,
        )
    )


@pytest.fixture(scope="module")
def president(pki: TestPKI) -> Pkcs12Signer:
    return Pkcs12Signer.from_bytes(pki.identity("president", "ecdsa").pkcs12("pw"), "pw")


@pytest.fixture(scope="module")
def signed_permit(president: Pkcs12Signer) -> bytes:
    return sign_pdf(render_permit(_permit()).pdf, president, field_name="president", certify=True)


def test_signed_permit(schema: Any, signed_permit: bytes, trust: TrustStore) -> None:
    rep = verify_pdf(signed_permit, trust=trust)
    assert rep.passed, rep.document.errors
    doc = _valid(schema, rep)
    assert _statuses(doc) == [(MAIN + "total-passed", [])]
    svr = doc.find("vr:SignatureValidationReport", NS)
    assert svr.findtext("vr:SignatureIdentifier/vr:DAIdentifier", namespaces=NS) == "president"
    assert svr.findtext("vr:ValidationTimeInfo/vr:ValidationTime", namespaces=NS) == (
        rep.validated_at.isoformat()
    )
    signer = rep.signatures[0].signer
    assert signer is not None
    assert svr.findtext("vr:SignerInformation/vr:Signer", namespaces=NS) == signer.name
    # the signer's certificate is a validation object named by its SHA-256
    ref = svr.find("vr:SignerInformation/vr:SignerCertificate", NS).get("VOReference")
    (cert,) = _objects(doc, "certificate")
    assert cert.get("id") == ref == f"C-{signer.certificate_sha256}"
    assert _document_status(doc) == MAIN + "total-passed"
    facts = {
        e.findtext("vr:Type", namespaces=NS): e.findtext("vr:Value", namespaces=NS)
        for e in svr.iterfind(".//vr:ReportData", NS)
    }
    assert facts["urn:rokhas-sdk:verify:integrity"] == "intact"
    assert facts["urn:rokhas-sdk:verify:certification"] == "form_filling"
    process = "vr:SignatureValidationProcess/vr:SignatureValidationProcessID"
    assert svr.findtext(process, namespaces=NS) == "urn:etsi:019102:validationprocess:Basic"


def test_tampered_permit(schema: Any, signed_permit: bytes, trust: TrustStore) -> None:
    found = re.search(rb"/ByteRange \[(\d+) (\d+)", signed_permit)
    assert found is not None
    start, length = (int(x) for x in found.groups())
    middle = start + length // 2
    tampered = bytearray(signed_permit)
    tampered[middle] ^= 0x01
    rep = verify_pdf(bytes(tampered), trust=trust)
    assert rep.document.indication is not Indication.TOTAL_PASSED
    doc = _valid(schema, rep)
    (sig,) = rep.signatures
    (status,) = _statuses(doc)
    assert (
        status[0]
        == MAIN
        + {"TOTAL_FAILED": "total-failed", "INDETERMINATE": "indeterminate"}[sig.indication.value]
    )
    assert sig.subindication is not None
    assert status[1] == [f"urn:etsi:019102:subindication:{sig.subindication.value}"]
    assert MAIN + "total-passed" not in doc.xpath("//vr:MainIndication/text()", namespaces=NS)


def test_document_timestamps(
    schema: Any, president: Pkcs12Signer, pki_service: PKIService, trust: TrustStore
) -> None:
    """B-LTA: one signature with its signature timestamp, then a document timestamp."""
    pdf = sign_pdf(
        base_pdf("Permis de construire PC-2026-0042"),
        president,
        level="B-LTA",
        tsa_url=pki_service.tsa_url,
        visible=False,
    )
    rep = verify_pdf(pdf, trust=trust)
    kinds = [s.kind for s in rep.signatures]
    assert kinds == [SignatureKind.SIGNATURE, SignatureKind.DOCUMENT_TIMESTAMP]
    doc = _valid(schema, rep)
    # only the signature gets a top-level report; both timestamps are validation objects
    assert len(_statuses(doc)) == 1
    stamps = _objects(doc, "timestamp")
    assert len(stamps) == 2
    for stamp, entry in zip(
        stamps, [rep.signatures[0].timestamp, rep.signatures[1].timestamp], strict=True
    ):
        assert entry is not None
        assert entry.valid
        assert stamp.findtext("vr:POE/vr:POETime", namespaces=NS) == entry.time.isoformat()
        assert (
            stamp.findtext(
                "vr:ValidationReport/vr:SignatureValidationStatus/vr:MainIndication", namespaces=NS
            )
            == MAIN + "passed"
        )
    svr = doc.find("vr:SignatureValidationReport", NS)
    best = svr.find("vr:ValidationTimeInfo/vr:BestSignatureTime", NS)
    assert best.find("vr:POEObject", NS).get("VOReference") == stamps[0].get("id")
    assert (
        svr.findtext("vr:SignatureValidationProcess/vr:SignatureValidationProcessID", namespaces=NS)
        == "urn:etsi:019102:validationprocess:LTVM"  # time and LTV material; never "LTA"
    )


def test_document_timestamp_alone(schema: Any, pki_service: PKIService, trust: TrustStore) -> None:
    """A time-stamped but unsigned file: no signature, the document is not passed."""
    w = IncrementalPdfFileWriter(io.BytesIO(base_pdf()))
    stamper = signers.PdfTimeStamper(timestamps.HTTPTimeStamper(pki_service.tsa_url))
    pdf = bytes(stamper.timestamp_pdf(w, "sha256").getvalue())
    rep = verify_pdf(pdf, trust=trust)
    doc = _valid(schema, rep)
    ((main, subs),) = _statuses(doc)
    assert main == MAIN + "indeterminate"
    assert subs == ["urn:etsi:019102:subindication:SIGNED_DATA_NOT_FOUND"]
    assert doc.find("vr:SignatureValidationReport/vr:SignatureIdentifier", NS) is None
    (stamp,) = _objects(doc, "timestamp")
    assert stamp.find("vr:POE", NS) is not None
    assert _document_status(doc) == MAIN + "indeterminate"


def test_not_a_pdf(schema: Any, trust: TrustStore) -> None:
    rep = verify_pdf(b"%PDF-1.7\n not really", trust=trust)
    doc = _valid(schema, rep)
    ((main, _),) = _statuses(doc)
    assert main != MAIN + "total-passed"
    values = doc.xpath(
        "//vr:ReportData[vr:Type='urn:rokhas-sdk:verify:document-error']/vr:Value/text()",
        namespaces=NS,
    )
    assert rep.document.errors[0] in values


_ANY_TEXT = st.text(max_size=40)


@pytest.fixture(scope="module")
def permit_report(signed_permit: bytes, trust: TrustStore) -> VerificationReport:
    return verify_pdf(signed_permit, trust=trust)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(field=_ANY_TEXT, error=_ANY_TEXT, name=st.none() | st.text(max_size=20))
def test_any_text_from_the_file_stays_valid_xml(
    schema: Any, permit_report: VerificationReport, field: str, error: str, name: str | None
) -> None:
    """Field names, signer names and messages come from the file: control characters,
    surrogates, markup; the XML must still parse and validate, and keep the text readable."""
    rep = permit_report
    sig = rep.signatures[0]
    signer = sig.signer.model_copy(update={"name": name}) if sig.signer else None
    forged = rep.model_copy(
        update={
            "file": field,
            "sha256": None,
            "signatures": [
                sig.model_copy(update={"field": field, "errors": [error], "signer": signer})
            ],
        }
    )
    doc = _valid(schema, forged)
    got = doc.findtext(
        "vr:SignatureValidationReport/vr:SignatureIdentifier/vr:DAIdentifier", namespaces=NS
    )
    # what XML 1.0 cannot carry becomes U+FFFD; line ends become LF, as any parser makes them
    expected = "".join(
        c
        if c in "\t\n" or " " <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd" or c > "\uffff"
        else "\ufffd"
        for c in field.replace("\r\n", "\n").replace("\r", "\n")
    )
    assert (got or "") == expected


def test_cli_etsi_xml(
    schema: Any,
    tmp_path: Path,
    signed_permit: bytes,
    pki: TestPKI,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    path = tmp_path / "permit.pdf"
    path.write_bytes(signed_permit)
    root = tmp_path / "root.pem"
    root.write_bytes(pki.root.certificate_pem())
    assert main(["verify", str(path), "--trust", str(root), "--format", "etsi-xml"]) == 0
    doc = etree.fromstring(capsysbinary.readouterr().out)
    assert schema.validate(doc), schema.error_log
    assert _statuses(doc) == [(MAIN + "total-passed", [])]


@pytest.mark.parametrize(
    "extra",
    [["--json", "--format", "etsi-xml"], ["{second}", "--format", "etsi-xml"]],
    ids=["with-json", "two-files"],
)
def test_cli_etsi_xml_usage(
    tmp_path: Path,
    signed_permit: bytes,
    extra: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "permit.pdf"
    path.write_bytes(signed_permit)
    second = tmp_path / "other.pdf"
    second.write_bytes(signed_permit)
    args = ["verify", str(path), *[a.replace("{second}", str(second)) for a in extra]]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "etsi-xml" in err


def test_hand_built_report_every_branch(schema: Any, permit_report: VerificationReport) -> None:
    """A document timestamp whose token could not be read, a broken signature timestamp,
    structural findings and a permit problem: all land in the XML, still schema-valid."""
    from rokhas_sdk.signing import (
        DocumentConclusion,
        Finding,
        SubIndication,
        TimestampReport,
    )

    sig = permit_report.signatures[0]
    assert permit_report.permit is not None
    when = permit_report.validated_at
    broken_stamp = TimestampReport(time=when, tsa="TSA TEST", valid=False)
    rep = permit_report.model_copy(
        update={
            "document": DocumentConclusion(
                indication=Indication.INDETERMINATE,
                subindication=SubIndication.FORMAT_FAILURE,
                errors=["the strict reader refused the file"],
            ),
            "signatures": [
                sig.model_copy(
                    update={
                        "timestamp": broken_stamp,
                        "indication": Indication.INDETERMINATE,
                        "subindication": SubIndication.GENERIC,
                    }
                ),
                sig.model_copy(
                    update={
                        "field": "DocTS",
                        "kind": SignatureKind.DOCUMENT_TIMESTAMP,
                        "timestamp": None,
                        "indication": Indication.TOTAL_FAILED,
                        "subindication": SubIndication.HASH_FAILURE,
                    }
                ),
            ],
            "findings": [
                Finding(code="lenient_parse", message="tolerant reader", severity="warning")
            ],
            "permit": permit_report.permit.model_copy(
                update={"covered": False, "problems": ["not covered"]}
            ),
        }
    )
    doc = _valid(schema, rep)
    assert _statuses(doc) == [(MAIN + "indeterminate", ["urn:etsi:019102:subindication:GENERIC"])]
    stamps = _objects(doc, "timestamp")
    assert len(stamps) == 2
    assert all(s.find("vr:POE", NS) is None for s in stamps)  # neither proves anything
    # the same certificate signed both entries here: one validation object, referenced twice
    (cert,) = _objects(doc, "certificate")
    tsa_ref = stamps[1].find("vr:ValidationReport/vr:SignerInformation/vr:SignerCertificate", NS)
    assert tsa_ref.get("VOReference") == cert.get("id")
    nested = [
        s.findtext(
            "vr:ValidationReport/vr:SignatureValidationStatus/vr:MainIndication", namespaces=NS
        )
        for s in stamps
    ]
    assert nested == [MAIN + "indeterminate", MAIN + "failed"]
    # the signature's best time is the validation time: its timestamp did not verify
    svr = doc.find("vr:SignatureValidationReport", NS)
    best = svr.find("vr:ValidationTimeInfo/vr:BestSignatureTime", NS)
    assert best.findtext("vr:POETime", namespaces=NS) == when.isoformat()
    assert best.find("vr:POEObject", NS) is None
    values = doc.xpath("//vr:ValidationObject[@id='D-1']//vr:Value/text()", namespaces=NS)
    assert "lenient_parse: tolerant reader" in values
    assert "not covered" in values
    assert "the strict reader refused the file" in values
    assert _document_status(doc) == MAIN + "indeterminate"


def test_cli_format_json_is_json(
    tmp_path: Path, signed_permit: bytes, pki: TestPKI, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    path = tmp_path / "permit.pdf"
    path.write_bytes(signed_permit)
    root = tmp_path / "root.pem"
    root.write_bytes(pki.root.certificate_pem())
    assert main(["verify", str(path), "--trust", str(root), "--format", "json"]) == 0
    (doc,) = json.loads(capsys.readouterr().out)["files"]
    assert doc["document"]["indication"] == "TOTAL_PASSED"


CORPUS = XSD.parents[1] / "verify-corpus" / "files"


def test_every_file_of_the_development_corpus(schema: Any) -> None:
    """Real files from other producers (B-LT/B-LTA with DSS, document timestamps only,
    encrypted, broken, unsigned): whatever the verdict, the ETSI report is schema-valid
    and says the same thing as the report."""
    if not CORPUS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CORPUS} is missing: CI must have ../shared/verify-corpus")
        pytest.skip(f"the development corpus is not at {CORPUS}")
    files = sorted(CORPUS.glob("*.pdf"))
    assert len(files) >= 80
    no_anchors = TrustStore()
    kinds: set[str] = set()
    for path in files:
        rep = verify_pdf(path, trust=no_anchors)
        doc = etree.fromstring(rep.to_etsi_xml())
        assert schema.validate(doc), (path.name, schema.error_log)
        signatures = [s for s in rep.signatures if s.kind is SignatureKind.SIGNATURE]
        statuses = _statuses(doc)
        if signatures:
            assert [m for m, _ in statuses] == [MAIN + _TOTAL[s.indication] for s in signatures]
        else:
            assert statuses == [
                (
                    MAIN + _TOTAL[rep.document.indication],
                    [f"urn:etsi:019102:subindication:{rep.document.subindication.value}"]
                    if rep.document.subindication
                    else [],
                )
            ], path.name
        assert _document_status(doc) == MAIN + _TOTAL[rep.document.indication]
        stamps = [s for s in rep.signatures if s.kind is SignatureKind.DOCUMENT_TIMESTAMP]
        with_ts = [s for s in signatures if s.timestamp is not None]
        assert len(_objects(doc, "timestamp")) == len(stamps) + len(with_ts), path.name
        kinds.update(s.kind.value for s in rep.signatures)
        kinds.add(rep.document.indication.value)
    assert {"signature", "document_timestamp", "INDETERMINATE", "TOTAL_FAILED"} <= kinds, kinds


_TOTAL = {
    Indication.TOTAL_PASSED: "total-passed",
    Indication.TOTAL_FAILED: "total-failed",
    Indication.INDETERMINATE: "indeterminate",
}
