"""PAdES signing of permits: B-B, B-T, B-LT and B-LTA on pyHanko.

:func:`sign_pdf` signs one document. :class:`SigningSession` signs many with the same
signer and settings, and keeps what does not change between documents: the parsed key,
the certificate checks, the time-stamping client (and its size-estimation token), the
validation context with the OCSP responses and CRLs it fetched, and the number of bytes
to reserve for the signature. That is where a batch gets its speed.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import hashlib
import io
import ssl
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .._errors import InvalidInputError
from ._errors import (
    AlreadySignedError,
    BrokenPdfError,
    CertificateExpiredError,
    CertificateNotYetValidError,
    CertificateRevokedError,
    EncryptedPdfError,
    RevocationCheckError,
    SigningError,
    TimestampError,
)
from ._signers import Signer

__all__ = ["DocMDP", "Level", "SignatureSlot", "SigningSession", "StampOptions", "sign_pdf"]

Level = Literal["B-B", "B-T", "B-LT", "B-LTA"]
"""PAdES baseline levels (ETSI EN 319 142-1)."""

DocMDP = Literal["no_changes", "form_filling", "annotate"]
"""What a certification signature still allows: nothing, filling/signing fields, or
that plus annotations (PDF DocMDP P=1, 2, 3)."""

LEVELS: tuple[Level, ...] = ("B-B", "B-T", "B-LT", "B-LTA")

PdfInput = bytes | bytearray | memoryview | str | Path | IO[bytes]

T = TypeVar("T")

_PDF_HEADER = b"%PDF-"


@dataclass(frozen=True)
class StampOptions:
    """The visible bilingual stamp.

    ``box`` is ``(x1, y1, x2, y2)`` in PDF points on page ``page`` (negative counts from
    the end; default: the last page, bottom right). ``name_ar``/``title_ar`` are the
    Arabic forms of the signer's name and title (the certificate carries Latin ones);
    ``title_fr`` defaults to the certificate's ``title``. ``hijri_adjust_days`` shifts
    the computed (Umm al-Qura) Hijri date to Morocco's official one when they differ.
    """

    box: tuple[float, float, float, float] | None = None
    page: int = -1
    title_fr: str | None = None
    title_ar: str = ""
    name_ar: str = ""
    hijri_adjust_days: int = 0


@dataclass(frozen=True)
class SignatureSlot:
    """An empty signature field to create: ``name``, ``page`` (0-based, negative from the
    end) and ``box`` ``(x1, y1, x2, y2)`` in points.

    Created in the certifying revision, the slots let co-signers (architect, commission
    members) sign later without adding fields, which a certification forbids: verifiers
    treat a new visible field after certification as a possible "sneaky signature".
    """

    name: str
    box: tuple[float, float, float, float]
    page: int = -1


def _run(coro_factory: Callable[[], Awaitable[T]], cleanup: Callable[[], Awaitable[None]]) -> T:
    """Run one top-level call on a fresh event loop.

    Not ``asyncio.run``: its SIGINT handling formats the handler's repr on every call
    (through ``signal.getsignal``), which cost ~25 ms per signature, more than the
    signature itself. Ctrl-C still interrupts: the loop runs in this thread.
    """

    async def main() -> T:
        try:
            return await coro_factory()
        finally:
            await cleanup()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise SigningError(
            "sign()/sign_many() were called from a running event loop: "
            "use `await session.async_sign(...)` there"
        )
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(main())
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()


class SigningSession:
    """Sign many permits with one signer and one set of settings.

    Example::

        with SigningSession(signer, level="B-LTA", tsa_url=tsa, trust_roots=[root]) as s:
            signed = [s.sign(pdf) for pdf in pdfs]   # or s.sign_many(pdfs)

    ``certify=True`` makes a certification (DocMDP) signature: the president's, first on
    the document; ``docmdp`` then says what later revisions may do (default
    ``form_filling``: co-signers can still add approval signatures). Otherwise the
    signature is an approval signature (architect, commission members).

    ``trust_roots`` anchor the validation done for B-LT/B-LTA (default: the last
    certificate of the signer's chain). ``check_revocation`` checks the signer's
    certificate against OCSP/CRL before signing; it defaults to on for B-LT and B-LTA,
    where that data is embedded anyway.
    """

    def __init__(
        self,
        signer: Signer,
        *,
        level: Level = "B-B",
        tsa_url: str | None = None,
        timestamper: Any | None = None,
        trust_roots: Sequence[x509.Certificate] | None = None,
        certify: bool = False,
        docmdp: DocMDP = "form_filling",
        stamp: StampOptions | None = None,
        visible: bool = True,
        field_name: str | None = None,
        reason: str | None = None,
        location: str | None = None,
        check_revocation: bool | None = None,
        require_non_repudiation: bool = True,
        md_algorithm: str = "sha256",
        request_timeout: float = 10.0,
        slots: Sequence[SignatureSlot] = (),
        revinfo_reuse_seconds: float = 300.0,
    ) -> None:
        if level not in LEVELS:
            raise InvalidInputError(
                f"unknown PAdES level {level!r}: choose one of {', '.join(LEVELS)}"
            )
        if docmdp not in ("no_changes", "form_filling", "annotate"):
            raise InvalidInputError(
                f"unknown DocMDP permission {docmdp!r}: no_changes, form_filling or annotate"
            )
        if level != "B-B" and tsa_url is None and timestamper is None:
            raise InvalidInputError(
                f"level {level} needs a time-stamping authority: pass tsa_url (or --tsa)"
            )
        self.signer = signer
        self.level: Level = level
        self.certify = certify
        self.docmdp: DocMDP = docmdp
        self.stamp = stamp or StampOptions()
        self.visible = visible
        self.field_name = field_name
        self.reason = reason
        self.location = location
        self.md_algorithm = md_algorithm
        self.slots = tuple(slots)
        self.revinfo_reuse_seconds = revinfo_reuse_seconds
        self.request_timeout = request_timeout
        self.check_revocation = (
            level in ("B-LT", "B-LTA") if check_revocation is None else check_revocation
        )
        if require_non_repudiation:
            signer.require_non_repudiation()
        self._check_validity(_dt.datetime.now(_dt.UTC))
        roots = list(trust_roots) if trust_roots else _self_signed(signer)
        self.trust_roots = roots

        from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

        self._http = _loop_bound_session()
        self._timestamper = timestamper
        if timestamper is None and tsa_url is not None:
            from pyhanko.sign.timestamps import HTTPTimeStamper

            self._timestamper = HTTPTimeStamper(
                tsa_url, session=self._http, timeout=int(request_timeout)
            )
        self._fetcher_backend = AIOHttpFetcherBackend(
            session=self._http, per_request_timeout=int(request_timeout)
        )
        self._vc: Any = None
        self._reserved: int | None = None
        self._revocation_checked = False
        self._revinfo: _Revinfo | None = None
        self._ts_reserved: int | None = None
        self._closed = False

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Forget the cached state (the signer stays open: close it yourself)."""
        self._closed = True
        self._vc = None

    def __enter__(self) -> SigningSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"SigningSession(signer={self.signer!r}, level={self.level!r}, "
            f"certify={self.certify!r})"
        )

    # ------------------------------------------------------------------ public API
    def sign(
        self,
        pdf: PdfInput,
        *,
        reference: str | None = None,
        field_name: str | None = None,
        output: str | Path | None = None,
    ) -> bytes:
        """Sign one PDF and return the signed bytes (also written to ``output`` if given).

        ``reference`` (the permit number) goes into the stamp's QR code with the SHA-256
        of the document as it was before this signature.
        """
        data = _read_input(pdf)
        out = _run(
            lambda: self._async_sign(data, reference=reference, field_name=field_name),
            self._http.close,
        )
        if output is not None:
            Path(output).write_bytes(out)
        return out

    def sign_many(
        self, pdfs: Iterable[PdfInput], *, references: Iterable[str | None] | None = None
    ) -> list[bytes]:
        """Sign several PDFs in one event loop, sharing connections to the TSA/OCSP/CRL."""
        docs = [_read_input(p) for p in pdfs]
        refs = list(references) if references is not None else [None] * len(docs)
        if len(refs) != len(docs):
            raise InvalidInputError("give one reference per PDF (or none at all)")

        async def all_docs() -> list[bytes]:
            return [await self._async_sign(d, reference=r) for d, r in zip(docs, refs, strict=True)]

        return _run(all_docs, self._http.close)

    async def async_sign(
        self, pdf: PdfInput, *, reference: str | None = None, field_name: str | None = None
    ) -> bytes:
        """Async form of :meth:`sign` (for callers already in an event loop)."""
        data = _read_input(pdf)
        return await self._async_sign(data, reference=reference, field_name=field_name)

    # ------------------------------------------------------------------ internals
    def _check_validity(self, now: _dt.datetime) -> None:
        cert = self.signer.certificate
        who = self.signer.name or cert.subject.rfc4514_string()
        if now > cert.not_valid_after_utc:
            raise CertificateExpiredError(who, cert.not_valid_after_utc)
        if now < cert.not_valid_before_utc:
            raise CertificateNotYetValidError(who, cert.not_valid_before_utc)

    def _validation_context(self) -> Any:
        if self._vc is None:
            from pyhanko_certvalidator import ValidationContext

            self._vc = ValidationContext(
                trust_roots=[_asn1(c) for c in self.trust_roots],
                other_certs=[_asn1(c) for c in self.signer.chain],
                allow_fetching=True,
                fetcher_backend=self._fetcher_backend,
                revocation_mode="hard-fail",
            )
        return self._vc

    async def _ensure_revocation_checked(self) -> None:
        if not self.check_revocation or self._revocation_checked:
            return
        from pyhanko_certvalidator import CertificateValidator

        vc = self._validation_context()
        validator = CertificateValidator(
            _asn1(self.signer.certificate),
            intermediate_certs=[_asn1(c) for c in self.signer.chain],
            validation_context=vc,
        )
        try:
            await validator.async_validate_usage({"non_repudiation"})  # type: ignore[no-untyped-call]
        except Exception as exc:
            raise _map_validation_error(exc, self.signer) from None
        self._revocation_checked = True

    async def _reserve(self) -> int:
        """Bytes to reserve for the CMS object: computed once per session."""
        if self._reserved is not None:
            return self._reserved
        certs = getattr(self.signer, "embedded_certificates", None) or (
            self.signer.certificate,
            *self.signer.chain,
        )
        size = sum(len(c.public_bytes(serialization.Encoding.DER)) for c in certs)
        size += 2 * self.signer.raw_signature_size() + 2048  # signed attributes, framing
        if self._timestamper is not None:
            try:
                dummy = await self._timestamper.async_dummy_response(self.md_algorithm)
            except Exception as exc:
                raise _timestamp_error(exc) from None
            size += len(dummy.dump()) + 512
        # pyHanko counts the placeholder in hex digits: two per byte of CMS
        self._reserved = 2 * (size + size // 8)
        return self._reserved

    async def _async_sign(
        self, data: bytes, *, reference: str | None, field_name: str | None = None
    ) -> bytes:
        if self._closed:
            raise SigningError("this SigningSession is closed: open a new one")
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers
        from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter

        now = _dt.datetime.now(_dt.UTC)
        self._check_validity(now)
        writer = _open_writer(data, IncrementalPdfFileWriter)
        existing = _signature_fields(writer)
        if self.certify and any(filled for _, filled in existing):
            raise AlreadySignedError(
                "the document is already signed: a certification (DocMDP) signature must be "
                "the first one; sign it as an approval (certify=False) or certify first"
            )
        await self._ensure_revocation_checked()

        name = field_name or self.field_name
        empty = [n for n, filled in existing if not filled]
        if name is None:
            name = empty[0] if len(empty) == 1 else _new_field_name(existing)
        new_field = name not in {n for n, _ in existing}

        lt = self.level in ("B-LT", "B-LTA")
        reuse = lt and self._revinfo_fresh(now)
        perm = {
            "no_changes": MDPPerm.NO_CHANGES,
            "form_filling": MDPPerm.FILL_FORMS,
            "annotate": MDPPerm.ANNOTATE,
        }[self.docmdp]
        meta = signers.PdfSignatureMetadata(
            field_name=name,
            md_algorithm=self.md_algorithm,
            subfilter=SigSeedSubFilter.PADES,
            certify=self.certify,
            docmdp_permissions=perm,
            reason=self.reason,
            location=self.location,
            embed_validation_info=lt and not reuse,
            use_pades_lta=self.level == "B-LTA" and not reuse,
            validation_context=self._validation_context() if lt and not reuse else None,
        )
        known = {n for n, _ in existing} | {name}
        for slot in self.slots:
            if slot.name not in known:
                page = self._page_index(writer, slot.page)
                fields.append_signature_field(
                    writer,
                    fields.SigFieldSpec(
                        sig_field_name=slot.name,
                        on_page=page,
                        box=tuple(int(v) for v in slot.box),  # type: ignore[arg-type]
                    ),
                )
                known.add(slot.name)
        stamp_style = None
        field_spec = None
        if self.visible:
            stamp_style = self._stamp_style(data, reference, now)
            if new_field:
                page, box = self._stamp_place(writer)
                field_spec = fields.SigFieldSpec(sig_field_name=name, on_page=page, box=box)
        elif new_field:
            field_spec = fields.SigFieldSpec(sig_field_name=name)
        pdf_signer = signers.PdfSigner(
            meta,
            self.signer.pyhanko_signer,
            timestamper=self._timestamper if self.level != "B-B" else None,
            stamp_style=stamp_style,
            new_field_spec=field_spec,
        )
        reserved = await self._reserve()
        out = io.BytesIO()
        try:
            await pdf_signer.async_sign_pdf(writer, output=out, bytes_reserved=reserved)
            if reuse:
                return await self._extend_with_cached_revinfo(out, name)
        except SigningError:
            raise
        except Exception as exc:
            raise _map_signing_error(exc, self.signer) from None
        signed = out.getvalue()
        if lt and self.revinfo_reuse_seconds > 0:
            self._remember_revinfo(signed, now)
        return signed

    # ------------------------------------------------------------------ revinfo reuse
    def _revinfo_fresh(self, now: _dt.datetime) -> bool:
        return self._revinfo is not None and now < self._revinfo.expires

    def _remember_revinfo(self, signed: bytes, now: _dt.datetime) -> None:
        """Keep the DSS content (certificates, OCSP responses, CRLs) that pyHanko gathered
        for this document, to embed as is in the next ones while it is fresh."""
        from asn1crypto import crl as asn1_crl
        from asn1crypto import ocsp as asn1_ocsp
        from pyhanko.pdf_utils.decode_limits import DecodePurpose
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation.dss import DocumentSecurityStore

        try:
            dss = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(signed)))
            certs = list(dss.load_certs())
            ocsps = [
                asn1_ocsp.OCSPResponse.load(r.get_object().read_data(DecodePurpose.OCSP_RESPONSE))
                for r in dss.ocsps
            ]
            crls = [
                asn1_crl.CertificateList.load(r.get_object().read_data(DecodePurpose.CRL))
                for r in dss.crls
            ]
        except Exception:  # no usable DSS: keep validating per document
            self._revinfo = None
            return
        expires = now + _dt.timedelta(seconds=self.revinfo_reuse_seconds)
        for resp in ocsps:
            try:
                for single in resp["response_bytes"]["response"].parsed["tbs_response_data"][
                    "responses"
                ]:
                    nxt = single["next_update"].native
                    if nxt is not None:
                        expires = min(expires, nxt)
            except (KeyError, ValueError, TypeError):
                continue
        for c in crls:
            nxt = c["tbs_cert_list"]["next_update"].native
            if nxt is not None:
                expires = min(expires, nxt)
        self._revinfo = _Revinfo(certs=certs, ocsps=ocsps, crls=crls, expires=expires)

    async def _extend_with_cached_revinfo(self, signed: io.BytesIO, field: str) -> bytes:
        """B-LT/B-LTA from a B-T signature: add the cached DSS, then the document
        timestamp, without validating the same chains again."""
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import signers
        from pyhanko.sign.validation.dss import DocumentSecurityStore

        assert self._revinfo is not None
        info = self._revinfo
        signed.seek(0)
        w = IncrementalPdfFileWriter(signed)
        sig_contents = _signature_contents(w.prev, field)
        DocumentSecurityStore.supply_dss_in_writer(
            w, sig_contents, certs=info.certs, ocsps=info.ocsps, crls=info.crls
        )
        out = io.BytesIO()
        w.write(out)  # type: ignore[no-untyped-call]
        if self.level != "B-LTA":
            return out.getvalue()
        if self._ts_reserved is None:
            dummy = await self._timestamper.async_dummy_response(self.md_algorithm)  # type: ignore[union-attr]
            self._ts_reserved = 2 * (len(dummy.dump()) + 1024)
        final = io.BytesIO()
        stamper = signers.PdfTimeStamper(self._timestamper)  # type: ignore[arg-type]
        await stamper.async_timestamp_pdf(
            IncrementalPdfFileWriter(out),
            self.md_algorithm,
            bytes_reserved=self._ts_reserved,
            output=final,
        )
        return final.getvalue()

    def _stamp_style(self, data: bytes, reference: str | None, now: _dt.datetime) -> Any:
        from pyhanko.stamp import StaticStampStyle

        from ._stamp import StampText, render_stamp_pdf, stamp_content

        digest = hashlib.sha256(data).hexdigest()
        ref = reference or ""
        text = StampText(
            name=self.signer.name,
            title_fr=self.stamp.title_fr if self.stamp.title_fr is not None else self.signer.title,
            title_ar=self.stamp.title_ar,
            name_ar=self.stamp.name_ar,
            hijri_adjust_days=self.stamp.hijri_adjust_days,
        )
        pdf = render_stamp_pdf(text, now)
        qr = f"ROKHAS|{ref}|sha256:{digest}"
        from pyhanko.pdf_utils import layout

        return StaticStampStyle(
            background=stamp_content(pdf, qr),
            border_width=0,
            background_opacity=1.0,
            # the stamp is drawn at the field's size: no margin, so it fills the box
            background_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MID,
                y_align=layout.AxisAlignment.ALIGN_MID,
                margins=layout.Margins.uniform(0),  # type: ignore[no-untyped-call]
            ),
        )

    @staticmethod
    def _page_index(writer: Any, wanted: int) -> int:
        pages = int(writer.root["/Pages"]["/Count"])
        page = wanted if wanted >= 0 else pages + wanted
        if not 0 <= page < pages:
            raise InvalidInputError(
                f"page {wanted} does not exist: the document has {pages} page(s)"
            )
        return page

    def _stamp_place(self, writer: Any) -> tuple[int, tuple[int, int, int, int]]:
        from ._stamp import STAMP_HEIGHT, STAMP_WIDTH

        page = self._page_index(writer, self.stamp.page)
        if self.stamp.box is not None:
            x1, y1, x2, y2 = self.stamp.box
            return page, (int(x1), int(y1), int(x2), int(y2))
        # bottom right of an A4 page, above the footer
        return page, (595 - 36 - int(STAMP_WIDTH), 40, 595 - 36, 40 + int(STAMP_HEIGHT))


