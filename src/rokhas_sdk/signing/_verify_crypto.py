"""Stage 4 of verification: the signature value, for the algorithms PAdES files use.

pyHanko verifies RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA (DER) and EdDSA. Real files also
carry algorithms it does not map, and two legacy PDF signature formats it refuses:

* plain ECDSA (BSI TR-03111: the value is r || s, not a DER SEQUENCE), OIDs
  0.4.0.127.0.7.1.1.4.1.*;
* RSA PKCS#1 v1.5 and ECDSA with SHA-3 (NIST OIDs 2.16.840.1.101.3.4.3.9-16);
* ``/adbe.pkcs7.sha1``: the CMS signs the SHA-1 of the /ByteRange, carried as its
  encapsulated content (ISO 32000-1 12.8.3.3.1);
* ``/adbe.x509.rsa_sha1``: /Contents is a bare PKCS#1 v1.5 signature over the SHA-1
  of the /ByteRange, the signer's certificate is in /Cert.

:class:`ExtendedSignatureValidator` plugs into pyHanko's ``ValidationContext`` (so the
same code checks signer signatures and certificate signatures), and the two legacy
formats get their own small verifiers here. SHA-1 is accepted for integrity; the
verdict policy for it is in docs/verify.md (the signature is capped at INDETERMINATE).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING, Any

from ._report import Indication, SubIndication
from ._verify_modifications import diff_policy

if TYPE_CHECKING:  # pragma: no cover
    from ._verify_builder import SignatureDraft, VerifyContext

__all__ = [
    "ExtendedSignatureValidator",
    "issued_by",
    "uses_sha1",
    "verify_x509_rsa_sha1",
]

_PLAIN_ECDSA_PREFIX = "0.4.0.127.0.7.1.1.4.1."
_PLAIN_ECDSA_HASH = {
    "1": "sha1",
    "2": "sha224",
    "3": "sha256",
    "4": "sha384",
    "5": "sha512",
    "8": "sha3_224",
    "9": "sha3_256",
    "10": "sha3_384",
    "11": "sha3_512",
}
_SHA3_SIG = {
    "2.16.840.1.101.3.4.3.9": ("ecdsa", "sha3_224"),
    "2.16.840.1.101.3.4.3.10": ("ecdsa", "sha3_256"),
    "2.16.840.1.101.3.4.3.11": ("ecdsa", "sha3_384"),
    "2.16.840.1.101.3.4.3.12": ("ecdsa", "sha3_512"),
    "2.16.840.1.101.3.4.3.13": ("rsa", "sha3_224"),
    "2.16.840.1.101.3.4.3.14": ("rsa", "sha3_256"),
    "2.16.840.1.101.3.4.3.15": ("rsa", "sha3_384"),
    "2.16.840.1.101.3.4.3.16": ("rsa", "sha3_512"),
}


def _hash(name: str) -> Any:
    from cryptography.hazmat.primitives import hashes

    table: dict[str, Any] = {
        "sha1": hashes.SHA1,
        "sha224": hashes.SHA224,
        "sha256": hashes.SHA256,
        "sha384": hashes.SHA384,
        "sha512": hashes.SHA512,
        "sha3_224": hashes.SHA3_224,
        "sha3_256": hashes.SHA3_256,
        "sha3_384": hashes.SHA3_384,
        "sha3_512": hashes.SHA3_512,
    }
    return table[name]()


def extra_algorithm(oid: str) -> tuple[str, str, bool] | None:
    """(key type, hash, plain r||s) for the OIDs pyHanko does not map, else None."""
    if oid.startswith(_PLAIN_ECDSA_PREFIX):
        md = _PLAIN_ECDSA_HASH.get(oid[len(_PLAIN_ECDSA_PREFIX) :])
        return ("ecdsa", md, True) if md else None
    if oid in _SHA3_SIG:
        kind, md = _SHA3_SIG[oid]
        return kind, md, False
    return None


def _verify_extra(
    signature: bytes, data: bytes, public_key_der: bytes, oid: str, prehashed: bool
) -> None:
    """Verify with an algorithm of :func:`extra_algorithm`; raise InvalidSignature."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import (
        Prehashed,
        encode_dss_signature,
    )
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    spec = extra_algorithm(oid)
    if spec is None:
        raise InvalidSignature
    kind, md, plain = spec
    key = load_der_public_key(public_key_der)
    algorithm = Prehashed(_hash(md)) if prehashed else _hash(md)
    if kind == "rsa":
        if not isinstance(key, rsa.RSAPublicKey):
            raise InvalidSignature
        key.verify(signature, data, padding.PKCS1v15(), algorithm)
        return
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise InvalidSignature
    if plain:
        half = len(signature) // 2
        if half == 0 or len(signature) % 2:
            raise InvalidSignature
        r = int.from_bytes(signature[:half], "big")
        s = int.from_bytes(signature[half:], "big")
        signature = encode_dss_signature(r, s)
    key.verify(signature, data, ec.ECDSA(algorithm))


