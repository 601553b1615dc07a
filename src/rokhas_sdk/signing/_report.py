"""The verification report: what an auditor reads about a signed PDF.

The vocabulary follows ETSI EN 319 102-1 (main indications ``TOTAL_PASSED``,
``TOTAL_FAILED``, ``INDETERMINATE`` and their sub-indications); the PDF-specific facts
(coverage, incremental updates, DocMDP) follow ISO 32000 and PAdES (ETSI EN 319 142-1).
Every enum a person sees carries a French and an Arabic label.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from ..models import Permit, ValueObject

# Re-exported: the report's vocabulary lives in _vocabulary (see there why).
from ._vocabulary import (
    Coverage,
    Indication,
    Integrity,
    Modification,
    PadesLevel,
    RevocationSource,
    RevocationStatus,
    SignatureKind,
    SubIndication,
    TimestampReport,
)

__all__ = [
    "Coverage",
    "DocumentConclusion",
    "Finding",
    "Indication",
    "Integrity",
    "Modification",
    "PadesLevel",
    "PermitCheck",
    "RevocationReport",
    "RevocationSource",
    "RevocationStatus",
    "SignatureKind",
    "SignatureReport",
    "SignerReport",
    "SubIndication",
    "TimestampReport",
    "VerificationReport",
]


class SignerReport(ValueObject):
    """Who signed, as their certificate says."""

    name: str | None = None
    organisation: str | None = None
    identifier: str | None = Field(
        default=None, description="the subject's serialNumber attribute, when present"
    )
    cin: str | None = Field(
        default=None, description="national identity card number (serialNumber IDCMA-...)"
    )
    subject: str
    issuer: str
    certificate_sha256: str
    serial_number: str
    valid_from: dt.datetime
    valid_until: dt.datetime


class RevocationReport(ValueObject):
    """The revocation status of the signer's certificate and where it came from."""

    status: RevocationStatus
    source: RevocationSource
    detail: str | None = None


class Finding(ValueObject):
    """A structural problem or attack pattern found in the file."""

    code: str
    message: str
    field: str | None = None
    severity: str = Field(
        default="error",
        description="error: caps the verdict; warning: reported, does not change it",
    )


class SignatureReport(ValueObject):
    """Everything known about one signature (or document timestamp) of the file."""

    field: str
    fields: list[str] = Field(
        default_factory=list,
        description="every form field that shows this signature (one signature "
        "dictionary may be referenced by several fields)",
    )
    kind: SignatureKind = SignatureKind.SIGNATURE
    signer: SignerReport | None = None
    signing_time: dt.datetime | None = Field(
        default=None, description="the time the signer claims (not proven)"
    )
    timestamp: TimestampReport | None = None
    level: PadesLevel = PadesLevel.NONE
    coverage: Coverage = Coverage.PARTIAL
    integrity: Integrity = Integrity.BROKEN
    modified_after_signing: Modification = Modification.DISALLOWED
    changes: list[str] = Field(default_factory=list)
    certification: str | None = Field(
        default=None,
        description="DocMDP permission when this is a certification signature "
        "(no_changes, form_filling, annotations)",
    )
    mdp_ok: bool | None = Field(
        default=None, description="later changes respect DocMDP/FieldMDP locks (None: no lock)"
    )
    field_locks: list[str] = Field(default_factory=list)
    trust_path: list[str] = Field(default_factory=list)
    revocation: RevocationReport = RevocationReport(
        status=RevocationStatus.NOT_CHECKED, source=RevocationSource.NONE
    )
    indication: Indication = Indication.INDETERMINATE
    subindication: SubIndication | None = None
    errors: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def cli_dict(self) -> dict[str, Any]:
        """The JSON shape of ``rokhas verify --json`` for this signature or timestamp.

        Every fact of the report is there (it is the auditor's record); the names of
        the first keys are fixed, later versions only add keys.
        """
        return {
            "field": self.field,
            "fields": list(self.fields or [self.field]),
            "type": self.kind.value,
            "integrity": self.integrity.value,
            "coverage": self.coverage.value,
            "modified_after_signing": self.modified_after_signing.value,
            "changes": list(self.changes),
            "indication": self.indication.value,
            "subindication": self.subindication.value if self.subindication else None,
            "level": self.level.value,
            "signer": self.signer.model_dump(mode="json") if self.signer else None,
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "timestamp": self.timestamp.model_dump(mode="json") if self.timestamp else None,
            "certification": self.certification,
            "mdp": {"ok": self.mdp_ok, "field_locks": list(self.field_locks)},
            "trust_path": list(self.trust_path),
            "revocation": self.revocation.model_dump(mode="json"),
            "errors": list(self.errors),
            "warnings": list(self.warnings),
        }


class DocumentConclusion(ValueObject):
    """One conclusion for the whole document."""

    indication: Indication
    subindication: SubIndication | None = None
    errors: list[str] = Field(default_factory=list)


class PermitCheck(ValueObject):
    """The machine-readable permit carried by the PDF, and whether it can be relied on."""

    attachment: str
    data: dict[str, Any] = Field(
        description="the permit as embedded (validated as models.Permit when it parses)"
    )
    permit: Permit | None = Field(
        default=None, description="the embedded data as a models.Permit, when it validates"
    )
    covered: bool = Field(
        description="every byte of the attachment is covered by a TOTAL_PASSED signature"
    )
    signed: bool = Field(
        default=False,
        description="the attachment is covered by an intact signature, whatever its "
        "trust (covered=False with signed=True: signed, but the signature did not pass)",
    )
    reference: str | None = Field(default=None, description="the permit reference in the data")
    visible_reference: str | None = Field(
        default=None, description="the reference printed on the page, when found"
    )
    reference_matches: bool | None = None
    problems: list[str] = Field(default_factory=list)


class VerificationReport(ValueObject):
    """The full verification report of one PDF file."""

    file: str | None = None
    size: int
    sha256: str | None = None
    validated_at: dt.datetime
    revocation_mode: str
    document: DocumentConclusion
    signatures: list[SignatureReport] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    permit: PermitCheck | None = None

    @property
    def passed(self) -> bool:
        """True when the document and every signature are TOTAL_PASSED."""
        return self.document.indication is Indication.TOTAL_PASSED and all(
            s.indication is Indication.TOTAL_PASSED for s in self.signatures
        )

    def to_etsi_xml(self) -> bytes:
        """This report as an ETSI TS 119 102-2 XML validation report (UTF-8 bytes).

        The mapping is described in docs/verify.md ("ETSI validation report").
        """
        from ._etsi import to_etsi_xml

        return to_etsi_xml(self)

    def cli_dict(self) -> dict[str, Any]:
        """The JSON shape of one entry of ``rokhas verify --json``: the whole report."""
        return {
            "file": self.file,
            "size": self.size,
            "sha256": self.sha256,
            "validated_at": self.validated_at.isoformat(),
            "revocation_mode": self.revocation_mode,
            "document": {
                "indication": self.document.indication.value,
                "subindication": (
                    self.document.subindication.value if self.document.subindication else None
                ),
                "errors": list(self.document.errors),
            },
            "signatures": [s.cli_dict() for s in self.signatures],
            "findings": [f.model_dump(mode="json") for f in self.findings],
            "permit": self.permit.model_dump(mode="json") if self.permit else None,
        }