# --------------------------------------------------------------------------- helpers
_SESSION_CLASS: Any = None
_SSL: ssl.SSLContext | None = None


def _loop_bound_session() -> Any:
    """An aiohttp session provider, re-created per event loop and closed after each run.

    It is a pyHanko ``LazySession`` (pyHanko checks for that type), but builds its SSL
    context once: ``LazySession`` loads certifi's bundle for every new session.
    """
    global _SESSION_CLASS
    if _SESSION_CLASS is None:
        from pyhanko_certvalidator.fetchers.aiohttp_fetchers.util import LazySession

        class LoopBoundSession(LazySession):
            def get_session(self) -> Any:
                import aiohttp

                global _SSL
                if self._session is None:
                    if _SSL is None:
                        _SSL = ssl.create_default_context()
                    self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=_SSL))
                return self._session

        _SESSION_CLASS = LoopBoundSession
    return _SESSION_CLASS()


@dataclass
class _Revinfo:
    certs: list[Any]
    ocsps: list[Any]
    crls: list[Any]
    expires: _dt.datetime


def _signature_contents(reader: Any, field: str) -> bytes:
    for sig in reader.embedded_signatures:
        if sig.field_name == field:
            contents: bytes = sig.pkcs7_content
            return contents
    raise SigningError(f"the signature just written in field {field!r} cannot be found")


