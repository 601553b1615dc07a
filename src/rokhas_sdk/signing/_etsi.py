"""A :class:`VerificationReport` as the XML validation report of ETSI TS 119 102-2.

Auditors who file the reports of other validators (DSS and its kin) can file ours the
same way. The XML is built with the standard library only and follows the schema of
TS 119 102-2 v1.4.1 (namespace ``http://uri.etsi.org/19102/v1.4.1#``); the test suite
validates it against the published schema.

How our report maps onto the ETSI one (decisions written down in docs/verify.md):

* one ``SignatureValidationReport`` per *signature*; document timestamps are not
  signatures, so each is a ``timestamp`` validation object with its proof of existence
  and its own nested report, as are signature timestamps;
* a file with no signature still gets one ``SignatureValidationReport`` (the schema
  requires one) that carries the document's conclusion, e.g. ``INDETERMINATE`` /
  ``SIGNED_DATA_NOT_FOUND``;
* the document itself is a ``signedData`` validation object whose nested report holds
  the document's conclusion and its reasons, so a document-level doubt (a structural
  finding, an unreliable permit) is not lost when every signature passed;
* facts that have no ETSI element (integrity, coverage, PAdES level, what changed after
  signing, errors and warnings) are ``ReportData`` entries typed ``urn:rokhas-sdk:verify:*``.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from ._vocabulary import Indication, PadesLevel, SignatureKind, SubIndication, TimestampReport

if TYPE_CHECKING:  # pragma: no cover
    from ._report import SignatureReport, VerificationReport

__all__ = ["ETSI_NAMESPACE", "to_etsi_xml"]

ETSI_NAMESPACE = "http://uri.etsi.org/19102/v1.4.1#"
_DS = "http://www.w3.org/2000/09/xmldsig#"
_TSL = "http://uri.etsi.org/02231/v2#"
_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"

# URIs defined by TS 119 102-2 for indications, validation objects and proofs of existence.
_MAIN = "urn:etsi:019102:mainindication:"
_SUB = "urn:etsi:019102:subindication:"
_OBJECT = "urn:etsi:019102:validationObject:"
_POE_BY_VALIDATION = "urn:etsi:019102:poetype:validation"
_PROCESS = "urn:etsi:019102:validationprocess:"
# Our own facts, for which TS 119 102-2 has no element.
_OURS = "urn:rokhas-sdk:verify:"

_TOTAL = {
    Indication.TOTAL_PASSED: "total-passed",
    Indication.TOTAL_FAILED: "total-failed",
    Indication.INDETERMINATE: "indeterminate",
}
# A timestamp is validated as a building block (EN 319 102-1 5.4): PASSED/FAILED.
_BLOCK = {
    Indication.TOTAL_PASSED: "passed",
    Indication.TOTAL_FAILED: "failed",
    Indication.INDETERMINATE: "indeterminate",
}
# Which EN 319 102-1 process the verdict rests on: the basic one (5.3), or the one for
# signatures with time and long-term validation material (5.5) once a timestamp counts.
# Never "LTA" (5.6): we do not derive proofs of existence from archive timestamps to
# validate a signature in the past, so claiming that process would overstate the check.
_PROCESS_OF_LEVEL = {
    PadesLevel.NONE: "Basic",
    PadesLevel.B_B: "Basic",
    PadesLevel.B_T: "LTVM",
    PadesLevel.B_LT: "LTVM",
    PadesLevel.B_LTA: "LTVM",
}

# XML 1.0 allows neither most C0 controls nor lone surrogates nor U+FFFE/U+FFFF; field
# names and messages come from the file and may hold any of them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    # a parser turns a raw CR into LF anyway; say so here rather than differ after a round trip
    return _NOT_XML.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))


def _el(
    parent: ET.Element, tag: str, text: str | None = None, ns: str = ETSI_NAMESPACE
) -> ET.Element:
    child = ET.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        child.text = _clean(text)
    return child


def _time(moment: dt.datetime) -> str:
    return moment.isoformat()


def _digest(parent: ET.Element, hex_sha256: str) -> None:
    holder = _el(parent, "DigestAlgAndValue")
    method = _el(holder, "DigestMethod", ns=_DS)
    method.set("Algorithm", _SHA256)
    _el(holder, "DigestValue", base64.b64encode(bytes.fromhex(hex_sha256)).decode(), ns=_DS)


def _status(
    parent: ET.Element,
    tag: str,
    main: str,
    sub: SubIndication | None,
    data: list[tuple[str, str]],
    chain: str | None = None,
) -> None:
    status = _el(parent, tag)
    _el(status, "MainIndication", main)
    if sub is not None and not main.endswith("passed"):
        _el(status, "SubIndication", _SUB + sub.value)
    if chain is None and not data:
        return
    associated = _el(status, "AssociatedValidationReportData")
    if chain is not None:
        _el(_el(associated, "CertificateChain"), "SigningCertificate").set("VOReference", chain)
    if data:
        additional = _el(associated, "AdditionalValidationReportData")
        for kind, value in data:
            entry = _el(additional, "ReportData")
            _el(entry, "Type", _OURS + kind)
            _el(entry, "Value", value)


class _Builder:
    """Collects the validation objects while the signature reports are written."""

    def __init__(self, report: VerificationReport) -> None:
        self.report = report
        self.root = ET.Element(f"{{{ETSI_NAMESPACE}}}ValidationReport")
        self.objects: list[ET.Element] = []
        self.certificates: dict[str, str] = {}
        self.timestamps = 0

    def _object(self, ident: str, kind: str) -> ET.Element:
        obj = ET.Element(f"{{{ETSI_NAMESPACE}}}ValidationObject", {"id": ident})
        _el(obj, "ObjectType", _OBJECT + kind)
        self.objects.append(obj)
        return obj

    def certificate(self, sha256_hex: str) -> str:
        """The id of the certificate's validation object (one per certificate)."""
        if sha256_hex not in self.certificates:
            ident = f"C-{sha256_hex.lower()}"
            obj = self._object(ident, "certificate")
            _digest(_el(obj, "ValidationObjectRepresentation"), sha256_hex)
            self.certificates[sha256_hex] = ident
        return self.certificates[sha256_hex]

    def timestamp(
        self,
        ts: TimestampReport,
        what: str,
        indication: Indication,
        sub: SubIndication | None,
        data: list[tuple[str, str]],
        signer_certificate: str | None,
    ) -> str:
        """A timestamp validation object: its POE when valid, and its own report."""
        self.timestamps += 1
        ident = f"T-{self.timestamps}"
        obj = self._object(ident, "timestamp")
        tsa = f" (TSA: {ts.tsa})" if ts.tsa else ""
        _el(_el(obj, "ValidationObjectRepresentation"), "direct", f"RFC 3161 token {what}{tsa}")
        if ts.valid:
            poe = _el(obj, "POE")
            _el(poe, "POETime", _time(ts.time))
            _el(poe, "TypeOfProof", _POE_BY_VALIDATION)
        nested = _el(obj, "ValidationReport")
        validation_time = _el(nested, "ValidationTimeInfo")
        _el(validation_time, "ValidationTime", _time(self.report.validated_at))
        best = _el(validation_time, "BestSignatureTime")
        _el(best, "POETime", _time(ts.time if ts.valid else self.report.validated_at))
        _el(best, "TypeOfProof", _POE_BY_VALIDATION)
        if signer_certificate is not None:
            _el(_el(nested, "SignerInformation"), "SignerCertificate").set(
                "VOReference", signer_certificate
            )
        _status(nested, "SignatureValidationStatus", _MAIN + _BLOCK[indication], sub, data)
        return ident

    def signature(self, index: int, sig: SignatureReport, document_id: str | None) -> None:
        svr = _el(self.root, "SignatureValidationReport")
        ident = _el(svr, "SignatureIdentifier", None)
        ident.set("id", f"S-{index}")
        _el(ident, "HashOnly", "false")
        _el(ident, "DocHashOnly", "false")
        _el(ident, "DAIdentifier", sig.field)

        timestamp_id = None
        if sig.timestamp is not None:
            timestamp_id = self.timestamp(
                sig.timestamp,
                f"over the signature of field {sig.field!r}",
                Indication.TOTAL_PASSED if sig.timestamp.valid else Indication.INDETERMINATE,
                None if sig.timestamp.valid else SubIndication.GENERIC,
                [],
                None,
            )
        validation_time = _el(svr, "ValidationTimeInfo")
        _el(validation_time, "ValidationTime", _time(self.report.validated_at))
        best = _el(validation_time, "BestSignatureTime")
        proven = sig.timestamp is not None and sig.timestamp.valid
        _el(
            best,
            "POETime",
            _time(sig.timestamp.time if sig.timestamp and proven else self.report.validated_at),
        )
        _el(best, "TypeOfProof", _POE_BY_VALIDATION)
        if proven and timestamp_id is not None:
            _el(best, "POEObject").set("VOReference", timestamp_id)

        if document_id is not None:
            _el(_el(svr, "SignersDocument"), "SignersDocumentRepresentation").set(
                "VOReference", document_id
            )
        if sig.signing_time is not None or sig.timestamp is not None:
            attributes = _el(svr, "SignatureAttributes")
            if sig.signing_time is not None:
                claimed = _el(attributes, "SigningTime")
                claimed.set("Signed", "true")
                _el(claimed, "Time", _time(sig.signing_time))
            if sig.timestamp is not None and timestamp_id is not None:
                stamp = _el(attributes, "SignatureTimeStamp")
                stamp.set("Signed", "false")
                _el(stamp, "AttributeObject").set("VOReference", timestamp_id)
                _el(stamp, "TimeStampValue", _time(sig.timestamp.time))
        certificate_id = None
        if sig.signer is not None:
            certificate_id = self.certificate(sig.signer.certificate_sha256)
            info = _el(svr, "SignerInformation")
            _el(info, "SignerCertificate").set("VOReference", certificate_id)
            _el(info, "Signer", sig.signer.name or sig.signer.subject)
        process = _el(svr, "SignatureValidationProcess")
        _el(process, "SignatureValidationProcessID", _PROCESS + _PROCESS_OF_LEVEL[sig.level])
        _status(
            svr,
            "SignatureValidationStatus",
            _MAIN + _TOTAL[sig.indication],
            sig.subindication,
            _facts(sig),
            certificate_id,
        )

    def document_timestamp(self, sig: SignatureReport) -> None:
        certificate_id = (
            self.certificate(sig.signer.certificate_sha256) if sig.signer is not None else None
        )
        # an entry whose token could not be read has no time of its own: it proves nothing
        ts = sig.timestamp
        if ts is None and sig.signing_time is not None:
            ts = _unproven(sig.signing_time)
        if ts is None:
            ts = _unproven(self.report.validated_at)
        self.timestamp(
            ts,
            f"of document timestamp field {sig.field!r}",
            sig.indication,
            sig.subindication,
            _facts(sig),
            certificate_id,
        )

    def document(self) -> str | None:
        """The PDF file as a signedData object whose report is the document's conclusion."""
        rep = self.report
        obj = self._object("D-1", "signedData")
        representation = _el(obj, "ValidationObjectRepresentation")
        if rep.sha256:
            _digest(representation, rep.sha256)
        else:
            _el(representation, "direct", rep.file or "(bytes)")
        nested = _el(obj, "ValidationReport")
        data = [("file", rep.file or "(bytes)"), ("size", str(rep.size))]
        data.append(("revocation-mode", rep.revocation_mode))
        data += [("document-error", e) for e in rep.document.errors]
        data += [
            (
                f"finding-{f.severity}",
                f"{f.code}: {f.message}" + (f" ({f.field})" if f.field else ""),
            )
            for f in rep.findings
        ]
        if rep.permit is not None:
            data.append(("permit-covered", str(rep.permit.covered).lower()))
            data += [("permit-problem", p) for p in rep.permit.problems]
        _status(
            nested,
            "SignatureValidationStatus",
            _MAIN + _TOTAL[rep.document.indication],
            rep.document.subindication,
            data,
        )
        return "D-1"

    def no_signature(self) -> None:
        """The one report the schema requires, for a file that carries no signature."""
        rep = self.report
        svr = _el(self.root, "SignatureValidationReport")
        validation_time = _el(svr, "ValidationTimeInfo")
        _el(validation_time, "ValidationTime", _time(rep.validated_at))
        best = _el(validation_time, "BestSignatureTime")
        _el(best, "POETime", _time(rep.validated_at))
        _el(best, "TypeOfProof", _POE_BY_VALIDATION)
        _status(
            svr,
            "SignatureValidationStatus",
            _MAIN + _TOTAL[rep.document.indication],
            rep.document.subindication,
            [("document-error", e) for e in rep.document.errors],
        )

    def build(self) -> ET.Element:
        document_id = self.document()
        signatures = [s for s in self.report.signatures if s.kind is SignatureKind.SIGNATURE]
        for index, sig in enumerate(signatures, start=1):
            self.signature(index, sig, document_id)
        if not signatures:
            self.no_signature()
        for sig in self.report.signatures:
            if sig.kind is SignatureKind.DOCUMENT_TIMESTAMP:
                self.document_timestamp(sig)
        listing = _el(self.root, "SignatureValidationObjects")
        listing.extend(self.objects)
        validator = _el(_el(self.root, "SignatureValidator"), "DigitalId")
        _el(validator, "Other", f"rokhas-sdk {_version()}", ns=_TSL)
        return self.root


