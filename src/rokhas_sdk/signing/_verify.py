"""Verify signed PDFs: pyHanko is the engine, the report and the verdict are ours.

The verdict follows ETSI EN 319 102-1. A document that was changed after it was signed
must never come out ``TOTAL_PASSED``: every doubt (an unparsable structure, an
unexpected exception, a byte that no signature accounts for) ends in ``INDETERMINATE``
or ``TOTAL_FAILED`` with a reason, never in an exception.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from .._errors import InvalidInputError, NotFoundError
from ..models import Permit
from . import _attacks
from ._report import (
    Coverage,
    DocumentConclusion,
    Finding,
    Indication,
    Integrity,
    Modification,
    PadesLevel,
    PermitCheck,
    RevocationReport,
    RevocationSource,
    RevocationStatus,
    SignatureKind,
    SignatureReport,
    SignerReport,
    SubIndication,
    TimestampReport,
    VerificationReport,
)
from ._trust import TrustStore
from ._verify_crypto import (
    issued_by,
    make_signature_validator,
    pkcs7_sha1_content_matches,
    uses_sha1,
    verify_x509_rsa_sha1,
)
from ._verify_modifications import diff_policy, judge, metadata_changes
from ._verify_read import PasswordRequired, load_dss, open_pdf, signature_slots

if TYPE_CHECKING:  # pragma: no cover
    from asn1crypto import x509
    from pyhanko.pdf_utils.reader import PdfFileReader

__all__ = ["RevocationMode", "VerifyLimits", "verify_many", "verify_pdf"]

RevocationMode = Literal["offline", "soft-fail", "hard-fail"]
_MODES = ("offline", "soft-fail", "hard-fail")
_TZ = ZoneInfo("Africa/Casablanca")
_MiB = 1024 * 1024
# Attachment names that carry the machine-readable permit (documents/signing rooms).
_PERMIT_NAMES = ("permit.json", "rokhas-permit.json")


@dataclass(frozen=True)
class VerifyLimits:
    """Resource bounds for hostile input.

    ``max_file_size``: larger files are refused unread. ``max_stream_size``: no single
    stream may decode to more (decompression bombs). ``max_decode_ratio``: cap on the
    decoded/encoded ratio of a stream above 1 MiB. ``max_total_decoded``: budget for all
    streams of one file. ``max_permit_size``: the embedded permit JSON.
    ``max_memory`` (bytes, default none) caps the address space of the worker processes
    that :func:`verify_many` starts itself. ``fetch_timeout``: seconds per OCSP/CRL/
    certificate request in the online revocation modes.
    """

    max_file_size: int = 512 * _MiB
    max_stream_size: int = 64 * _MiB
    max_decode_ratio: float = 1100.0
    max_total_decoded: int = 256 * _MiB
    max_permit_size: int = 1 * _MiB
    max_memory: int | None = None
    fetch_timeout: float = 10.0

    def decode_limits(self) -> Any:
        """The equivalent pyHanko ``DecodeLimits``."""
        from pyhanko.pdf_utils.decode_limits import (
            DecodeLimits,
            DocumentDecodeBudget,
            StreamDecodeLimits,
        )

        per_stream = StreamDecodeLimits(
            max_ratio=self.max_decode_ratio, max_output_size=self.max_stream_size
        )
        budget = DocumentDecodeBudget(base_allowance=self.max_total_decoded, max_ratio=1)
        return DecodeLimits(per_stream=per_stream, document_budget=budget)


DEFAULT_LIMITS = VerifyLimits()


# --------------------------------------------------------------------------- helpers


def _local(t: dt.datetime | None) -> dt.datetime | None:
    if t is None:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(_TZ)


def _name_attr(name: Any, key: str) -> str | None:
    try:
        value = name.native.get(key)
    except Exception:  # a broken name is reported as absent, not as a crash
        return None
    if isinstance(value, list):
        value = value[0] if value else None
    return None if value is None else str(value)


def _human(name: Any) -> str:
    try:
        return str(name.human_friendly)
    except Exception:
        return "<unreadable name>"


def _signer_report(cert: x509.Certificate) -> SignerReport:
    validity = cert["tbs_certificate"]["validity"]
    identifier = _name_attr(cert.subject, "serial_number")
    cin = None
    if identifier:
        # ETSI EN 319 412-1 semantics identifier: IDC + country + '-' + number
        cin = identifier[6:] if identifier.upper().startswith("IDCMA-") else None
    return SignerReport(
        name=_name_attr(cert.subject, "common_name"),
        organisation=_name_attr(cert.subject, "organization_name"),
        identifier=identifier,
        cin=cin,
        subject=_human(cert.subject),
        issuer=_human(cert.issuer),
        certificate_sha256=hashlib.sha256(cert.dump()).hexdigest(),
        serial_number=format(cert.serial_number, "x"),
        valid_from=_local(validity["not_before"].native),
        valid_until=_local(validity["not_after"].native),
    )


def _fail(
    field: str,
    indication: Indication,
    sub: SubIndication,
    error: str,
    kind: SignatureKind = SignatureKind.SIGNATURE,
) -> SignatureReport:
    return SignatureReport(
        field=field, kind=kind, indication=indication, subindication=sub, errors=[error]
    )


def _read_source(
    source: str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes],
    limits: VerifyLimits,
) -> tuple[bytes, str | None]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = None
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise NotFoundError(f"{str(path)!r} is not a readable file; check the path")
        if path.stat().st_size > limits.max_file_size:
            raise InvalidInputError(
                f"{str(path)!r} is larger than the {limits.max_file_size} byte limit; "
                "raise VerifyLimits.max_file_size if this is expected"
            )
        data = path.read_bytes()
        name = str(path)
    elif hasattr(source, "read"):
        data = source.read(limits.max_file_size + 1)
        if not isinstance(data, bytes):
            raise InvalidInputError("the stream must be opened in binary mode ('rb')")
        name = getattr(source, "name", None)
        name = name if isinstance(name, str) else None
    else:
        raise InvalidInputError(
            f"cannot verify a {type(source).__name__}: give a path, bytes or a binary file"
        )
    if len(data) > limits.max_file_size:
        raise InvalidInputError(
            f"the input is larger than the {limits.max_file_size} byte limit; "
            "raise VerifyLimits.max_file_size if this is expected"
        )
    return data, name


def _run(coro: Any) -> Any:
    """Run a coroutine to completion, also when the caller is inside an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