def _read_input(pdf: PdfInput) -> bytes:
    if isinstance(pdf, bytes):
        return pdf
    if isinstance(pdf, bytearray | memoryview):
        return bytes(pdf)
    if isinstance(pdf, str | Path):
        p = Path(pdf)
        if p.is_dir():
            raise InvalidInputError(f"{p} is a directory: give the PDF file to sign")
        return p.read_bytes()
    return pdf.read()


def _open_writer(data: bytes, writer_cls: Any) -> Any:
    from pyhanko.pdf_utils.misc import PdfError

    if data.find(_PDF_HEADER, 0, 1024) < 0:  # the header may follow some junk bytes
        raise BrokenPdfError("no %PDF- header")
    try:
        writer = writer_cls(io.BytesIO(data))
    except PdfError as exc:
        if "encrypt" in str(exc).lower():
            raise EncryptedPdfError() from None
        raise BrokenPdfError(_short(exc)) from None
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, OSError) as exc:
        raise BrokenPdfError(_short(exc)) from None
    if writer.prev.encrypted:
        raise EncryptedPdfError()
    try:
        writer.root["/Pages"]["/Count"]
    except Exception as exc:
        raise BrokenPdfError(f"no page tree ({_short(exc)})") from None
    return writer


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__


def _signature_fields(writer: Any) -> list[tuple[str, bool]]:
    from pyhanko.sign.fields import enumerate_sig_fields

    out = []
    try:
        for name, value, _ref in enumerate_sig_fields(writer.prev, filled_status=None):
            out.append((str(name), value is not None))
    except Exception as exc:
        raise BrokenPdfError(f"unreadable form fields ({_short(exc)})") from None
    return out


