"""Verification of a permit PDF against the sandbox's trust root (``signing.verify_pdf``)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._core import Sandbox

__all__ = ["verify_permit_pdf"]


def verify_permit_pdf(sb: Sandbox, pdf: bytes) -> dict[str, Any]:
    """The contract's PermitVerification for ``pdf``."""
    problems: list[str] = []
    if not sb.trust_root_pem:
        return {
            "valid": False,
            "problems": [
                "ce sandbox n'a pas de racine de confiance (lancez-le avec la PKI de test)"
            ],
        }
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from ..signing import TrustStore, verify_pdf

    trust = TrustStore(
        [c.public_bytes(Encoding.DER) for c in x509.load_pem_x509_certificates(sb.trust_root_pem)]
    )
    report = verify_pdf(pdf, trust=trust, revocation="offline")
    valid = (
        str(
            report.document.indication.value
            if hasattr(report.document.indication, "value")
            else report.document.indication
        )
        == "TOTAL_PASSED"
    )
    if not valid:
        problems.extend(report.document.errors or [str(report.document.indication)])
    permit = None
    if report.permit is not None and report.permit.permit is not None:
        permit = report.permit.permit.model_dump(mode="json")
        problems.extend(report.permit.problems)
        if not report.permit.covered:
            valid = False
    signer = None
    signed_at = None
    if report.signatures:
        first = report.signatures[0]
        signer = first.signer.name if first.signer else None
        signed_at = first.signing_time.isoformat() if first.signing_time else None
    dossier_id = None
    matches = None
    digest = hashlib.sha256(pdf).hexdigest()
    if permit is not None:
        from ._users import canonical_commune

        scope = canonical_commune(permit["commune"])
        for rec in sb.records.scan(scope=scope):
            p = rec.permit
            if p is not None and p.number == permit["number"]:
                dossier_id = rec.id
                matches = p.data.model_dump(mode="json") == permit and (
                    p.pdf_sha256 in (None, digest)
                )
                break
        if dossier_id is None:
            problems.append("aucun permis de ce numéro n'a été délivré par cette plateforme")
            matches = False
    return {
        "valid": valid and matches is not False,
        "permit": permit,
        "dossier_id": dossier_id,
        "signer": signer,
        "signed_at": signed_at,
        "matches_platform_record": matches,
        "problems": problems,
    }
