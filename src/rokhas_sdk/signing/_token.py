"""Token first use and inspection: change the PIN, list tokens and their certificates.

Barid eSign sends the initial PIN of a signing token by SMS and e-mail, and the holder
must change it at first use (circular of 2020, see docs/tokens.md). PKCS#11 exposes
the PIN retry counter only as flags ("count low", "final try", "locked"); what the token
says is reported as is.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from .._time import CASABLANCA
from ..models import ValueObject
from ._errors import PinLockedError, PinPolicyError, TokenError, WrongPinError
from ._pkcs11 import (
    find_token,
    load_module,
    open_user_session,
    pin_counter_state,
    pkcs11_module,
)
from ._signers import as_secret

__all__ = ["TokenCertificate", "TokenInfo", "change_token_pin", "token_info"]


DEFAULT_MIN_PIN_LENGTH = 6
"""Our default minimum for a new PIN (the law and Barid eSign publish none; tokens
enforce their own bounds too). Configurable per call."""


class TokenCertificate(ValueObject):
    """A certificate stored on a token, with what a holder needs to know about it."""

    label: str
    id_hex: str
    common_name: str
    cin: str
    issuer: str
    serial_hex: str
    key_type: str
    not_before: _dt.datetime
    not_after: _dt.datetime
    expired: bool
    days_left: int
    non_repudiation: bool
    is_ca: bool


class TokenInfo(ValueObject):
    """A token as the PKCS#11 module reports it."""

    label: str
    manufacturer: str
    model: str
    serial: str
    pin_initialized: bool
    pin_to_be_changed: bool
    pin_count_low: bool
    pin_final_try: bool
    pin_locked: bool
    retry_counter: str
    certificates: tuple[TokenCertificate, ...] = ()


def _cert_info(obj: Any, now: _dt.datetime) -> TokenCertificate | None:
    pkcs11 = pkcs11_module()
    try:
        der = bytes(obj[pkcs11.Attribute.VALUE])
        cert = x509.load_der_x509_certificate(der)
    except Exception:  # a non-X.509 certificate object: not ours to list
        return None
    try:
        label = str(obj[pkcs11.Attribute.LABEL])
    except Exception:  # pragma: no cover - PKCS#11 defaults CKA_LABEL; bad middleware only
        label = ""
    try:
        cid = bytes(obj[pkcs11.Attribute.ID]).hex()
    except Exception:  # pragma: no cover - PKCS#11 defaults CKA_ID; bad middleware only
        cid = ""

    def attr(oid: x509.ObjectIdentifier) -> str:
        found = cert.subject.get_attributes_for_oid(oid)
        return str(found[0].value) if found else ""

    serial_attr = attr(NameOID.SERIAL_NUMBER)
    cin = serial_attr.split("-", 1)[1] if serial_attr.upper().startswith("IDCMA-") else ""
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        nr = bool(ku.content_commitment)
    except x509.ExtensionNotFound:
        nr = False
    try:
        is_ca = bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        is_ca = False
    end = cert.not_valid_after_utc
    return TokenCertificate(
        label=label,
        id_hex=cid,
        common_name=attr(NameOID.COMMON_NAME),
        cin=cin,
        issuer=cert.issuer.rfc4514_string(),
        serial_hex=f"{cert.serial_number:x}",
        key_type="rsa" if isinstance(cert.public_key(), rsa.RSAPublicKey) else "ecdsa",
        not_before=cert.not_valid_before_utc.astimezone(CASABLANCA),
        not_after=end.astimezone(CASABLANCA),
        expired=now > end,
        days_left=max(0, (end - now).days),
        non_repudiation=nr,
        is_ca=is_ca,
    )