def _new_field_name(existing: list[tuple[str, bool]]) -> str:
    names = {n for n, _ in existing}
    i = len(existing) + 1
    while f"Signature{i}" in names:
        i += 1
    return f"Signature{i}"


def _asn1(cert: x509.Certificate) -> Any:
    from asn1crypto import x509 as ax509

    return ax509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _self_signed(signer: Signer) -> list[x509.Certificate]:
    roots = [c for c in signer.chain if c.subject == c.issuer]
    return roots or list(signer.chain[-1:])


def _timestamp_error(exc: BaseException) -> TimestampError:
    return TimestampError(
        f"the time-stamping authority did not deliver a timestamp ({_short(exc)}): "
        "check --tsa / tsa_url and the network, or sign at level B-B"
    )


def _map_validation_error(exc: BaseException, signer: Signer) -> SigningError:
    from pyhanko_certvalidator.errors import (
        ExpiredError,
        InsufficientRevinfoError,
        NotYetValidError,
        PathBuildingError,
        RevokedError,
    )

    who = signer.name or signer.certificate.subject.rfc4514_string()
    if isinstance(exc, RevokedError):
        return CertificateRevokedError(who, _short(exc).split(": ", 1)[-1])
    if isinstance(exc, ExpiredError):
        return CertificateExpiredError(who, signer.certificate.not_valid_after_utc)
    if isinstance(exc, NotYetValidError):
        return CertificateNotYetValidError(who, signer.certificate.not_valid_before_utc)
    if isinstance(exc, PathBuildingError):
        return RevocationCheckError(
            f"the certificate of {who} does not chain to a trusted root ({_short(exc)}): "
            "pass the authority's root as trust_roots / --trust"
        )
    if isinstance(exc, InsufficientRevinfoError):
        return RevocationCheckError(
            f"the revocation status of {who}'s certificate could not be obtained "
            f"({_short(exc)}): check the network access to the OCSP responder / CRL, "
            "or sign at level B-B/B-T"
        )
    return RevocationCheckError(
        f"the certificate of {who} could not be validated ({_short(exc)}): check the "
        "chain and the revocation services"
    )


