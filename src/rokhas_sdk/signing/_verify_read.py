"""Stage 1 of verification: read the PDF's structure (strict first, tolerant second).

Nothing here decides integrity: the digest over the /ByteRange and the signature value
are checked on the raw bytes (``_verify_integrity``), so a parser that is fooled or
lenient can never turn a broken signature into an intact one. What the reader decides
is where the signatures are and what changed after them; when only the tolerant reader
could open the file, a :class:`Finding` says so and the document can no longer be
``TOTAL_PASSED``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._report import Finding

if TYPE_CHECKING:  # pragma: no cover
    from pyhanko.pdf_utils.reader import PdfFileReader

__all__ = ["DssContent", "OpenedPdf", "SignatureSlot", "load_dss", "open_pdf", "signature_slots"]


class PasswordRequired(Exception):
    """The file is encrypted and the empty user password does not open it."""


@dataclass
class OpenedPdf:
    """A reader and what had to be tolerated to get it."""

    reader: PdfFileReader
    strict: bool
    findings: list[Finding] = field(default_factory=list)


def _strict_problem_is_benign(message: str) -> bool:
    # poppler's own signer writes new objects with generation 1 ("orphaned generation"):
    # a new number hides nothing, and the update is still reviewed object by object.
    return "orphaned generation" in message


def _decrypt(reader: PdfFileReader) -> None:
    """Open an encrypted file with the empty user password, or raise PasswordRequired."""
    from pyhanko.pdf_utils.crypt import AuthStatus

    if not reader.encrypted:
        return
    try:
        result = reader.decrypt(b"")
    except Exception as exc:  # public-key handlers and exotic ones refuse a password
        raise PasswordRequired(
            f"the PDF is encrypted ({type(exc).__name__}) and cannot be opened without "
            "the recipient's key or password"
        ) from None
    if result.status is AuthStatus.FAILED:
        raise PasswordRequired(
            "the PDF is encrypted with a user password; it cannot be verified without it "
            "(ask the sender for an unencrypted copy)"
        )


def open_pdf(data: bytes, decode_limits: Any) -> OpenedPdf:
    """The strict reader when it accepts the file, else the tolerant one with a finding.

    Raises :class:`PasswordRequired` for encrypted files the empty password does not
    open, and whatever the tolerant reader raises when even it cannot read the file.
    """
    from pyhanko.pdf_utils import misc
    from pyhanko.pdf_utils.reader import PdfFileReader

    strict_error: str | None = None
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=True, decode_limits=decode_limits)
        _decrypt(reader)
        reader.root  # noqa: B018 - resolve the catalog now, so structural errors surface here
        if reader.xrefs.hybrid_xrefs_present:
            # pyHanko refuses signature validation on hybrid-reference files in strict
            # mode: an older reader sees other objects than a newer one.
            strict_error = "the file uses hybrid cross-reference sections"
        else:
            return OpenedPdf(reader=reader, strict=True)
    except PasswordRequired:
        raise
    except misc.PdfStrictReadError as exc:
        if _strict_problem_is_benign(str(exc)):
            return _tolerant(
                data,
                decode_limits,
                f"the PDF only parses in lenient mode ({_short(exc)})",
                severity="warning",
            )
        strict_error = _short(exc)
    except (misc.PdfError, TypeError, ValueError, KeyError, OSError, IndexError) as exc:
        strict_error = f"{type(exc).__name__}: {_short(exc)}"
    return _tolerant(
        data,
        decode_limits,
        f"the strict PDF reader refused the file ({strict_error}); it was read "
        "with the tolerant reader, so the document result is capped at "
        "INDETERMINATE (the signatures' integrity is checked on the raw bytes "
        "either way)",
        severity="error",
    )


def _tolerant(data: bytes, decode_limits: Any, why: str, *, severity: str) -> OpenedPdf:
    """The file through pyHanko's tolerant reader, with a finding that says why."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False, decode_limits=decode_limits)
    _decrypt(reader)
    reader.root  # noqa: B018 - resolve the catalog now, so structural errors surface here
    finding = Finding(code="not_strictly_valid", message=why, severity=severity)
    return OpenedPdf(reader=reader, strict=False, findings=[finding])


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 300 else text[:297] + "..."


