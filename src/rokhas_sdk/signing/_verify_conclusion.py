"""Stage 6 of verification: the indication of each signature and of the document.

ETSI EN 319 102-1 vocabulary; the worst problem found decides, and every doubt ends in
INDETERMINATE or TOTAL_FAILED with the reason written down.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._report import (
    Coverage,
    DocumentConclusion,
    Finding,
    Indication,
    Modification,
    PadesLevel,
    PermitCheck,
    RevocationSource,
    SignatureKind,
    SignatureReport,
    SubIndication,
)
from ._verify_builder import SignatureDraft, VerifyContext

if TYPE_CHECKING:  # pragma: no cover
    pass


_SUB_BY_NAME = {s.name: s for s in SubIndication}


def conclude_signature(
    rep: SignatureDraft, st: Any, emb: Any, findings: list[Finding], anchors_empty: bool
) -> None:
    """Fill indication/subindication/errors of one signature, worst problem first."""
    from pyhanko.sign.ades.report import AdESFailure

    errors = rep.errors
    for f in findings:
        errors.append(f.message)
    if not st.intact:
        rep.conclude(Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE)
        errors.insert(0, "the signed bytes were changed: their digest does not match")
        return
    if not st.valid:
        rep.conclude(Indication.TOTAL_FAILED, SubIndication.SIG_CRYPTO_FAILURE)
        errors.insert(0, "the signature value does not verify with the signer's public key")
        return
    if findings:
        rep.conclude(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
        return
    if rep.coverage is Coverage.PARTIAL:
        rep.conclude(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
        errors.insert(
            0,
            "the signature does not cover its whole revision: bytes inside the signed "
            "revision are unsigned (signature wrapping)",
        )
        return
    if rep.modified_after_signing is Modification.DISALLOWED or st.docmdp_ok is False:
        rep.conclude(Indication.TOTAL_FAILED, SubIndication.SIG_CONSTRAINTS_FAILURE)
        errors.insert(0, "the document was changed after signing in a way that is not allowed")
        return
    seed_err = getattr(st, "seed_value_constraint_error", None)
    if seed_err is not None:
        rep.conclude(Indication.TOTAL_FAILED, SubIndication.SIG_CONSTRAINTS_FAILURE)
        errors.insert(0, f"seed value constraints violated: {seed_err}")
        return
    indic = getattr(st, "trust_problem_indic", None)
    if indic is not None:
        sub = _SUB_BY_NAME.get(indic.name, SubIndication.GENERIC)
        failed = isinstance(indic, AdESFailure)
        rep.conclude(Indication.TOTAL_FAILED if failed else Indication.INDETERMINATE, sub)
        errors.insert(0, f"the signer's certificate could not be validated ({indic.name})")
        return
    if getattr(st, "validation_path", None) is None:
        rep.conclude(Indication.INDETERMINATE, SubIndication.NO_CERTIFICATE_CHAIN_FOUND)
        errors.insert(
            0,
            "no trust anchor was given" if anchors_empty else "no chain to a trust anchor",
        )
        return
    tsv = getattr(st, "timestamp_validity", None)
    if tsv is not None and not (tsv.intact and tsv.valid and tsv.trusted):
        rep.conclude(Indication.INDETERMINATE, SubIndication.GENERIC)
        errors.insert(0, "the signature timestamp does not validate")
        return
    rep.conclude(Indication.TOTAL_PASSED, None)


def pades_level(
    rep: SignatureReport, emb: Any, ctx: VerifyContext, later_doc_ts: bool
) -> PadesLevel:
    if rep.kind is SignatureKind.DOCUMENT_TIMESTAMP:
        return PadesLevel.NONE
    sub = str(emb.sig_object.get("/SubFilter", ""))
    if sub != "/ETSI.CAdES.detached":
        return PadesLevel.NONE
    timestamped = (rep.timestamp is not None and rep.timestamp.valid) or later_doc_ts
    if not timestamped:
        return PadesLevel.B_B
    if not (ctx.has_dss and rep.revocation.source is RevocationSource.EMBEDDED):
        return PadesLevel.B_T
    # B-LTA needs a document timestamp applied over the validation data (the DSS).
    for e in _doc_ts_cache(ctx.reader):
        if e.sig_object_type != "/DocTimeStamp":
            continue
        try:
            if "/DSS" in ctx.reader.get_historical_root(e.signed_revision):
                return PadesLevel.B_LTA
        except Exception:  # noqa: S112 - an unreadable revision proves nothing
            continue
    return PadesLevel.B_LT


def _doc_ts_cache(reader: Any) -> list[Any]:
    return list(getattr(reader, "_rokhas_embedded", []))


def document_conclusion(
    sigs: list[SignatureReport], findings: list[Finding], permit: PermitCheck | None
) -> DocumentConclusion:
    if not sigs:
        return DocumentConclusion(
            indication=Indication.INDETERMINATE,
            subindication=SubIndication.SIGNED_DATA_NOT_FOUND,
            errors=["the file carries no signature", *(f.message for f in findings)],
        )
    failed = [s for s in sigs if s.indication is Indication.TOTAL_FAILED]
    undecided = [s for s in sigs if s.indication is Indication.INDETERMINATE]
    errors = [f"{s.field}: {e}" for s in sigs for e in s.errors]
    errors += [f.message for f in findings if f.severity == "error"]
    findings = [f for f in findings if f.severity == "error"]
    if permit is not None:
        errors += [f"permit: {p}" for p in permit.problems]
    if failed:
        return DocumentConclusion(
            indication=Indication.TOTAL_FAILED, subindication=failed[0].subindication, errors=errors
        )
    if not any(s.kind is SignatureKind.SIGNATURE for s in sigs):
        # anyone can have any file time-stamped by a public TSA: a timestamp proves
        # when the bytes existed, never who issued them
        return DocumentConclusion(
            indication=Indication.INDETERMINATE,
            subindication=SubIndication.SIGNED_DATA_NOT_FOUND,
            errors=[
                "the file carries no signature, only document timestamps (they prove "
                "when the file existed, not who issued it)",
                *errors,
            ],
        )
    if undecided:
        return DocumentConclusion(
            indication=Indication.INDETERMINATE,
            subindication=undecided[0].subindication,
            errors=errors,
        )
    if findings:
        constraint = all(f.code == "changed_after_last_signature" for f in findings)
        return DocumentConclusion(
            indication=Indication.INDETERMINATE,
            subindication=SubIndication.SIG_CONSTRAINTS_FAILURE
            if constraint
            else SubIndication.FORMAT_FAILURE,
            errors=errors,
        )
    if permit is not None and permit.problems:
        return DocumentConclusion(
            indication=Indication.INDETERMINATE,
            subindication=SubIndication.SIG_CONSTRAINTS_FAILURE,
            errors=errors,
        )
    # Bytes after the last signed revision must be explained by allowed updates; the
    # last revision itself must be covered or reviewed by at least one signature.
    return DocumentConclusion(indication=Indication.TOTAL_PASSED, errors=errors)