def _map_signing_error(exc: BaseException, signer: Signer) -> SigningError:
    from pyhanko.sign.timestamps import TimestampRequestError
    from pyhanko_certvalidator.errors import PathValidationError, ValidationError

    if isinstance(exc, TimestampRequestError):
        return _timestamp_error(exc)
    if isinstance(exc, PathValidationError | ValidationError):
        return _map_validation_error(exc, signer)
    cause = exc.__cause__ or exc.__context__
    if cause is not None and isinstance(cause, PathValidationError | ValidationError):
        return _map_validation_error(cause, signer)
    try:
        import aiohttp

        if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError):
            return TimestampError(
                f"a network service needed for the signature did not answer ({_short(exc)})"
            )
    except ImportError:  # pragma: no cover
        pass
    return SigningError(f"signing failed: {_short(exc)}")


def sign_pdf(
    pdf: PdfInput,
    signer: Signer,
    *,
    level: Level = "B-B",
    tsa_url: str | None = None,
    trust_roots: Sequence[x509.Certificate] | None = None,
    certify: bool = False,
    docmdp: DocMDP = "form_filling",
    visible: bool = True,
    stamp: StampOptions | None = None,
    field_name: str | None = None,
    reference: str | None = None,
    reason: str | None = None,
    location: str | None = None,
    check_revocation: bool | None = None,
    slots: Sequence[SignatureSlot] = (),
    output: str | Path | None = None,
) -> bytes:
    """Sign one PDF at PAdES ``level`` and return the signed bytes.

    For many documents use :class:`SigningSession`, which keeps the per-signer work.

    Example::

        signer = Pkcs12Signer.from_file("president.p12", SecretStr(pw))
        signed = sign_pdf(permit_pdf, signer, level="B-LTA", tsa_url=TSA, certify=True)
    """
    session = SigningSession(
        signer,
        level=level,
        tsa_url=tsa_url,
        trust_roots=trust_roots,
        certify=certify,
        docmdp=docmdp,
        visible=visible,
        stamp=stamp,
        field_name=field_name,
        reason=reason,
        location=location,
        check_revocation=check_revocation,
        slots=slots,
    )
    with session:
        return session.sign(pdf, reference=reference, output=output)