# --------------------------------------------------------------------------- revocation


def _issuers_of(cert: x509.Certificate, candidates: list[x509.Certificate]) -> list[Any]:
    """The candidates (as ``cryptography`` certificates) whose key signed ``cert``."""
    from cryptography import x509 as cx509

    try:
        child = cx509.load_der_x509_certificate(cert.dump())
    except Exception:
        return []
    found = []
    for c in candidates:
        if c.subject != cert.issuer:
            continue
        try:
            parent = cx509.load_der_x509_certificate(c.dump())
        except Exception:  # noqa: S112 - unreadable candidate
            continue
        if not issued_by(child, parent):
            continue
        found.append(parent)
    return found


def _signed_by(tbs: bytes, signature: bytes, hash_alg: Any, key: Any) -> bool:
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa

    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, tbs, padding.PKCS1v15(), hash_alg)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, tbs, ec.ECDSA(hash_alg))
        elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            key.verify(signature, tbs)
        else:
            return False
    except Exception:
        return False
    return True


def _ocsp_status(der: bytes, serial: int, issuers: list[Any]) -> str | None:
    """The status an OCSP response *signed for the issuer* gives ``serial`` (else None).

    The response must come from the issuer's key or from a responder certificate that
    the issuer delegated OCSP signing to, and name the issuer's key: anyone can append
    an OCSP response to the DSS in an incremental update, so an unauthenticated one
    proves nothing either way.
    """
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509 import ocsp
    from cryptography.x509.oid import ExtendedKeyUsageOID

    resp = ocsp.load_der_ocsp_response(der)
    if resp.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
        return None
    for issuer in issuers:
        keys = [issuer.public_key()]
        for responder in resp.certificates:
            try:
                responder.verify_directly_issued_by(issuer)
                eku = responder.extensions.get_extension_for_class(cx509.ExtendedKeyUsage)
            except Exception:  # noqa: S112 - not a responder of this issuer
                continue
            if ExtendedKeyUsageOID.OCSP_SIGNING in eku.value:
                keys.append(responder.public_key())
        hash_alg = resp.signature_hash_algorithm
        if hash_alg is None or not any(
            _signed_by(resp.tbs_response_bytes, resp.signature, hash_alg, k) for k in keys
        ):
            continue
        spki = issuer.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        from asn1crypto import keys as a_keys

        key_bits = a_keys.PublicKeyInfo.load(spki)["public_key"].contents[1:]
        for single in resp.responses:
            if single.serial_number != serial:
                continue
            digest = hashes.Hash(single.hash_algorithm)
            digest.update(key_bits)
            if single.issuer_key_hash != digest.finalize():
                continue
            return {
                ocsp.OCSPCertStatus.GOOD: "good",
                ocsp.OCSPCertStatus.REVOKED: "revoked",
            }.get(single.certificate_status, "unknown")
    return None


def _crl_says_revoked(der: bytes, serial: int, issuers: list[Any]) -> bool | None:
    """Whether a CRL *signed by the issuer* lists ``serial`` (None if not the issuer's)."""
    from cryptography import x509 as cx509

    crl = cx509.load_der_x509_crl(der)
    for issuer in issuers:
        if crl.issuer == issuer.subject and crl.is_signature_valid(issuer.public_key()):
            return crl.get_revoked_certificate_by_serial_number(serial) is not None
    return None


def _revocation(
    cert: x509.Certificate | None,
    vc: Any,
    embedded: set[bytes],
    status: Any,
    candidates: list[x509.Certificate] = [],  # noqa: B006 - never mutated
) -> RevocationReport:
    """The signer's revocation status from the OCSP responses and CRLs at hand.

    Only data signed for the signer's issuer (found among ``candidates``) counts.
    """
    if cert is None:
        return RevocationReport(status=RevocationStatus.NOT_CHECKED, source=RevocationSource.NONE)
    details = getattr(status, "revocation_details", None)
    serial = cert.serial_number
    issuers = _issuers_of(cert, candidates)
    found: tuple[RevocationStatus, RevocationSource, str | None] | None = None
    for resp in list(getattr(vc, "ocsps", [])):
        try:
            name = _ocsp_status(resp.dump(), serial, issuers)
        except Exception:  # noqa: S112 - an unreadable response counts as no response
            continue
        if name is None:
            continue
        st = {"good": RevocationStatus.GOOD, "revoked": RevocationStatus.REVOKED}.get(
            name, RevocationStatus.UNKNOWN
        )
        src = RevocationSource.EMBEDDED if resp.dump() in embedded else RevocationSource.FETCHED
        found = (st, src, "OCSP")
    if found is None:
        for crl in list(getattr(vc, "crls", [])):
            try:
                revoked = _crl_says_revoked(crl.dump(), serial, issuers)
            except Exception:  # noqa: S112 - an unreadable CRL counts as no CRL
                continue
            if revoked is None:
                continue
            src = RevocationSource.EMBEDDED if crl.dump() in embedded else RevocationSource.FETCHED
            found = (RevocationStatus.REVOKED if revoked else RevocationStatus.GOOD, src, "CRL")
    if details is not None:
        src = found[1] if found else RevocationSource.NONE
        return RevocationReport(
            status=RevocationStatus.REVOKED,
            source=src,
            detail=f"revoked on {details.revocation_date} ({details.revocation_reason.native})",
        )
    if found is None:
        return RevocationReport(
            status=RevocationStatus.UNKNOWN,
            source=RevocationSource.NONE,
            detail="no OCSP response or CRL was available for the signer's certificate",
        )
    return RevocationReport(status=found[0], source=found[1], detail=found[2])


# --------------------------------------------------------------------------- chains