def _unproven(moment: dt.datetime) -> TimestampReport:
    return TimestampReport(time=moment, valid=False)


def _facts(sig: SignatureReport) -> list[tuple[str, str]]:
    facts = [
        ("field", sig.field),
        ("kind", sig.kind.value),
        ("integrity", sig.integrity.value),
        ("coverage", sig.coverage.value),
        ("modified-after-signing", sig.modified_after_signing.value),
        ("pades-level", sig.level.value),
        ("revocation", f"{sig.revocation.status.value} ({sig.revocation.source.value})"),
    ]
    if sig.certification is not None:
        facts.append(("certification", sig.certification))
    facts += [("change", c) for c in sig.changes]
    facts += [("trust-path", t) for t in sig.trust_path]
    facts += [("error", e) for e in sig.errors]
    facts += [("warning", w) for w in sig.warnings]
    return facts


def _version() -> str:
    from .._version import __version__

    return __version__


def to_etsi_xml(report: VerificationReport) -> bytes:
    """``report`` as an ETSI TS 119 102-2 ``ValidationReport`` (UTF-8 XML, with declaration)."""
    ET.register_namespace("vr", ETSI_NAMESPACE)
    ET.register_namespace("ds", _DS)
    ET.register_namespace("tsl", _TSL)
    root = _Builder(report).build()
    ET.indent(root)
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml
