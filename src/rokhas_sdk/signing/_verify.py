"""Verify signed PDFs: pyHanko is the engine, the report and the verdict are ours.

The verdict follows ETSI EN 319 102-1. A document that was changed after it was signed
must never come out ``TOTAL_PASSED``: every doubt (an unparsable structure, an
unexpected exception, a byte that no signature accounts for) ends in ``INDETERMINATE``
or ``TOTAL_FAILED`` with a reason, never in an exception.

This module is the public face and the conductor; each stage is its own module:

1. ``_verify_read``: strict reader, tolerant fallback (with a finding), decryption,
   the DSS, one slot per signature dictionary;
2. ``_verify_integrity``: the /ByteRange digest over the raw bytes, byte-range checks;
3. ``_verify_modifications``: what changed after each signature (ISO 32000-2 12.8),
   metadata, the visible-change cap;
4. ``_verify_crypto``: signature values pyHanko does not verify itself, SHA-1 policy;
5. ``_verify_chain``: validation context, missing links, revocation at hand;
6. ``_verify_conclusion``: the indication of each signature and of the document;

with ``_verify_builder`` (shared context, typed :class:`SignatureDraft`) under all of
them and ``_verify_permit`` for the embedded permit.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Literal

from .._errors import InvalidInputError, NotFoundError
from .._time import CASABLANCA as _TZ
from . import _attacks
from ._report import (
    Coverage,
    DocumentConclusion,
    Finding,
    Indication,
    Integrity,
    RevocationStatus,
    SignatureKind,
    SignatureReport,
    SubIndication,
    TimestampReport,
    VerificationReport,
)
from ._trust import TrustStore
from ._verify_builder import (
    DEFAULT_LIMITS,
    SignatureDraft,
    VerifyContext,
    VerifyLimits,
    fail_signature,
    human_reason,
    local_time,
    signer_report,
)
from ._verify_chain import (
    build_validation_context,
    missing_link,
    revocation_of,
)
from ._verify_conclusion import conclude_signature, document_conclusion, pades_level
from ._verify_crypto import (
    sha1_policy,
    uses_sha1,
    validate_pkcs7_sha1,
)
from ._verify_integrity import (
    coverage_of,
    hash_mismatch,
    prehash,
    range_breaks_integrity,
    x509_rsa_sha1_report,
)
from ._verify_modifications import (
    after_last_signature,
    diff_policy,
    judge,
    tolerate_fieldmdp,
)
from ._verify_permit import permit_check
from ._verify_read import PasswordRequired, load_dss, open_pdf, signature_slots

__all__ = ["RevocationMode", "VerifyLimits", "verify_many", "verify_pdf"]

RevocationMode = Literal["offline", "soft-fail", "hard-fail"]
_MODES = ("offline", "soft-fail", "hard-fail")
# Attachment names that carry the machine-readable permit (documents/signing rooms).


# --------------------------------------------------------------------------- helpers


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


# --------------------------------------------------------------------------- chains


# --------------------------------------------------------------------------- conclusion


# --------------------------------------------------------------------------- the engine


async def _validate_one(ctx: VerifyContext, emb: Any, field: str) -> tuple[SignatureReport, Any]:
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
    warnings = tolerate_fieldmdp(emb)
    legacy_sha1 = str(emb.sig_object.get("/SubFilter", "")) == "/adbe.pkcs7.sha1"
    prehash(ctx, emb)
    # /adbe.pkcs7.sha1 signs the digest of its encapsulated content, not of the range
    broken = None if legacy_sha1 else hash_mismatch(emb, findings)
    if broken is not None and not is_ts:
        return broken, None
    # pyHanko registers the certificates carried in the CMS itself
    vc = build_validation_context(ctx, [])
    st: Any
    try:
        if legacy_sha1 and not is_ts:
            st = await validate_pkcs7_sha1(ctx, emb, vc)
        elif is_ts:
            st = await async_validate_pdf_timestamp(
                emb, validation_context=vc, diff_policy=diff_policy()
            )
        else:
            st = await async_validate_pdf_signature(emb, vc, diff_policy=diff_policy())
    except SignatureValidationError as exc:
        failed = fail_signature(
            field, Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE, str(exc), kind
        )
        errors = failed.errors + [f.message for f in findings]
        return failed.model_copy(update={"errors": errors}), None

    cert = st.signing_cert
    rep = SignatureDraft(
        field=field,
        kind=kind,
        signer=signer_report(cert) if cert is not None and not is_ts else None,
        # a /ByteRange that fails our byte-level checks covers nothing we can vouch for
        coverage=Coverage.PARTIAL
        if any(f.code.startswith("byte_range") for f in findings)
        else coverage_of(st.coverage),
        # a /ByteRange past the end of the file, or whose gap is not exactly the
        # signature's hex string, signs something other than this file: broken
        integrity=Integrity.INTACT
        if (st.intact and st.valid and not range_breaks_integrity(findings))
        else Integrity.BROKEN,
        warnings=warnings,
    )
    sha1 = uses_sha1(getattr(emb, "md_algorithm", None)) or legacy_sha1
    judgement = judge(st, rep.coverage, ctx.sig_fields)
    rep.modified_after_signing = judgement.modification
    rep.changes = judgement.changes
    ctx.visible_changes[field] = judgement.visible
    rep.mdp_ok = st.docmdp_ok
    docmdp = emb.docmdp_level
    if docmdp is not None:
        rep.certification = {1: "no_changes", 2: "form_filling", 3: "annotations"}.get(
            int(docmdp.value), str(docmdp)
        )
    fieldmdp = emb.fieldmdp
    if fieldmdp is not None:
        rep.field_locks = [f"{fieldmdp.action.name.lower()}: {', '.join(fieldmdp.fields or [])}"]
    path = getattr(st, "validation_path", None)
    if path is not None:
        rep.trust_path = [human_reason(c.subject) for c in path.iter_certs(include_root=True)][::-1]
    if is_ts:
        rep.timestamp = TimestampReport(
            time=local_time(st.timestamp),
            tsa=human_reason(cert.subject) if cert is not None else None,
            valid=bool(st.intact and st.valid and st.trusted),
        )
    else:
        rep.signing_time = local_time(st.signer_reported_dt)
        tsv = st.timestamp_validity
        if tsv is not None:
            rep.timestamp = TimestampReport(
                time=local_time(tsv.timestamp),
                tsa=human_reason(tsv.signing_cert.subject)
                if tsv.signing_cert is not None
                else None,
                valid=bool(tsv.intact and tsv.valid and tsv.trusted),
            )
        chain = list(path.iter_certs(include_root=True)) if path is not None else []
        rep.revocation = revocation_of(
            cert,
            vc,
            ctx.embedded_revinfo,
            st,
            [*chain, *ctx.trust.anchors, *ctx.trust.intermediates, *ctx.dss_certs],
        )
    conclude_signature(rep, st, emb, findings, not ctx.trust.anchors_der)
    if sha1:
        sha1_policy(rep)
    if (
        rep.indication is Indication.TOTAL_PASSED
        and not is_ts
        and rep.revocation.status is RevocationStatus.REVOKED
    ):
        # pyHanko only checks revocation data a certificate points to; signed data at
        # hand that says "revoked" must never leave the signature valid. Without a
        # proof that the signature existed before the revocation, it is undecided.
        rep.conclude(Indication.INDETERMINATE, SubIndication.REVOKED_NO_POE)
        rep.errors.insert(
            0,
            "the signer's certificate is revoked according to the "
            f"{rep.revocation.detail or 'revocation data'} at hand, and nothing proves "
            "the signature was made before the revocation",
        )
    if (
        rep.indication is Indication.INDETERMINATE
        and rep.subindication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
        and cert is not None
    ):
        pool = [*ctx.trust.intermediates, *ctx.dss_certs, *emb.other_embedded_certs]
        rep.errors.append(missing_link(cert, pool, list(ctx.trust.anchors)))
    if (
        not is_ts
        and rep.indication is Indication.TOTAL_PASSED
        and rep.revocation.status is RevocationStatus.UNKNOWN
    ):
        rep.warnings.append(
            "revocation not checked: no revocation data is embedded"
            + (" (offline mode)" if ctx.mode == "offline" else "")
        )
    return rep.build(), st


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
        "validated_at": local_time(at) if at is not None else dt.datetime.now(_TZ),
        "revocation_mode": mode,
    }
    doc_findings: list[Finding] = []
    head = data[:1024]
    if b"%PDF-" not in head:
        return _document_report(
            name,
            data,
            mode,
            base["validated_at"],
            with_sha256,
            Indication.TOTAL_FAILED,
            "the file is empty (0 bytes): there is nothing to verify"
            if not data
            else "not a PDF file: no %PDF- header in the first 1024 bytes",
        )
    try:
        opened = open_pdf(data, limits.decode_limits())
    except PasswordRequired as exc:
        return _document_report(
            name,
            data,
            mode,
            base["validated_at"],
            with_sha256,
            Indication.INDETERMINATE,
            str(exc),
        )
    reader = opened.reader
    doc_findings.extend(opened.findings)
    doc_findings.extend(_attacks.check_trailing_bytes(data))

    dss = load_dss(reader)
    doc_findings.extend(dss.findings)
    certs, ocsps, crls, has_dss = dss.certs, dss.ocsps, dss.crls, dss.present
    ctx = VerifyContext(
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
            legacy = x509_rsa_sha1_report(data, slot.sig_object, field)
            if legacy is not None:
                reports.append((-1, legacy, None, None))
                continue
            reports.append(
                (
                    -1,
                    fail_signature(
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
            rep = rep.model_copy(update={"level": pades_level(rep, emb, ctx, later_ts)})
        rep = rep.model_copy(update={"fields": shared.get(rep.field, [rep.field])})
        final.append(rep)
    final = after_last_signature(ctx, reports, final, doc_findings)

    permit = permit_check(reader, reports, limits)
    document = document_conclusion(final, doc_findings, permit)
    if with_sha256:
        base["sha256"] = ctx.file_sha256()
    return VerificationReport(
        **base, document=document, signatures=final, findings=doc_findings, permit=permit
    )


# --------------------------------------------------------------------------- permit


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
    validated_at = local_time(at) if at is not None else dt.datetime.now(_TZ)
    return _document_report(
        name, data, revocation, validated_at, with_sha256, Indication.INDETERMINATE, reason
    )


def _document_report(
    name: str | None,
    data: bytes,
    mode: str,
    validated_at: dt.datetime | None,
    with_sha256: bool,
    indication: Indication,
    error: str,
) -> VerificationReport:
    """The report on a file whose signatures could not be reached: no entries, one
    error, and a FORMAT_FAILURE (not a PDF, a password needed, not analysable)."""
    return VerificationReport(
        file=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest() if with_sha256 else None,
        validated_at=validated_at,
        revocation_mode=mode,
        document=DocumentConclusion(
            indication=indication, subindication=SubIndication.FORMAT_FAILURE, errors=[error]
        ),
    )


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 300 else text[:297] + "..."


def _error_report(path: str, message: str, revocation: str) -> VerificationReport:
    return _document_report(
        path, b"", revocation, dt.datetime.now(_TZ), False, Indication.INDETERMINATE, message
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