def _missing_link(
    cert: x509.Certificate, pool: list[x509.Certificate], anchors: list[x509.Certificate]
) -> str:
    """Say which certificate is missing between ``cert`` and a trust anchor."""
    anchor_keys = {a.dump() for a in anchors}
    current = cert
    for _ in range(16):
        if current.dump() in anchor_keys:
            return "the chain reaches a trust anchor but does not validate"
        if current.self_signed != "no":
            fp = hashlib.sha256(current.dump()).hexdigest()
            return (
                f"the chain ends at the root {_human(current.subject)!r} (SHA-256 {fp}), "
                "which is not in the trust store; add it with --trust / TrustStore.from_paths "
                "if you trust it"
            )
        issuer = next(
            (
                c
                for c in pool + anchors
                if c.subject == current.issuer and c.dump() != current.dump()
            ),
            None,
        )
        if issuer is None:
            aki = current.authority_key_identifier
            aki_txt = f", authority key id {aki.hex()}" if aki else ""
            return (
                f"the certificate {_human(current.issuer)!r} (issuer of "
                f"{_human(current.subject)!r}{aki_txt}) is missing: it is neither embedded "
                "in the signature nor in the trust store; add it to the trust store "
                "(as an anchor if it is a root you trust, else via intermediates=) or ask "
                "the signer to embed the full chain"
            )
        current = issuer
    return "the certificate chain is too long or loops"


# --------------------------------------------------------------------------- conclusion

_SUB_BY_NAME = {s.name: s for s in SubIndication}


def _conclude(
    rep: dict[str, Any], st: Any, emb: Any, findings: list[Finding], anchors_empty: bool
) -> None:
    """Fill indication/subindication/errors of one signature, worst problem first."""
    from pyhanko.sign.ades.report import AdESFailure

    errors: list[str] = rep.setdefault("errors", [])
    for f in findings:
        errors.append(f.message)
    if not st.intact:
        rep.update(indication=Indication.TOTAL_FAILED, subindication=SubIndication.HASH_FAILURE)
        errors.insert(0, "the signed bytes were changed: their digest does not match")
        return
    if not st.valid:
        rep.update(
            indication=Indication.TOTAL_FAILED, subindication=SubIndication.SIG_CRYPTO_FAILURE
        )
        errors.insert(0, "the signature value does not verify with the signer's public key")
        return
    if findings:
        rep.update(indication=Indication.TOTAL_FAILED, subindication=SubIndication.FORMAT_FAILURE)
        return
    if rep["coverage"] is Coverage.PARTIAL:
        rep.update(indication=Indication.TOTAL_FAILED, subindication=SubIndication.FORMAT_FAILURE)
        errors.insert(
            0,
            "the signature does not cover its whole revision: bytes inside the signed "
            "revision are unsigned (signature wrapping)",
        )
        return
    if rep["modified_after_signing"] is Modification.DISALLOWED or st.docmdp_ok is False:
        rep.update(
            indication=Indication.TOTAL_FAILED, subindication=SubIndication.SIG_CONSTRAINTS_FAILURE
        )
        errors.insert(0, "the document was changed after signing in a way that is not allowed")
        return
    seed_err = getattr(st, "seed_value_constraint_error", None)
    if seed_err is not None:
        rep.update(
            indication=Indication.TOTAL_FAILED, subindication=SubIndication.SIG_CONSTRAINTS_FAILURE
        )
        errors.insert(0, f"seed value constraints violated: {seed_err}")
        return
    indic = getattr(st, "trust_problem_indic", None)
    if indic is not None:
        sub = _SUB_BY_NAME.get(indic.name, SubIndication.GENERIC)
        failed = isinstance(indic, AdESFailure)
        rep.update(
            indication=Indication.TOTAL_FAILED if failed else Indication.INDETERMINATE,
            subindication=sub,
        )
        errors.insert(0, f"the signer's certificate could not be validated ({indic.name})")
        return
    if getattr(st, "validation_path", None) is None:
        rep.update(
            indication=Indication.INDETERMINATE,
            subindication=SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
        )
        errors.insert(
            0,
            "no trust anchor was given" if anchors_empty else "no chain to a trust anchor",
        )
        return
    tsv = getattr(st, "timestamp_validity", None)
    if tsv is not None and not (tsv.intact and tsv.valid and tsv.trusted):
        rep.update(indication=Indication.INDETERMINATE, subindication=SubIndication.GENERIC)
        errors.insert(0, "the signature timestamp does not validate")
        return
    rep.update(indication=Indication.TOTAL_PASSED, subindication=None)


def _coverage(level: Any) -> Coverage:
    name = getattr(level, "name", "")
    if name == "ENTIRE_FILE":
        return Coverage.ENTIRE_FILE
    if name == "ENTIRE_REVISION":
        return Coverage.ENTIRE_REVISION
    return Coverage.PARTIAL


# --------------------------------------------------------------------------- the engine


@dataclass
class _Ctx:
    data: bytes
    reader: PdfFileReader
    trust: TrustStore
    mode: str
    at: dt.datetime | None
    dss_certs: list[Any]
    dss_ocsps: list[Any]
    dss_crls: list[Any]
    embedded_revinfo: set[bytes]
    has_dss: bool
    sig_fields: set[str]
    sha_prefix: tuple[int, Any] | None = None
    fetcher: Any = None
    visible_changes: dict[str, bool] = field(default_factory=dict)

    def file_sha256(self) -> str:
        """SHA-256 of the whole file, reusing a signed prefix already hashed."""
        if self.sha_prefix is None:
            return hashlib.sha256(self.data).hexdigest()
        n, state = self.sha_prefix
        h = state.copy()
        h.update(memoryview(self.data)[n:])
        return str(h.hexdigest())


def _validation_context(ctx: _Ctx, extra_certs: list[Any]) -> Any:
    from pyhanko_certvalidator import ValidationContext

    kwargs: dict[str, Any] = {
        "trust_roots": list(ctx.trust.anchors),
        "other_certs": [*ctx.trust.intermediates, *ctx.dss_certs, *extra_certs],
        "ocsps": list(ctx.dss_ocsps),
        "crls": list(ctx.dss_crls),
        "allow_fetching": ctx.mode != "offline",
        "revocation_mode": "hard-fail" if ctx.mode == "hard-fail" else "soft-fail",
        "signature_validator": make_signature_validator(),
    }
    if ctx.at is not None:
        kwargs["moment"] = ctx.at
    if ctx.fetcher is not None:
        # one aiohttp session per document, closed when the document is done; fetched
        # revocation data and certificates help, they never become anchors
        kwargs["fetcher_backend"] = ctx.fetcher
    return ValidationContext(**kwargs)