def make_signature_validator() -> Any:
    """A pyHanko signature validator that also knows plain ECDSA and RSA/ECDSA-SHA3."""
    from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator

    class ExtendedSignatureValidator(DefaultSignatureValidator):
        def validate_signature(
            self,
            signature: bytes,
            signed_data: bytes,
            public_key_info: Any,
            signature_algorithm: Any,
            context: Any = None,
        ) -> None:
            oid = signature_algorithm["algorithm"].dotted
            if extra_algorithm(oid) is None:
                if context is None:
                    super().validate_signature(
                        signature, signed_data, public_key_info, signature_algorithm
                    )
                else:
                    super().validate_signature(
                        signature, signed_data, public_key_info, signature_algorithm, context
                    )
                return
            prehashed = bool(getattr(context, "prehashed", False))
            _verify_extra(signature, signed_data, public_key_info.dump(), oid, prehashed)

    return ExtendedSignatureValidator()


ExtendedSignatureValidator = make_signature_validator


def issued_by(cert: Any, issuer: Any) -> bool:
    """Whether ``issuer``'s key signed ``cert`` (``cryptography`` certificates).

    ``cryptography``'s own check refuses SHA-1; old qualified certificates use it, and
    their signatures do verify. The algorithm's strength is judged elsewhere.
    """
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa

    if cert.issuer != issuer.subject:
        return False
    key = issuer.public_key()
    try:
        params = cert.signature_algorithm_parameters
        md = cert.signature_hash_algorithm
        if isinstance(key, rsa.RSAPublicKey):
            pad = params if isinstance(params, padding.PSS | padding.PKCS1v15) else None
            if pad is None or md is None:
                return False
            key.verify(cert.signature, cert.tbs_certificate_bytes, pad, md)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            if md is None:
                return False
            key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(md))
        elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes)
        else:
            return False
    except Exception:
        return False
    return True


def uses_sha1(md_algorithm: str | None) -> bool:
    return (md_algorithm or "").replace("-", "").lower() == "sha1"


def byte_range_digest(data: bytes, byte_range: Any, md: str) -> bytes | None:
    """The digest of the /ByteRange over the raw bytes (None when it is not usable)."""
    try:
        start1, len1, start2, len2 = (int(v) for v in byte_range)
    except (TypeError, ValueError):
        return None
    if start1 != 0 or min(len1, start2, len2) < 0 or start2 + len2 > len(data):
        return None
    h = hashlib.new(md)
    view = memoryview(data)
    h.update(view[:len1])
    h.update(view[start2 : start2 + len2])
    return h.digest()


def pkcs7_sha1_content_matches(data: bytes, emb: Any) -> bool:
    """``/adbe.pkcs7.sha1``: the signed content must be the SHA-1 of the /ByteRange."""
    try:
        content = emb.signed_data["encap_content_info"]["content"].native
    except Exception:
        return False
    digest = byte_range_digest(data, emb.byte_range, "sha1")
    return (
        isinstance(content, bytes) and digest is not None and hmac.compare_digest(content, digest)
    )


def verify_x509_rsa_sha1(data: bytes, sig_object: Any) -> tuple[bool, Any, list[Any]]:
    """``/adbe.x509.rsa_sha1``: (signature verifies, signer certificate, other certs).

    /Contents is a DER OCTET STRING holding the PKCS#1 v1.5 signature of the SHA-1
    digest of the /ByteRange; /Cert is the signer's certificate or an array whose first
    element is the signer's.
    """
    from asn1crypto import core
    from asn1crypto import x509 as a_x509
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    raw_certs = sig_object.get("/Cert")
    raw_certs = raw_certs.get_object() if hasattr(raw_certs, "get_object") else raw_certs
    items = list(raw_certs) if isinstance(raw_certs, list) else [raw_certs]
    certs = [
        a_x509.Certificate.load(bytes(c.get_object() if hasattr(c, "get_object") else c))
        for c in items
    ]
    if not certs:
        raise ValueError("/Cert holds no certificate")
    signer = certs[0]
    contents = bytes(sig_object["/Contents"])
    value = core.OctetString.load(contents, strict=False).native
    digest = byte_range_digest(data, sig_object["/ByteRange"], "sha1")
    if digest is None:
        return False, signer, certs[1:]
    key = load_der_public_key(signer.public_key.dump())
    if not isinstance(key, rsa.RSAPublicKey):
        return False, signer, certs[1:]
    try:
        key.verify(value, digest, padding.PKCS1v15(), Prehashed(_hash("sha1")))
    except Exception:
        return False, signer, certs[1:]
    return True, signer, certs[1:]


_SHA1_WARNING = (
    "SHA-1 is deprecated for signatures (collisions can be computed): the signed bytes "
    "are intact, but the signature can no longer prove on its own who signed what"
)


def sha1_policy(rep: SignatureDraft) -> None:
    """SHA-1 counts for integrity, not for a full pass (docs/verify.md, "SHA-1")."""
    rep.warnings.append(_SHA1_WARNING)
    if rep.indication is Indication.TOTAL_PASSED:
        rep.conclude(Indication.INDETERMINATE, SubIndication.CRYPTO_CONSTRAINTS_FAILURE_NO_POE)
        rep.errors.insert(0, _SHA1_WARNING)


async def validate_pkcs7_sha1(ctx: VerifyContext, emb: Any, vc: Any) -> Any:
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
