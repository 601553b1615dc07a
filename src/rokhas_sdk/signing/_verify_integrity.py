"""Stage 2 of verification: integrity over the raw bytes of the /ByteRange.

The digest is computed on the bytes in memory, never through the object parser, and
the /ByteRange itself is checked against the file (``_attacks.check_byte_range``): a
range past the end of the file or a gap that is not exactly the signature's hex string
signs something other than this file, so integrity is ``broken``.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from . import _attacks
from ._report import (
    Coverage,
    Finding,
    Indication,
    Integrity,
    Modification,
    SignatureReport,
    SignerReport,
    SubIndication,
)
from ._verify_builder import SignatureDraft, VerifyContext, fail_signature, signer_report
from ._verify_crypto import sha1_policy, verify_x509_rsa_sha1

if TYPE_CHECKING:  # pragma: no cover
    pass


_INTEGRITY_BREAKING_RANGES = frozenset(
    {
        "byte_range_malformed",
        "byte_range_not_from_start",
        "byte_range_outside_file",
        "byte_range_gap_not_contents",
    }
)


def range_breaks_integrity(findings: list[Finding]) -> bool:
    return any(f.code in _INTEGRITY_BREAKING_RANGES for f in findings)


def coverage_of(level: Any) -> Coverage:
    name = getattr(level, "name", "")
    if name == "ENTIRE_FILE":
        return Coverage.ENTIRE_FILE
    if name == "ENTIRE_REVISION":
        return Coverage.ENTIRE_REVISION
    return Coverage.PARTIAL


def prehash(ctx: VerifyContext, emb: Any) -> None:
    """Digest the /ByteRange in one pass over the bytes already in memory.

    pyHanko re-reads the file in 4 KiB chunks; on a 20 MB permit that doubles the cost
    of the one thing verification cannot avoid. The digest is the same value, stored
    where pyHanko's own ``compute_digest`` caches it. Unusual ranges are left to pyHanko.
    """
    data = ctx.data
    md = str(getattr(emb, "external_md_algorithm", ""))
    if md not in hashlib.algorithms_guaranteed or md.startswith("shake"):
        return
    try:
        start1, len1, start2, len2 = (int(v) for v in emb.byte_range)
    except (TypeError, ValueError):
        return
    if start1 != 0 or min(len1, start2, len2) < 0 or start2 + len2 > len(data):
        return
    view = memoryview(data)
    h = hashlib.new(md)
    h.update(view[:len1])
    if md == "sha256" and (ctx.sha_prefix is None or ctx.sha_prefix[0] < len1):
        # the file's own SHA-256 starts with the same bytes: keep the state, so the
        # report's file digest only hashes what follows the first signed segment
        ctx.sha_prefix = (len1, h.copy())
    h.update(view[start2 : start2 + len2])
    emb.external_digests[md] = h.digest()


def hash_mismatch(emb: Any, findings: list[Finding]) -> SignatureReport | None:
    """HASH_FAILURE at once when the signed message digest differs from the bytes.

    Nothing that follows (chain, revocation, timestamps) can change that verdict, so a
    tampered file is not sent through path building: this keeps batch verification of
    damaged files cheap. Only a certain mismatch short-cuts; any doubt goes the full way.
    """
    import hmac

    md = str(getattr(emb, "external_md_algorithm", ""))
    digest = emb.external_digests.get(md)
    if digest is None or md != str(getattr(emb, "md_algorithm", "")):
        return None
    try:
        attrs = emb.signer_info["signed_attrs"]
        claimed = next(a["values"][0].native for a in attrs if a["type"].native == "message_digest")
    except Exception:
        return None
    if not isinstance(claimed, bytes) or hmac.compare_digest(claimed, digest):
        return None
    try:
        signer: SignerReport | None = signer_report(emb.signer_cert)
    except Exception:
        signer = None
    try:
        coverage = coverage_of(emb.evaluate_signature_coverage())
    except Exception:
        coverage = Coverage.PARTIAL
    if any(f.code.startswith("byte_range") for f in findings):
        coverage = Coverage.PARTIAL
    return SignatureReport(
        field=emb.fq_name,
        signer=signer,
        coverage=coverage,
        integrity=Integrity.BROKEN,
        modified_after_signing=Modification.DISALLOWED,
        indication=Indication.TOTAL_FAILED,
        subindication=SubIndication.HASH_FAILURE,
        errors=[
            "the signed bytes were changed: their digest does not match",
            *(f.message for f in findings),
        ],
    )


def x509_rsa_sha1_report(data: bytes, sig_object: Any, field: str) -> SignatureReport | None:
    """``/adbe.x509.rsa_sha1`` (no CMS, pyHanko refuses it): integrity checked here.

    Its SHA-1 caps it at INDETERMINATE whatever the chain, so no chain is built; a
    signature that does not cover the whole file is not analysed further and counts
    as changed after signing.
    """
    try:
        sig = sig_object.get_object() if hasattr(sig_object, "get_object") else sig_object
        if str(sig.get("/SubFilter", "")) != "/adbe.x509.rsa_sha1":
            return None
        contents = bytes(sig["/Contents"])
        byte_range = list(sig["/ByteRange"])
        ok, signer, _others = verify_x509_rsa_sha1(data, sig)
    except Exception as exc:
        return fail_signature(
            field,
            Indication.TOTAL_FAILED,
            SubIndication.FORMAT_FAILURE,
            f"the /adbe.x509.rsa_sha1 signature cannot be read ({type(exc).__name__})",
        )
    findings = _attacks.check_byte_range(data, field, byte_range, contents)
    try:
        end = int(byte_range[2]) + int(byte_range[3])
        whole = end <= len(data) and not data[end:].strip(b"\r\n\x00 \t")
    except (TypeError, ValueError, IndexError):
        whole = False
    rep = SignatureDraft(
        field=field,
        signer=signer_report(signer),
        coverage=Coverage.PARTIAL
        if findings
        else (Coverage.ENTIRE_FILE if whole else Coverage.ENTIRE_REVISION),
        integrity=Integrity.INTACT if ok and not findings else Integrity.BROKEN,
        modified_after_signing=Modification.NONE if whole else Modification.DISALLOWED,
        changes=[]
        if whole
        else ["changes after an /adbe.x509.rsa_sha1 signature are not analysed"],
        errors=[f.message for f in findings],
    )
    if not ok:
        rep.conclude(Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE)
        rep.errors.insert(0, "the signature does not match the signed bytes")
    elif findings or not whole:
        rep.conclude(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
    else:
        rep.conclude(Indication.TOTAL_PASSED, None)
        sha1_policy(rep)
    return rep.build()
