"""Who signs: a key in a PKCS#12 file or on a PKCS#11 token, with its certificate chain.

A signer parses its key and certificates once and keeps them, so that a batch of
permits does not pay for key parsing per document (pyHanko's ``SimpleSigner``
re-parses its key on every signature, with full RSA key validation).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
from abc import ABC, abstractmethod
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from .._errors import InvalidInputError
from ._errors import KeyUsageError, WrongPassphraseError

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer as _PyhankoSigner

__all__ = ["Pkcs11Signer", "Pkcs12Signer", "Signer", "as_secret"]

KeyType = Literal["rsa", "ecdsa"]


def as_secret(value: SecretStr | str | bytes) -> SecretStr:
    """Wrap a PIN or passphrase into a ``SecretStr`` as early as possible."""
    if isinstance(value, SecretStr):
        return value
    if isinstance(value, bytes):
        return SecretStr(value.decode("utf-8"))
    return SecretStr(value)


def _attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    found = name.get_attributes_for_oid(oid)
    return str(found[0].value) if found else ""


class Signer(ABC):
    """A signing key with its certificate: what :func:`sign_pdf` needs to sign.

    Subclasses: :class:`Pkcs12Signer` (a key file) and :class:`Pkcs11Signer` (a token).
    A signer holds an open key: close it (or use ``with``) when done.
    """

    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    @property
    def key_type(self) -> KeyType:
        """``"rsa"`` or ``"ecdsa"``, from the certificate's public key."""
        return "rsa" if isinstance(self.certificate.public_key(), rsa.RSAPublicKey) else "ecdsa"

    @property
    def name(self) -> str:
        """The holder's common name (``CN``)."""
        return _attr(self.certificate.subject, NameOID.COMMON_NAME)

    @property
    def title(self) -> str:
        """The holder's title (``title`` attribute), e.g. "Président du conseil communal"."""
        return _attr(self.certificate.subject, NameOID.TITLE)

    @property
    def organization(self) -> str:
        """The holder's organisation (``O``)."""
        return _attr(self.certificate.subject, NameOID.ORGANIZATION_NAME)

    @property
    def cin(self) -> str:
        """The national identity card number, from ``serialNumber`` (``IDCMA-<CIN>`` or bare)."""
        raw = _attr(self.certificate.subject, NameOID.SERIAL_NUMBER)
        return raw.split("-", 1)[1] if raw.upper().startswith("IDCMA-") else raw

    @property
    def not_after(self) -> _dt.datetime:
        """End of the certificate's validity, UTC."""
        return self.certificate.not_valid_after_utc

    @property
    def not_before(self) -> _dt.datetime:
        """Start of the certificate's validity, UTC."""
        return self.certificate.not_valid_before_utc

    @cached_property
    def has_non_repudiation(self) -> bool:
        """Whether the certificate's key usage allows commitment (non-repudiation)."""
        try:
            ku = self.certificate.extensions.get_extension_for_class(x509.KeyUsage).value
        except x509.ExtensionNotFound:
            return False
        return bool(ku.content_commitment)

    def require_non_repudiation(self) -> None:
        """Raise :class:`KeyUsageError` if the certificate cannot commit its holder."""
        if not self.has_non_repudiation:
            raise KeyUsageError(self.name or self.certificate.subject.rfc4514_string())

    @abstractmethod
    def _build_pyhanko_signer(self) -> _PyhankoSigner: ...

    @cached_property
    def pyhanko_signer(self) -> _PyhankoSigner:
        """The pyHanko ``Signer`` behind this signer (built once, then reused)."""
        return self._build_pyhanko_signer()

    def raw_signature_size(self) -> int:
        """Upper bound of a raw signature's size in bytes (for reserving space)."""
        pub = self.certificate.public_key()
        if isinstance(pub, rsa.RSAPublicKey):
            return (pub.key_size + 7) // 8
        if isinstance(pub, ec.EllipticCurvePublicKey):
            n = (pub.curve.key_size + 7) // 8
            return 2 * (n + 3) + 3  # DER SEQUENCE of two INTEGERs, worst case
        return 512

    def close(self) -> None:  # noqa: B027 - a file-based signer has nothing to release
        """Release the key (a token session). Safe to call twice."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, key_type={self.key_type!r})"


def _asn1_cert(cert: x509.Certificate) -> Any:
    from asn1crypto import x509 as ax509

    return ax509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class Pkcs12Signer(Signer):
    """A key and its certificate chain from a PKCS#12 (``.p12``/``.pfx``) file.

    The passphrase is taken as a ``SecretStr`` and dropped once the file is decrypted;
    the parsed key is kept in memory for the signer's lifetime.

    Example::

        signer = Pkcs12Signer.from_file("president.p12", SecretStr(passphrase))
        signed = sign_pdf(pdf_bytes, signer, level="B-B")
    """

    def __init__(
        self,
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
        certificate: x509.Certificate,
        chain: tuple[x509.Certificate, ...] = (),
        *,
        prefer_pss: bool = False,
    ) -> None:
        self._key = key
        self.certificate = certificate
        self.chain = tuple(chain)
        self.prefer_pss = prefer_pss

    @classmethod
    def from_bytes(
        cls,
        data: bytes,
        passphrase: SecretStr | str | bytes,
        *,
        source: str = "the PKCS#12 data",
        prefer_pss: bool = False,
    ) -> Pkcs12Signer:
        """Load a PKCS#12 blob; ``WrongPassphraseError`` if it cannot be decrypted."""
        from cryptography.hazmat.primitives.serialization import pkcs12

        secret = as_secret(passphrase)
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(
                data, secret.get_secret_value().encode("utf-8")
            )
        except ValueError:
            # cryptography says "Invalid password or PKCS12 data": both are user input.
            raise WrongPassphraseError(
                f"{source} could not be opened: the passphrase is wrong, or the file is not "
                "a PKCS#12 key file (.p12/.pfx); check both"
            ) from None
        if key is None or cert is None:
            raise WrongPassphraseError(
                f"{source} holds no private key with its certificate: export the signing "
                "key together with its certificate"
            )
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise WrongPassphraseError(
                f"{source} holds a {type(key).__name__}; permits are signed with RSA or ECDSA"
            )
        return cls(key, cert, _order_chain(cert, extra), prefer_pss=prefer_pss)

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        passphrase: SecretStr | str | bytes,
        *,
        prefer_pss: bool = False,
    ) -> Pkcs12Signer:
        """Load a PKCS#12 file; the passphrase should be a ``SecretStr``."""
        p = Path(path)
        try:
            data = p.read_bytes()
        except IsADirectoryError:
            raise InvalidInputError(f"{p} is a directory: give the .p12 file") from None
        return cls.from_bytes(data, passphrase, source=str(p), prefer_pss=prefer_pss)

    def _build_pyhanko_signer(self) -> _PyhankoSigner:
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        cls = _kept_key_signer_class()
        return cls(  # type: ignore[no-any-return]
            self._key,
            self.raw_signature_size(),
            signing_cert=_asn1_cert(self.certificate),
            cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
                [_asn1_cert(c) for c in self.chain]
            ),
            prefer_pss=self.prefer_pss,
        )


