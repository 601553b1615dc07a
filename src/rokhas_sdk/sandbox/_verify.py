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
        return {"valid": False, "problems": ["ce sandbox n'a pas de racine de confiance (lancez-le avec la PKI de test)"]}
    from ..signing import TrustStore, verify_pdf

    trust = TrustStore.from_pem(sb.trust_root_pem)
    report = verify_pdf(pdf, trust=trust, revocation="soft-fail", at=sb.clock.now())
    valid = report.document.indication == "TOTAL_PASSED"
    if not valid:
        problems.extend(report.document.errors or [f"{report.document.indication} {report.document.subindication or ''}".strip()])
    permit = report.permit.model_dump(mode="json") if report.permit is not None else None
    signer = None
    signed_at = None
    if report.signatures:
        first = report.signatures[0]
        signer = getattr(first.signer, "name", None) if first.signer else None
        signed_at = first.signing_time.isoformat() if first.signing_time else None
    dossier_id = None
    matches = None
    digest = hashlib.sha256(pdf).hexdigest()
    if permit is not None:
        for _, rec in sb.store.scan("dossier", scope=permit.get("commune"), limit=1_000_000):
            p = rec.get("permit")
            if p and p["data"]["number"] == permit["number"]:
                dossier_id = rec["id"]
                matches = p["data"] == permit and (p.get("pdf_sha256") in (None, digest))
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