async def _validate_one(ctx: _Ctx, emb: Any, field: str) -> tuple[SignatureReport, Any]:
    from pyhanko.sign.validation import (
        async_validate_pdf_signature,
        async_validate_pdf_timestamp,
    )
    from pyhanko.sign.validation.errors import SignatureValidationError

    is_ts = emb.sig_object_type == "/DocTimeStamp"
    kind = SignatureKind.DOCUMENT_TIMESTAMP if is_ts else SignatureKind.SIGNATURE
    findings = _attacks.check_byte_range(ctx.data, field, emb.byte_range, emb.pkcs7_content)
    try:
        carried = [emb.signer_cert, *emb.other_embedded_certs]
    except Exception:
        carried = list(emb.other_embedded_certs)
    findings += _attacks.check_embedded_certificates(
        field, carried, [*ctx.trust.anchors, *ctx.trust.intermediates]
    )
    warnings = _tolerate_fieldmdp(emb)
    legacy_sha1 = str(emb.sig_object.get("/SubFilter", "")) == "/adbe.pkcs7.sha1"
    _prehash(ctx, emb)
    # /adbe.pkcs7.sha1 signs the digest of its encapsulated content, not of the range
    broken = None if legacy_sha1 else _hash_mismatch(emb, findings)
    if broken is not None and not is_ts:
        return broken, None
    # pyHanko registers the certificates carried in the CMS itself
    vc = _validation_context(ctx, [])
    st: Any
    try:
        if legacy_sha1 and not is_ts:
            st = await _validate_pkcs7_sha1(ctx, emb, vc)
        elif is_ts:
            st = await async_validate_pdf_timestamp(
                emb, validation_context=vc, diff_policy=diff_policy()
            )
        else:
            st = await async_validate_pdf_signature(emb, vc, diff_policy=diff_policy())
    except SignatureValidationError as exc:
        failed = _fail(field, Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE, str(exc), kind)
        errors = failed.errors + [f.message for f in findings]
        return failed.model_copy(update={"errors": errors}), None

    cert = st.signing_cert
    rep: dict[str, Any] = {
        "field": field,
        "kind": kind,
        "signer": _signer_report(cert) if cert is not None and not is_ts else None,
        # a /ByteRange that fails our byte-level checks covers nothing we can vouch for
        "coverage": Coverage.PARTIAL
        if any(f.code.startswith("byte_range") for f in findings)
        else _coverage(st.coverage),
        # a /ByteRange past the end of the file, or whose gap is not exactly the
        # signature's hex string, signs something other than this file: broken
        "integrity": Integrity.INTACT
        if (st.intact and st.valid and not _range_breaks_integrity(findings))
        else Integrity.BROKEN,
        "warnings": warnings,
    }
    sha1 = uses_sha1(getattr(emb, "md_algorithm", None)) or legacy_sha1
    judgement = judge(st, rep["coverage"], ctx.sig_fields)
    rep["modified_after_signing"] = judgement.modification
    rep["changes"] = judgement.changes
    ctx.visible_changes[field] = judgement.visible
    rep["mdp_ok"] = st.docmdp_ok
    docmdp = emb.docmdp_level
    if docmdp is not None:
        rep["certification"] = {1: "no_changes", 2: "form_filling", 3: "annotations"}.get(
            int(docmdp.value), str(docmdp)
        )
    fieldmdp = emb.fieldmdp
    if fieldmdp is not None:
        rep["field_locks"] = [f"{fieldmdp.action.name.lower()}: {', '.join(fieldmdp.fields or [])}"]
    path = getattr(st, "validation_path", None)
    if path is not None:
        rep["trust_path"] = [_human(c.subject) for c in path.iter_certs(include_root=True)][::-1]
    if is_ts:
        rep["timestamp"] = TimestampReport(
            time=_local(st.timestamp),
            tsa=_human(cert.subject) if cert is not None else None,
            valid=bool(st.intact and st.valid and st.trusted),
        )
    else:
        rep["signing_time"] = _local(st.signer_reported_dt)
        tsv = st.timestamp_validity
        if tsv is not None:
            rep["timestamp"] = TimestampReport(
                time=_local(tsv.timestamp),
                tsa=_human(tsv.signing_cert.subject) if tsv.signing_cert is not None else None,
                valid=bool(tsv.intact and tsv.valid and tsv.trusted),
            )
        chain = list(path.iter_certs(include_root=True)) if path is not None else []
        rep["revocation"] = _revocation(
            cert,
            vc,
            ctx.embedded_revinfo,
            st,
            [*chain, *ctx.trust.anchors, *ctx.trust.intermediates, *ctx.dss_certs],
        )
    _conclude(rep, st, emb, findings, not ctx.trust.anchors_der)
    if sha1:
        _sha1_policy(rep)
    if (
        rep["indication"] is Indication.TOTAL_PASSED
        and not is_ts
        and rep["revocation"].status is RevocationStatus.REVOKED
    ):
        # pyHanko only checks revocation data a certificate points to; signed data at
        # hand that says "revoked" must never leave the signature valid. Without a
        # proof that the signature existed before the revocation, it is undecided.
        rep.update(indication=Indication.INDETERMINATE, subindication=SubIndication.REVOKED_NO_POE)
        rep["errors"].insert(
            0,
            "the signer's certificate is revoked according to the "
            f"{rep['revocation'].detail or 'revocation data'} at hand, and nothing proves "
            "the signature was made before the revocation",
        )
    if (
        rep["indication"] is Indication.INDETERMINATE
        and rep.get("subindication") is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
        and cert is not None
    ):
        pool = [*ctx.trust.intermediates, *ctx.dss_certs, *emb.other_embedded_certs]
        rep["errors"].append(_missing_link(cert, pool, list(ctx.trust.anchors)))
    if (
        not is_ts
        and rep["indication"] is Indication.TOTAL_PASSED
        and rep["revocation"].status is RevocationStatus.UNKNOWN
    ):
        rep["warnings"].append(
            "revocation not checked: no revocation data is embedded"
            + (" (offline mode)" if ctx.mode == "offline" else "")
        )
    return SignatureReport(**rep), st


