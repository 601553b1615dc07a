"""Stage 5 of verification: the certificate chain and the revocation status.

pyHanko's path validation (pyhanko-certvalidator) builds and checks the chain; here we
set up its validation context, say which certificate is missing when no chain is
found, and read the OCSP responses and CRLs at hand, counting only those signed for the
signer's issuer.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from ._report import (
    RevocationReport,
    RevocationSource,
    RevocationStatus,
)
from ._verify_builder import VerifyContext, human_reason
from ._verify_crypto import issued_by, make_signature_validator

if TYPE_CHECKING:  # pragma: no cover
    from asn1crypto import x509


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


def revocation_of(
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


def missing_link(
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
                f"the chain ends at the root {human_reason(current.subject)!r} (SHA-256 {fp}), "
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
                f"the certificate {human_reason(current.issuer)!r} (issuer of "
                f"{human_reason(current.subject)!r}{aki_txt}) is missing: it is neither embedded "
                "in the signature nor in the trust store; add it to the trust store "
                "(as an anchor if it is a root you trust, else via intermediates=) or ask "
                "the signer to embed the full chain"
            )
        current = issuer
    return "the certificate chain is too long or loops"


def build_validation_context(ctx: VerifyContext, extra_certs: list[Any]) -> Any:
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