@dataclass
class DssContent:
    """The validation data of the document security store (PAdES B-LT)."""

    certs: list[Any] = field(default_factory=list)
    ocsps: list[Any] = field(default_factory=list)
    crls: list[Any] = field(default_factory=list)
    present: bool = False
    findings: list[Finding] = field(default_factory=list)


def _array(value: Any) -> list[Any]:
    """A PDF array given directly or by reference (writers do both)."""
    if value is None:
        return []
    value = value.get_object() if hasattr(value, "get_object") else value
    return list(value) if isinstance(value, list) else []


def load_dss(reader: PdfFileReader) -> DssContent:
    """Certificates, OCSP responses and CRLs of the /DSS; unreadable items are skipped.

    A damaged DSS entry only means less validation data: it is reported as a warning,
    never as a crash (the DSS is outside every signature's byte range anyway).
    """
    from asn1crypto import crl as a_crl
    from asn1crypto import ocsp as a_ocsp
    from asn1crypto import x509 as a_x509
    from pyhanko.pdf_utils.decode_limits import DecodePurpose

    out = DssContent()
    try:
        dss = reader.root.get("/DSS")
        dss = dss.get_object() if dss is not None else None
    except Exception:
        dss = None
    if dss is None or not hasattr(dss, "get"):
        return out
    out.present = True
    for key, purpose, loader, dest in (
        ("/Certs", DecodePurpose.CERTIFICATE, a_x509.Certificate.load, out.certs),
        ("/OCSPs", DecodePurpose.OCSP_RESPONSE, a_ocsp.OCSPResponse.load, out.ocsps),
        ("/CRLs", DecodePurpose.CRL, a_crl.CertificateList.load, out.crls),
    ):
        skipped = 0
        try:
            items = _array(dss.get(key))
        except Exception:
            items, skipped = [], 1
        for ref in items:
            try:
                parsed = loader(ref.get_object().read_data(purpose))
                parsed.native  # noqa: B018 - parse now: a lazy parse error would surface later
                dest.append(parsed)
            except Exception:
                skipped += 1
        if skipped:
            out.findings.append(
                Finding(
                    code="dss_entry_unreadable",
                    message=f"{skipped} entr{'y' if skipped == 1 else 'ies'} of the /DSS "
                    f"{key[1:]} could not be read and were ignored",
                    severity="warning",
                )
            )
    return out


@dataclass
class SignatureSlot:
    """One signature dictionary and every field that points at it."""

    fields: list[str]
    sig_field: Any
    sig_object: Any
    fq_name: str


def signature_slots(reader: PdfFileReader) -> list[SignatureSlot]:
    """Filled signature fields, one slot per signature *dictionary*.

    Two fields whose /V is the same indirect object carry one signature, not two: the
    signer signed once (ISO 32000-2 12.7.5.5 lets a value be shared by widgets).
    """
    from pyhanko.sign.fields import enumerate_sig_fields

    slots: list[SignatureSlot] = []
    by_ref: dict[Any, SignatureSlot] = {}
    for fq_name, sig_obj, sig_field in enumerate_sig_fields(reader, filled_status=True):
        name = str(fq_name)
        try:
            raw = sig_field.get_object().raw_get("/V")
            ref = getattr(raw, "reference", None)
        except Exception:
            ref = None
        if ref is not None and ref in by_ref:
            by_ref[ref].fields.append(name)
            continue
        slot = SignatureSlot(fields=[name], sig_field=sig_field, sig_object=sig_obj, fq_name=name)
        if ref is not None:
            by_ref[ref] = slot
        slots.append(slot)
    return slots
