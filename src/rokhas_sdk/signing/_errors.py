"""Typed errors of signing: each says what is wrong and what to do, and never holds a secret.

PINs and passphrases are never part of a message, an argument or an attribute of these
exceptions (tests check it with a canary value).
"""

from __future__ import annotations

import datetime as _dt

from .._errors import ConfigurationError, InvalidInputError, NotFoundError, RokhasError

__all__ = [
    "AlreadySignedError",
    "BrokenPdfError",
    "CertificateExpiredError",
    "CertificateNotYetValidError",
    "CertificateRevokedError",
    "EncryptedPdfError",
    "KeyNotFoundError",
    "KeyUsageError",
    "PinLockedError",
    "PinPolicyError",
    "RevocationCheckError",
    "SignerCertificateError",
    "SigningError",
    "TimestampError",
    "TokenError",
    "TokenNotFoundError",
    "WrongPassphraseError",
    "WrongPinError",
]


class SigningError(RokhasError):
    """Root of the errors raised while signing a permit or handling a signing token."""

    code = "signing_error"


# --------------------------------------------------------------------------- input PDFs
class EncryptedPdfError(SigningError, InvalidInputError):
    """The PDF to sign is encrypted; permits are signed unencrypted."""

    code = "pdf_encrypted"

    def __init__(self, source: str = "the PDF") -> None:
        super().__init__(
            f"{source} is encrypted: decrypt it first (e.g. `qpdf --decrypt in.pdf out.pdf`) "
            "or render the permit again; rokhas-sdk signs unencrypted PDFs only"
        )


class BrokenPdfError(SigningError, InvalidInputError):
    """The input is not a readable PDF."""

    code = "pdf_broken"

    def __init__(self, detail: str, source: str = "the input") -> None:
        super().__init__(
            f"{source} is not a readable PDF ({detail}); check that the file is complete "
            "and really a PDF, or render it again"
        )


class AlreadySignedError(SigningError, InvalidInputError):
    """A certification signature was asked for on a document that already has signatures."""

    code = "already_signed"


# --------------------------------------------------------------------------- certificates
class SignerCertificateError(SigningError):
    """The signer's certificate cannot be used to sign a permit."""

    code = "signer_certificate"


class CertificateExpiredError(SignerCertificateError):
    """The signer's certificate expired before the signing time."""

    code = "certificate_expired"

    def __init__(self, subject: str, not_after: _dt.datetime) -> None:
        super().__init__(
            f"the certificate of {subject} expired on {not_after:%Y-%m-%d %H:%M} UTC: "
            "renew it with the certification authority (Barid eSign) and sign again"
        )
        self.not_after = not_after


class CertificateNotYetValidError(SignerCertificateError):
    """The signer's certificate is not valid yet at the signing time."""

    code = "certificate_not_yet_valid"

    def __init__(self, subject: str, not_before: _dt.datetime) -> None:
        super().__init__(
            f"the certificate of {subject} is valid only from {not_before:%Y-%m-%d %H:%M} UTC: "
            "check the computer's clock, or wait until then"
        )
        self.not_before = not_before


class CertificateRevokedError(SignerCertificateError):
    """The signer's certificate has been revoked by its authority."""

    code = "certificate_revoked"

    def __init__(self, subject: str, detail: str = "") -> None:
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"the certificate of {subject} is revoked{extra}: it can no longer sign; "
            "ask the certification authority for a new certificate"
        )


class KeyUsageError(SignerCertificateError):
    """The certificate lacks the key usage a permit signature needs (non-repudiation)."""

    code = "key_usage"

    def __init__(self, subject: str, missing: str = "nonRepudiation (contentCommitment)") -> None:
        super().__init__(
            f"the certificate of {subject} has no {missing} key usage, which a signature "
            "that commits its signer to a decision requires: use the signing certificate "
            "of the token, not its authentication certificate"
        )


class RevocationCheckError(SigningError):
    """The revocation status of the signer could not be established (B-LT/B-LTA)."""

    code = "revocation_unavailable"


class TimestampError(SigningError):
    """The time-stamping authority did not answer or refused the request (B-T and above)."""

    code = "timestamp_failed"


# --------------------------------------------------------------------------- key files, tokens
class WrongPassphraseError(SigningError, InvalidInputError):
    """The PKCS#12 passphrase is wrong (or the file is not PKCS#12)."""

    code = "wrong_passphrase"


class TokenError(SigningError):
    """A PKCS#11 token failed in a way the user can act on."""

    code = "token_error"


class TokenNotFoundError(TokenError, NotFoundError):
    """No token with that label is present in any slot of the PKCS#11 module."""

    code = "token_not_found"


class KeyNotFoundError(TokenError, NotFoundError):
    """The token has no private key (or certificate) with that label or id."""

    code = "key_not_found"


class WrongPinError(TokenError):
    """The token refused the PIN.

    ``retries_left`` is what the token says about its retry counter: ``1`` when it
    reports "final try", ``None`` when it does not report a counter (PKCS#11 exposes only
    the "count low" / "final try" / "locked" flags, and SoftHSM2 sets none of them).
    """

    code = "wrong_pin"

    def __init__(self, token: str, *, retries_left: int | None, counter: str) -> None:
        super().__init__(
            f"token {token!r} refused the PIN ({counter}); check it and try again. "
            "A token locks itself after too many wrong PINs; the SO PIN (PUK) unlocks it"
        )
        self.token = token
        self.retries_left = retries_left
        self.counter = counter


class PinLockedError(TokenError):
    """The token's user PIN is locked after too many wrong attempts."""

    code = "pin_locked"

    def __init__(self, token: str) -> None:
        super().__init__(
            f"the user PIN of token {token!r} is locked after too many wrong attempts: "
            "unlock it with the SO PIN / PUK (Barid eSign support) before signing"
        )
        self.token = token


class PinPolicyError(TokenError, InvalidInputError):
    """A new PIN was refused by the token or by our policy (length, reuse)."""

    code = "pin_policy"


def _missing_extra(module: str, extra: str) -> ConfigurationError:
    from .._errors import require_extra

    return require_extra(module, extra)