_INTEGRITY_BREAKING_RANGES = frozenset(
    {
        "byte_range_malformed",
        "byte_range_not_from_start",
        "byte_range_outside_file",
        "byte_range_gap_not_contents",
    }
)


def _range_breaks_integrity(findings: list[Finding]) -> bool:
    return any(f.code in _INTEGRITY_BREAKING_RANGES for f in findings)


_SHA1_WARNING = (
    "SHA-1 is deprecated for signatures (collisions can be computed): the signed bytes "
    "are intact, but the signature can no longer prove on its own who signed what"
)


def _x509_rsa_sha1_report(data: bytes, sig_object: Any, field: str) -> SignatureReport | None:
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
        return _fail(
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
    rep: dict[str, Any] = {
        "field": field,
        "signer": _signer_report(signer),
        "coverage": Coverage.PARTIAL
        if findings
        else (Coverage.ENTIRE_FILE if whole else Coverage.ENTIRE_REVISION),
        "integrity": Integrity.INTACT if ok and not findings else Integrity.BROKEN,
        "modified_after_signing": Modification.NONE if whole else Modification.DISALLOWED,
        "changes": []
        if whole
        else ["changes after an /adbe.x509.rsa_sha1 signature are not analysed"],
        "warnings": [],
        "errors": [f.message for f in findings],
    }
    if not ok:
        rep.update(indication=Indication.TOTAL_FAILED, subindication=SubIndication.HASH_FAILURE)
        rep["errors"].insert(0, "the signature does not match the signed bytes")
    elif findings or not whole:
        rep.update(indication=Indication.TOTAL_FAILED, subindication=SubIndication.FORMAT_FAILURE)
    else:
        rep.update(indication=Indication.TOTAL_PASSED)
        _sha1_policy(rep)
    return SignatureReport(**rep)


def _sha1_policy(rep: dict[str, Any]) -> None:
    """SHA-1 counts for integrity, not for a full pass (docs/verify.md, "SHA-1")."""
    rep["warnings"].append(_SHA1_WARNING)
    if rep["indication"] is Indication.TOTAL_PASSED:
        rep.update(
            indication=Indication.INDETERMINATE,
            subindication=SubIndication.CRYPTO_CONSTRAINTS_FAILURE_NO_POE,
        )
        rep["errors"].insert(0, _SHA1_WARNING)


def _tolerate_fieldmdp(emb: Any) -> list[str]:
    """A /FieldMDP without /Action (or unreadable) locks every field, with a warning.

    pyHanko raises on such a lock; the conservative reading keeps every field locked,
    which can only make more changes disallowed, never fewer. Relies on pyHanko's
    ``EmbeddedPdfSignature._fieldmdp`` cache (see docs/verify.md).
    """
    from pyhanko.sign.fields import FieldMDPAction, FieldMDPSpec

    try:
        emb.fieldmdp  # noqa: B018 - parse it now
        return []
    except Exception:
        emb._fieldmdp = FieldMDPSpec(action=FieldMDPAction.ALL)
        emb._fieldmdp_queried = True
        return [
            "the signature's /FieldMDP lock is incomplete (no /Action); every field is "
            "treated as locked"
        ]


async def _validate_pkcs7_sha1(ctx: _Ctx, emb: Any, vc: Any) -> Any:
    """``/adbe.pkcs7.sha1``: pyHanko's own steps, with the content digest checked here."""
    import dataclasses

    from pyhanko.sign.validation import generic_cms
    from pyhanko.sign.validation.status import PdfSignatureStatus

    emb.compute_integrity_info(diff_policy=diff_policy())
    kwargs = emb.summarise_integrity_info()
    # without raw_digest, pyHanko digests the encapsulated content itself
    kwargs = await generic_cms.cms_basic_validation(
        emb.signed_data,
        validation_context=vc,
        status_kwargs=kwargs,
        key_usage_settings=PdfSignatureStatus.default_usage_constraints(None),
    )
    claimed = emb.self_reported_timestamp
    if claimed is not None and "signer_reported_dt" not in kwargs:
        kwargs["signer_reported_dt"] = claimed
    status = PdfSignatureStatus(**kwargs)
    if not pkcs7_sha1_content_matches(ctx.data, emb):
        status = dataclasses.replace(status, intact=False)
    return status


def _prehash(ctx: _Ctx, emb: Any) -> None:
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


def _hash_mismatch(emb: Any, findings: list[Finding]) -> SignatureReport | None:
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
        signer: SignerReport | None = _signer_report(emb.signer_cert)
    except Exception:
        signer = None
    try:
        coverage = _coverage(emb.evaluate_signature_coverage())
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


def _level(rep: SignatureReport, emb: Any, ctx: _Ctx, later_doc_ts: bool) -> PadesLevel:
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


def _verify_bytes(
    data: bytes,
    name: str | None,
    trust: TrustStore,
    mode: str,
    at: dt.datetime | None,
    limits: VerifyLimits,
    with_sha256: bool,
) -> VerificationReport:
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    base: dict[str, Any] = {
        "file": name,
        "size": len(data),
        "sha256": None,
        "validated_at": _local(at) if at is not None else dt.datetime.now(_TZ),
        "revocation_mode": mode,
    }
    doc_findings: list[Finding] = []
    head = data[:1024]
    if b"%PDF-" not in head:
        if with_sha256:
            base["sha256"] = hashlib.sha256(data).hexdigest()
        return VerificationReport(
            **base,
            document=DocumentConclusion(
                indication=Indication.TOTAL_FAILED,
                subindication=SubIndication.FORMAT_FAILURE,
                errors=[
                    "the file is empty (0 bytes): there is nothing to verify"
                    if not data
                    else "not a PDF file: no %PDF- header in the first 1024 bytes"
                ],
            ),
        )
    try:
        opened = open_pdf(data, limits.decode_limits())
    except PasswordRequired as exc:
        if with_sha256:
            base["sha256"] = hashlib.sha256(data).hexdigest()
        return VerificationReport(
            **base,
            document=DocumentConclusion(
                indication=Indication.INDETERMINATE,
                subindication=SubIndication.FORMAT_FAILURE,
                errors=[str(exc)],
            ),
        )
    reader = opened.reader
    doc_findings.extend(opened.findings)
    doc_findings.extend(_attacks.check_trailing_bytes(data))

    dss = load_dss(reader)
    doc_findings.extend(dss.findings)
    certs, ocsps, crls, has_dss = dss.certs, dss.ocsps, dss.crls, dss.present
    ctx = _Ctx(
        data=data,
        reader=reader,
        trust=trust,
        mode=mode,
        at=at,
        dss_certs=certs,
        dss_ocsps=ocsps,
        dss_crls=crls,
        embedded_revinfo={o.dump() for o in ocsps} | {c.dump() for c in crls},
        has_dss=has_dss,
        sig_fields=set(),
    )

    reports: list[tuple[int, SignatureReport, Any, Any]] = []
    embs: list[tuple[str, Any]] = []
    values: dict[str, bytes] = {}
    shared: dict[str, list[str]] = {}
    for slot in signature_slots(reader):
        field = slot.fq_name
        if len(slot.fields) > 1:
            shared[field] = slot.fields
        try:
            emb = EmbeddedPdfSignature(reader, slot.sig_field, slot.fq_name)
        except Exception as exc:
            legacy = _x509_rsa_sha1_report(data, slot.sig_object, field)
            if legacy is not None:
                reports.append((-1, legacy, None, None))
                continue
            reports.append(
                (
                    -1,
                    _fail(
                        field,
                        Indication.TOTAL_FAILED,
                        SubIndication.FORMAT_FAILURE,
                        f"the signature dictionary is malformed ({type(exc).__name__}: {exc}); "
                        "a signature without a readable /Contents and /ByteRange proves nothing",
                    ),
                    None,
                    None,
                )
            )
            continue
        embs.append((field, emb))
        ctx.sig_fields.update(slot.fields)
        values[field] = bytes(emb.pkcs7_content)
    reader._rokhas_embedded = [e for _, e in embs]  # type: ignore[attr-defined]
    replay = {f.field: f for f in _attacks.check_replayed_values(values)}

    async def run_all() -> list[tuple[SignatureReport, Any]]:
        if mode != "offline":
            from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

            ctx.fetcher = AIOHttpFetcherBackend(per_request_timeout=limits.fetch_timeout)
        try:
            return await _validate_all()
        finally:
            if ctx.fetcher is not None:
                await ctx.fetcher.close()
                ctx.fetcher = None

    async def _validate_all() -> list[tuple[SignatureReport, Any]]:
        out = []
        for field, emb in embs:
            rep, st = await _validate_one(ctx, emb, field)
            if field in replay:
                rep = rep.model_copy(
                    update={
                        "indication": Indication.TOTAL_FAILED,
                        "subindication": SubIndication.FORMAT_FAILURE,
                        "errors": [replay[field].message, *rep.errors],
                    }
                )
            out.append((rep, st))
        return out

    results = _run(run_all()) if embs else []
    for (field, emb), (rep, st) in zip(embs, results, strict=True):
        del field
        reports.append((emb.signed_revision, rep, emb, st))
    reports.sort(key=lambda r: r[0])
    # levels need to know whether a later document timestamp exists
    final: list[SignatureReport] = []
    for rev, rep, emb, _st in reports:
        if emb is not None:
            later_ts = any(
                e is not None
                and e.sig_object_type == "/DocTimeStamp"
                and e.signed_revision > rev
                and r.indication is Indication.TOTAL_PASSED
                for _rv, r, e, _s in reports
            )
            rep = rep.model_copy(update={"level": _level(rep, emb, ctx, later_ts)})
        rep = rep.model_copy(update={"fields": shared.get(rep.field, [rep.field])})
        final.append(rep)
    final = _after_last_signature(ctx, reports, final, doc_findings)

    permit = _permit_check(reader, reports, limits)
    document = _document_conclusion(final, doc_findings, permit)
    if with_sha256:
        base["sha256"] = ctx.file_sha256()
    return VerificationReport(
        **base, document=document, signatures=final, findings=doc_findings, permit=permit
    )


def _after_last_signature(
    ctx: _Ctx,
    reports: list[tuple[int, SignatureReport, Any, Any]],
    final: list[SignatureReport],
    findings: list[Finding],
) -> list[SignatureReport]:
    """Report what changed after the last signature that a reader would see.

    ISO 32000 permits filling forms, annotating (where DocMDP allows) and rewriting the
    document information after an approval signature, so such changes are "allowed".
    A permit is a final decision, though: what a reader sees must be what someone
    signed. Permitted changes that show (form values, annotations, title and other
    metadata) after the *last* signature therefore cap the document at INDETERMINATE,
    with the changes spelled out; a later signature over them lifts the cap.
    """
    signed = [
        (rev, i)
        for i, (rev, rep, emb, _st) in enumerate(reports)
        if emb is not None and rep.kind is SignatureKind.SIGNATURE
    ]
    if not signed:
        return final
    last_rev, index = max(signed)
    last = final[index]
    if last.coverage is Coverage.ENTIRE_FILE or last.integrity is Integrity.BROKEN:
        return final
    meta = metadata_changes(ctx.reader, last_rev)
    visible = ctx.visible_changes.get(last.field, False)
    if not meta and not visible:
        return final
    described = [m.describe() for m in meta]
    changes = list(last.changes)
    later_lta = any(
        emb is not None and emb.sig_object_type == "/DocTimeStamp" and rev > last_rev
        for rev, _r, emb, _s in reports
    ) or _dss_changed(ctx.reader, last_rev)
    if meta and not later_lta:
        # pyHanko clears metadata rewrites as housekeeping; say what they really are
        changes = [c for c in changes if not c.startswith("validation data (DSS)")]
        changes.insert(0, "document metadata rewritten after signing")
    changes += [f"metadata changed after signing: {d}" for d in described]
    final[index] = last.model_copy(update={"changes": changes})
    if last.modified_after_signing is Modification.DISALLOWED:
        return final  # already refused; the metadata is listed among its changes
    what = "; ".join([*(c for c in changes if not c.startswith("metadata changed"))][:5])
    message = (
        f"the document was changed after the last signature ({last.field}) in ways the PDF "
        f"standard permits but that change what a reader sees: {what}"
    )
    if described:
        message += "; metadata: " + "; ".join(described[:10])
    findings.append(Finding(code="changed_after_last_signature", message=message, field=last.field))
    return final


def _dss_changed(reader: Any, revision: int) -> bool:
    try:
        old = reader.get_historical_root(revision).raw_get("/DSS")
    except Exception:
        old = None
    try:
        new = reader.root.raw_get("/DSS")
    except Exception:
        new = None
    return bool(old != new)


def _document_conclusion(
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


# --------------------------------------------------------------------------- permit


def _embedded_files(reader: PdfFileReader) -> list[tuple[str, Any, Any]]:
    """(name, filespec ref-or-object, embedded stream) from the EmbeddedFiles name tree."""
    found: list[tuple[str, Any, Any]] = []
    try:
        tree = reader.root["/Names"]["/EmbeddedFiles"]
    except (KeyError, TypeError):
        return found
    stack = [(tree.get_object(), 0)]
    visited = 0
    while stack and visited < 1000:
        node, depth = stack.pop()
        visited += 1
        if depth > 32:
            continue
        names = node.get("/Names")
        if names is not None:
            names = names.get_object()
            for i in range(0, len(names) - 1, 2):
                label = str(names[i])
                spec_ref = names.raw_get(i + 1) if hasattr(names, "raw_get") else names[i + 1]
                spec = names[i + 1]
                try:
                    ef = spec["/EF"]
                    stream_ref = ef.raw_get("/F")
                except (KeyError, TypeError, AttributeError):
                    continue
                fname = str(spec.get("/UF", spec.get("/F", label)))
                found.append((fname, spec_ref, stream_ref))
        kids = node.get("/Kids")
        for kid in kids.get_object() if kids is not None else ():
            stack.append((kid.get_object(), depth + 1))
    return found


def _last_change(reader: Any, ref: Any) -> int | None:
    reference = getattr(ref, "reference", None)
    if reference is None:
        return None
    try:
        return int(reader.xrefs.get_last_change(reference))
    except Exception:
        return None


def _permit_check(
    reader: PdfFileReader,
    reports: list[tuple[int, SignatureReport, Any, Any]],
    limits: VerifyLimits,
) -> PermitCheck | None:
    from pyhanko.pdf_utils.decode_limits import DecodePurpose

    candidates = [
        e
        for e in _embedded_files(reader)
        if e[0].lower() in _PERMIT_NAMES or e[0].lower().endswith("permit.json")
    ]
    if not candidates:
        return None
    fname, spec_ref, stream_ref = candidates[0]
    problems: list[str] = []
    if len(candidates) > 1:
        problems.append(f"{len(candidates)} permit attachments found; only one is expected")
    try:
        raw = stream_ref.get_object().read_data(
            DecodePurpose.GENERIC, expected_size=limits.max_permit_size
        )
    except Exception as exc:
        raw = b""
        problems.append(f"the permit attachment cannot be read ({type(exc).__name__})")
    data: dict[str, Any] = {}
    if len(raw) > limits.max_permit_size:
        problems.append("the permit attachment is too large")
    elif raw:
        try:
            loaded = json.loads(raw.decode("utf-8"))
            if isinstance(loaded, dict):
                data = loaded
            else:
                problems.append("the permit attachment is not a JSON object")
        except (UnicodeDecodeError, ValueError):
            problems.append("the permit attachment is not valid UTF-8 JSON")
    permit: Permit | None = None
    if data:
        try:
            permit = Permit.model_validate(data)
        except InvalidInputError as exc:
            problems.append(f"the permit data does not validate: {exc}")
    # Covered: the attachment (stream and file spec) was last changed in a revision that a
    # passing signature covers; pyHanko's diff analysis refuses later rewrites of it.
    changes = [_last_change(reader, stream_ref), _last_change(reader, spec_ref)]
    covered = False
    if all(c is not None for c in changes[:1]):
        last = max(c for c in changes if c is not None)
        covered = any(
            emb is not None
            and r.indication is Indication.TOTAL_PASSED
            and r.kind is SignatureKind.SIGNATURE
            and emb.signed_revision >= last
            for _rev, r, emb, _st in reports
        )
    signed = covered
    if all(c is not None for c in changes[:1]):
        last = max(c for c in changes if c is not None)
        signed = any(
            emb is not None
            and r.integrity is Integrity.INTACT
            and r.kind is SignatureKind.SIGNATURE
            and emb.signed_revision >= last
            for _rev, r, emb, _st in reports
        )
    if not covered:
        problems.append(
            "the signature over the permit attachment did not pass validation"
            if signed
            else "no signature covers the permit attachment"
        )
    reference = _permit_reference(data)
    visible = _visible_reference(reader, reference, limits) if reference else None
    matches: bool | None = None
    if reference is not None:
        matches = visible is not None
        if not matches:
            problems.append(f"the permit reference {reference!r} is not printed on the first page")
    return PermitCheck(
        attachment=fname,
        data=data,
        permit=permit,
        covered=covered,
        signed=signed,
        reference=reference,
        visible_reference=visible,
        reference_matches=matches,
        problems=problems,
    )


def _permit_reference(data: dict[str, Any]) -> str | None:
    for key in ("number", "reference"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _visible_reference(reader: Any, reference: str, limits: VerifyLimits) -> str | None:
    """The reference when the first page shows it (text decoded through ToUnicode)."""
    from ._pagetext import page_text

    try:
        page = reader.root["/Pages"]["/Kids"][0].get_object()
        for _ in range(32):  # nested page tree, bounded against cycles
            if str(page.get("/Type")) != "/Pages":
                break
            page = page["/Kids"][0].get_object()
        text = page_text(page)
    except Exception:
        return None
    squeeze = "".join(text.split())
    return reference if "".join(reference.split()) in squeeze else None


# --------------------------------------------------------------------------- public API


def _check_args(trust: Any, revocation: str, at: dt.datetime | None) -> None:
    if not isinstance(trust, TrustStore):
        raise InvalidInputError(
            "trust must be a rokhas_sdk.signing.TrustStore (TrustStore.from_paths(...))"
        )
    if revocation not in _MODES:
        raise InvalidInputError(
            f"revocation must be one of {', '.join(_MODES)}, not {revocation!r}"
        )
    if at is not None and (not isinstance(at, dt.datetime) or at.tzinfo is None):
        raise InvalidInputError("at must be a timezone-aware datetime (e.g. with ZoneInfo)")


def verify_pdf(
    source: str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes],
    *,
    trust: TrustStore,
    revocation: RevocationMode = "offline",
    at: dt.datetime | None = None,
    limits: VerifyLimits = DEFAULT_LIMITS,
    with_sha256: bool = True,
) -> VerificationReport:
    """Verify every signature of a PDF and return an auditor-grade report.

    ``source`` is a path, the file's bytes or a binary file object. ``trust`` holds the
    only certificates that can end a chain. ``revocation``: ``"offline"`` uses only the
    revocation data embedded in the file (a missing status is a warning),
    ``"soft-fail"`` may fetch OCSP/CRL and tolerates failures, ``"hard-fail"`` requires
    revocation data for every certificate. ``at`` validates at a past or future moment.

    Malformed input never raises: it yields ``INDETERMINATE`` or ``TOTAL_FAILED`` with
    the reason in ``report.document.errors``. Only bad arguments raise
    (:class:`~rokhas_sdk.InvalidInputError`, :class:`~rokhas_sdk.NotFoundError`).

    >>> report = verify_pdf("permit.pdf", trust=TrustStore.from_paths("root.pem"))  # doctest: +SKIP
    >>> report.document.indication                                                 # doctest: +SKIP
    <Indication.TOTAL_PASSED: 'TOTAL_PASSED'>
    """
    _check_args(trust, revocation, at)
    data, name = _read_source(source, limits)
    try:
        return _verify_bytes(data, name, trust, revocation, at, limits, with_sha256)
    except RecursionError:
        reason = "the PDF nests objects too deeply to be analysed"
    except MemoryError:
        reason = "the PDF needs more memory than allowed to be analysed"
    except Exception as exc:
        reason = f"the PDF could not be analysed ({type(exc).__name__}: {_short(exc)})"
    return VerificationReport(
        file=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest() if with_sha256 else None,
        validated_at=_local(at) if at is not None else dt.datetime.now(_TZ),
        revocation_mode=revocation,
        document=DocumentConclusion(
            indication=Indication.INDETERMINATE,
            subindication=SubIndication.FORMAT_FAILURE,
            errors=[reason],
        ),
    )


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 300 else text[:297] + "..."


def _error_report(path: str, message: str, revocation: str) -> VerificationReport:
    return VerificationReport(
        file=path,
        size=0,
        validated_at=dt.datetime.now(_TZ),
        revocation_mode=revocation,
        document=DocumentConclusion(
            indication=Indication.INDETERMINATE,
            subindication=SubIndication.FORMAT_FAILURE,
            errors=[message],
        ),
    )


def _verify_path_safe(
    path: str,
    trust: TrustStore,
    revocation: str,
    at: dt.datetime | None,
    limits: VerifyLimits,
) -> VerificationReport:
    """Worker entry point: never raises, whatever the file."""
    try:
        return verify_pdf(path, trust=trust, revocation=revocation, at=at, limits=limits)  # type: ignore[arg-type]
    except (NotFoundError, InvalidInputError, OSError) as exc:
        return _error_report(path, str(exc), revocation)
    except MemoryError:
        return _error_report(path, "the file needs more memory than allowed", revocation)
    except Exception as exc:  # a bad file never stops the batch
        return _error_report(path, f"unexpected error: {type(exc).__name__}", revocation)


def _worker_init(max_memory: int | None) -> None:
    if max_memory is not None:  # pragma: no cover - runs in the worker process
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))