def _describe(token: Any, now: _dt.datetime) -> TokenInfo:
    pkcs11 = pkcs11_module()
    flags = pkcs11.TokenFlag
    f = token.flags
    certs: list[TokenCertificate] = []
    try:
        with token.open() as session:  # public objects: no login needed
            for obj in session.get_objects(
                {pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE}
            ):
                info = _cert_info(obj, now)
                if info is not None:
                    certs.append(info)
    except pkcs11.PKCS11Error as exc:
        raise TokenError(
            f"token {token.label!r} could not be read ({type(exc).__name__}); "
            "unplug and plug it in again"
        ) from None
    _, sentence = pin_counter_state(token)
    return TokenInfo(
        label=str(token.label),
        manufacturer=str(token.manufacturer_id).strip(),
        model=str(token.model).strip(),
        serial=bytes(token.serial).decode("ascii", "replace").strip()
        if isinstance(token.serial, bytes | bytearray)
        else str(token.serial).strip(),
        pin_initialized=bool(f & flags.USER_PIN_INITIALIZED),
        pin_to_be_changed=bool(f & flags.USER_PIN_TO_BE_CHANGED),
        pin_count_low=bool(f & flags.USER_PIN_COUNT_LOW),
        pin_final_try=bool(f & flags.USER_PIN_FINAL_TRY),
        pin_locked=bool(f & flags.USER_PIN_LOCKED),
        retry_counter=sentence,
        certificates=tuple(sorted(certs, key=lambda c: (c.is_ca, c.label))),
    )


def token_info(
    module: str | Path, token_label: str | None = None, *, now: _dt.datetime | None = None
) -> list[TokenInfo]:
    """Describe the tokens of a PKCS#11 module (or only ``token_label``): PIN state and
    certificates with their expiry. Needs no PIN (certificates are public objects)."""
    lib = load_module(module)
    at = now or _dt.datetime.now(_dt.UTC)
    if token_label is not None:
        return [_describe(find_token(lib, token_label), at)]
    out = []
    initialized = pkcs11_module().TokenFlag.TOKEN_INITIALIZED
    for slot in lib.get_slots(token_present=True):
        token = slot.get_token()
        if token.flags & initialized:  # SoftHSM keeps an empty slot for the next token
            out.append(_describe(token, at))
    return out


def change_token_pin(
    module: str | Path,
    token_label: str,
    old_pin: SecretStr | str,
    new_pin: SecretStr | str,
    *,
    min_length: int = DEFAULT_MIN_PIN_LENGTH,
    max_length: int = 64,
) -> None:
    """Replace the token's user PIN (C_SetPIN), as required at the token's first use.

    Refuses (``PinPolicyError``) a new PIN that is too short or long, not printable
    ASCII, made of one repeated character, or equal to the old one. A wrong old PIN
    raises ``WrongPinError`` with what the token says of its retry counter.
    """
    old = as_secret(old_pin)
    new = as_secret(new_pin)
    _check_new_pin(old, new, min_length=min_length, max_length=max_length)
    pkcs11 = pkcs11_module()
    session = open_user_session(str(module), token_label, old, rw=True)
    try:
        session.set_pin(old.get_secret_value(), new.get_secret_value())
    except (pkcs11.PinLenRange, pkcs11.PinInvalid, pkcs11.PinTooWeak):
        raise PinPolicyError(
            f"token {token_label!r} refused the new PIN (length or characters out of its "
            "policy): choose another"
        ) from None
    except pkcs11.PinIncorrect:
        lib = load_module(module)
        left, sentence = pin_counter_state(find_token(lib, token_label))
        if left == 0:
            raise PinLockedError(token_label) from None
        raise WrongPinError(token_label, retries_left=left, counter=sentence) from None
    except pkcs11.PinLocked:
        raise PinLockedError(token_label) from None
    finally:
        session.close()


def _check_new_pin(old: SecretStr, new: SecretStr, *, min_length: int, max_length: int) -> None:
    value = new.get_secret_value()
    if not min_length <= len(value) <= max_length:
        raise PinPolicyError(
            f"the new PIN must have {min_length} to {max_length} characters "
            f"(it has {len(value)}): choose another"
        )
    if not (value.isascii() and value.isprintable()):
        raise PinPolicyError(
            "the new PIN must use printable ASCII characters only (token keypads and "
            "middleware differ on the rest): choose another"
        )
    if len(set(value)) == 1:
        raise PinPolicyError("the new PIN repeats one character: choose a less guessable one")
    import hmac

    if hmac.compare_digest(value.encode(), old.get_secret_value().encode()):
        raise PinPolicyError(
            "the new PIN is the old one: the PIN sent by SMS/e-mail must be replaced"
        )