def _order_chain(
    leaf: x509.Certificate, others: list[x509.Certificate]
) -> tuple[x509.Certificate, ...]:
    """Issuer chain from the leaf upwards (a .p12 or a token stores its certificates in any
    order, and a token also holds other people's or other keys' certificates)."""
    pool = list(others)
    out: list[x509.Certificate] = []
    current = leaf
    while pool:
        nxt = next((c for c in pool if c.subject == current.issuer), None)
        if nxt is None or nxt == current:
            break
        out.append(nxt)
        pool.remove(nxt)
        current = nxt
    return tuple(out)


_KEPT_CLASS: Any = None

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha3_256": hashes.SHA3_256,
    "sha3_384": hashes.SHA3_384,
    "sha3_512": hashes.SHA3_512,
}


def _hash(name: str) -> hashes.HashAlgorithm:
    try:
        return _HASHES[name.lower()]()
    except KeyError:
        raise ValueError(f"digest {name!r} is not allowed for permit signatures") from None


def _kept_key_signer_class() -> Any:
    """A pyHanko ``Signer`` that signs with an already parsed ``cryptography`` key."""
    global _KEPT_CLASS
    if _KEPT_CLASS is not None:
        return _KEPT_CLASS
    from pyhanko.sign.signers import Signer as PyhankoSigner

    class _KeptKeySigner(PyhankoSigner):
        def __init__(self, key: Any, raw_size: int, **kwargs: Any) -> None:
            self._rokhas_key = key
            self._rokhas_raw_size = raw_size
            super().__init__(**kwargs)

        async def async_sign_raw(
            self, data: bytes, digest_algorithm: str, dry_run: bool = False
        ) -> bytes:
            if dry_run:
                # size estimation only: no need to spend a private-key operation
                return b"\x00" * self._rokhas_raw_size
            mech = self.get_signature_mechanism_for_digest(digest_algorithm)
            algo = mech.signature_algo
            key = self._rokhas_key
            h = _hash(digest_algorithm)
            if algo == "rsassa_pkcs1v15":
                sig: bytes = key.sign(data, padding.PKCS1v15(), h)
            elif algo == "rsassa_pss":
                sig = key.sign(
                    data,
                    padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size),
                    h,
                )
            elif algo == "ecdsa":
                sig = key.sign(data, ec.ECDSA(h))
            else:  # pragma: no cover - only RSA/ECDSA keys reach here
                raise ValueError(f"unsupported signature mechanism {algo}")
            return sig

    _KEPT_CLASS = _KeptKeySigner
    return _KEPT_CLASS