def verify_many(
    paths: Iterable[str | os.PathLike[str]],
    *,
    trust: TrustStore,
    executor: concurrent.futures.Executor | None = None,
    jobs: int | None = None,
    revocation: RevocationMode = "offline",
    at: dt.datetime | None = None,
    limits: VerifyLimits = DEFAULT_LIMITS,
    max_pending: int | None = None,
) -> Iterator[VerificationReport]:
    """Verify many files, yielding each report as soon as it is ready (not in input order).

    Any :class:`concurrent.futures.Executor` works: by default a process pool of ``jobs``
    workers (CPU count when ``None``) is started and shut down; pass a Dask
    (``distributed.Client(...).get_executor()``) or Ray executor to spread a batch over
    a cluster. A file that cannot be read or parsed yields an ``INDETERMINATE`` report
    naming the problem; it never stops the batch. At most ``max_pending`` files are in
    flight at once (default 4 per worker), so memory stays flat for huge batches.
    """
    _check_args(trust, revocation, at)
    if jobs is not None and jobs < 1:
        raise InvalidInputError("jobs must be at least 1")
    own = executor is None
    workers = jobs or os.cpu_count() or 1
    if executor is None:
        executor = concurrent.futures.ProcessPoolExecutor(
            max_workers=workers, initializer=_worker_init, initargs=(limits.max_memory,)
        )
    window = max_pending or 4 * workers
    pending: set[concurrent.futures.Future[VerificationReport]] = set()
    names: dict[concurrent.futures.Future[VerificationReport], str] = {}
    try:
        it = iter(paths)
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                try:
                    p = os.fspath(next(it))
                except StopIteration:
                    exhausted = True
                    break
                fut = executor.submit(_verify_path_safe, p, trust, revocation, at, limits)
                pending.add(fut)
                names[fut] = p
            if not pending:
                return
            done, pending = concurrent.futures.wait(
                pending, return_when=concurrent.futures.FIRST_COMPLETED
            )
            for fut in done:
                name = names.pop(fut)
                try:
                    yield fut.result()
                except Exception as exc:  # worker died (memory limit, killed)
                    yield _error_report(
                        name,
                        f"the worker verifying this file failed ({type(exc).__name__})",
                        revocation,
                    )
    finally:
        for fut in pending:
            fut.cancel()
        if own:
            executor.shutdown(wait=True, cancel_futures=True)
