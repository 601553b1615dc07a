"""The verification pipeline's shared state and the typed pieces every stage reports with.

:class:`VerifyContext` carries what one document's verification knows (bytes, reader, trust,
DSS content); the helpers turn certificates and times into report values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._time import CASABLANCA as _TZ
from ._report import (
    Coverage,
    Indication,
    Integrity,
    Modification,
    RevocationReport,
    RevocationSource,
    RevocationStatus,
    SignatureKind,
    SignatureReport,
    SignerReport,
    SubIndication,
    TimestampReport,
)
from ._trust import TrustStore

if TYPE_CHECKING:  # pragma: no cover
    from asn1crypto import x509
    from pyhanko.pdf_utils.reader import PdfFileReader


_MiB = 1024 * 1024


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


def local_time(t: dt.datetime | None) -> dt.datetime | None:
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


def human_reason(name: Any) -> str:
    try:
        return str(name.human_friendly)
    except Exception:
        return "<unreadable name>"


def signer_report(cert: x509.Certificate) -> SignerReport:
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
        subject=human_reason(cert.subject),
        issuer=human_reason(cert.issuer),
        certificate_sha256=hashlib.sha256(cert.dump()).hexdigest(),
        serial_number=format(cert.serial_number, "x"),
        valid_from=local_time(validity["not_before"].native),
        valid_until=local_time(validity["not_after"].native),
    )


def fail_signature(
    field: str,
    indication: Indication,
    sub: SubIndication,
    error: str,
    kind: SignatureKind = SignatureKind.SIGNATURE,
) -> SignatureReport:
    return SignatureReport(
        field=field, kind=kind, indication=indication, subindication=sub, errors=[error]
    )


@dataclass
class VerifyContext:
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


@dataclass
class SignatureDraft:
    """One signature's report while the stages fill it in; :meth:`build` freezes it.

    Every stage writes typed attributes (no free-form dict), and the verdict only
    changes through :meth:`conclude`, which records the reason with it.
    """

    field: str
    kind: SignatureKind = SignatureKind.SIGNATURE
    signer: SignerReport | None = None
    signing_time: dt.datetime | None = None
    timestamp: TimestampReport | None = None
    coverage: Coverage = Coverage.PARTIAL
    integrity: Integrity = Integrity.BROKEN
    modified_after_signing: Modification = Modification.DISALLOWED
    changes: list[str] = dataclasses.field(default_factory=list)
    certification: str | None = None
    mdp_ok: bool | None = None
    field_locks: list[str] = dataclasses.field(default_factory=list)
    trust_path: list[str] = dataclasses.field(default_factory=list)
    revocation: RevocationReport = dataclasses.field(
        default_factory=lambda: RevocationReport(
            status=RevocationStatus.NOT_CHECKED, source=RevocationSource.NONE
        )
    )
    indication: Indication = Indication.INDETERMINATE
    subindication: SubIndication | None = None
    errors: list[str] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)

    def conclude(
        self, indication: Indication, sub: SubIndication | None, reason: str | None = None
    ) -> None:
        """Set the verdict; the reason, when given, goes first among the errors."""
        self.indication = indication
        self.subindication = sub
        if reason is not None:
            self.errors.insert(0, reason)

    def build(self) -> SignatureReport:
        return SignatureReport(**{f.name: getattr(self, f.name) for f in dataclasses.fields(self)})