class Pkcs11Signer(Signer):
    """A key on a PKCS#11 token (Barid eSign USB key; SoftHSM2 in tests).

    Open it with :meth:`open`; the session stays logged in until :meth:`close`, so a
    batch pays for the login once. Errors: :class:`TokenNotFoundError`,
    :class:`KeyNotFoundError`, :class:`WrongPinError` (with what the token says of its
    retry counter), :class:`PinLockedError`.
    """

    def __init__(self, session: Any, token_label: str, pyhanko_signer: Any) -> None:
        self._session = session
        self.token_label = token_label
        self._signer = pyhanko_signer
        cert_der = pyhanko_signer.signing_cert.dump()
        self.certificate = x509.load_der_x509_certificate(cert_der)
        chain = [x509.load_der_x509_certificate(c.dump()) for c in pyhanko_signer.cert_registry]
        self.chain = _order_chain(self.certificate, [c for c in chain if c != self.certificate])
        # pyHanko embeds every certificate it pulled from the token, not only the issuer
        # chain: the space reserved for the signature must count all of them.
        self.embedded_certificates = (
            self.certificate,
            *(c for c in chain if c != self.certificate),
        )
        self._closed = False

    @classmethod
    def open(
        cls,
        module: str | Path,
        token_label: str,
        pin: SecretStr | str,
        *,
        key_label: str | None = None,
        key_id: bytes | str | None = None,
        cert_label: str | None = None,
        prefer_pss: bool = False,
    ) -> Pkcs11Signer:
        """Log into ``token_label`` on the module ``module`` (a ``.so`` path) with ``pin``.

        The key is found by ``key_label`` or ``key_id`` (bytes or hex); its certificate by
        ``cert_label``, defaulting to the key's label / id.
        """
        from ._pkcs11 import find_signing_objects, open_user_session

        if key_label is None and key_id is None:
            raise InvalidInputError(
                "name the signing key on the token with key_label (--key) or key_id"
            )
        kid = bytes.fromhex(key_id) if isinstance(key_id, str) else key_id
        session = open_user_session(str(module), token_label, as_secret(pin))
        try:
            signer = find_signing_objects(
                session,
                token_label,
                key_label=key_label,
                key_id=kid,
                cert_label=cert_label,
                prefer_pss=prefer_pss,
            )
            return cls(session, token_label, signer)
        except BaseException:
            session.close()
            raise

    def _build_pyhanko_signer(self) -> _PyhankoSigner:
        return self._signer  # type: ignore[no-any-return]

    def close(self) -> None:
        """Log out and close the token session."""
        if self._closed:
            return
        self._closed = True
        # a token pulled out meanwhile cannot be closed: nothing left to release
        with contextlib.suppress(Exception):
            self._session.close()

    def __repr__(self) -> str:
        return (
            f"Pkcs11Signer(token={self.token_label!r}, name={self.name!r}, "
            f"key_type={self.key_type!r})"
        )


def certificate_fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 fingerprint of a certificate, hex."""
    return cert.fingerprint(hashes.SHA256()).hex()
