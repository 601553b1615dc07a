"""PKCS#11 plumbing: load a module, find a token by label, log in, map token errors.

Every token failure a user can act on becomes one of our typed errors; the PIN travels
as a ``SecretStr`` and is unwrapped only in the call that hands it to the module.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from .._errors import ConfigurationError, require_extra
from ._errors import (
    KeyNotFoundError,
    PinLockedError,
    TokenError,
    TokenNotFoundError,
    WrongPinError,
)

__all__ = [
    "find_signing_objects",
    "find_token",
    "load_module",
    "open_user_session",
    "pin_counter_state",
]


def pkcs11_module() -> Any:
    try:
        import pkcs11
    except ImportError:  # pragma: no cover - the extra is installed in tests
        raise require_extra("python-pkcs11", "pkcs11") from None
    return pkcs11


def load_module(module: str | Path) -> Any:
    """Load (once per process) the PKCS#11 module at ``module``."""
    p = Path(module)
    if not p.is_file():
        raise ConfigurationError(
            f"PKCS#11 module {str(p)!r} not found: install the token's middleware "
            "(Barid eSign) or SoftHSM2 (`apt-get install softhsm2`, module "
            "/usr/lib/softhsm/libsofthsm2.so) and pass its path"
        )
    pkcs11 = pkcs11_module()
    try:
        return pkcs11.lib(str(p))
    except pkcs11.PKCS11Error as exc:
        raise ConfigurationError(
            f"PKCS#11 module {str(p)!r} could not be loaded ({type(exc).__name__}): "
            "check that it is a PKCS#11 library for this system"
        ) from None


def token_labels(lib: Any) -> list[str]:
    """Labels of the tokens present in the module's slots."""
    labels = []
    for slot in lib.get_slots(token_present=True):
        try:
            labels.append(slot.get_token().label)
        # a slot emptied meanwhile is not an error (a hot-unplug race tests cannot stage)
        except Exception:  # noqa: S112  # pragma: no cover
            continue
    return labels


def find_token(lib: Any, label: str) -> Any:
    """The token labelled ``label``; :class:`TokenNotFoundError` lists those present."""
    pkcs11 = pkcs11_module()
    try:
        return lib.get_token(token_label=label)
    except pkcs11.NoSuchToken:
        present = token_labels(lib)
        shown = ", ".join(repr(x) for x in present) or "none"
        raise TokenNotFoundError(
            f"no token labelled {label!r} is plugged in (tokens present: {shown}); "
            "plug the token in or correct --token"
        ) from None
    except pkcs11.MultipleTokensReturned:
        raise TokenError(
            f"several tokens are labelled {label!r}: unplug all but one and try again"
        ) from None


def pin_counter_state(token: Any) -> tuple[int | None, str]:
    """What the token says about its user-PIN retry counter.

    PKCS#11 does not expose a number: only the flags ``CKF_USER_PIN_COUNT_LOW``,
    ``CKF_USER_PIN_FINAL_TRY`` and ``CKF_USER_PIN_LOCKED``. Returns
    ``(retries_left or None, sentence)``.
    """
    flags = pkcs11_module().TokenFlag
    f = token.flags
    if f & flags.USER_PIN_LOCKED:
        return 0, "the PIN is now locked"
    if f & flags.USER_PIN_FINAL_TRY:
        return 1, "one try left before the PIN locks"
    if f & flags.USER_PIN_COUNT_LOW:
        return None, "the token reports that few tries are left"
    return None, "the token does not report how many tries are left"


def open_user_session(module: str, token_label: str, pin: SecretStr, *, rw: bool = False) -> Any:
    """Open a logged-in session on the token, mapping PIN failures to typed errors."""
    pkcs11 = pkcs11_module()
    lib = load_module(module)
    token = find_token(lib, token_label)
    if token.flags & pkcs11.TokenFlag.USER_PIN_LOCKED:
        raise PinLockedError(token_label)
    try:
        return token.open(user_pin=pin.get_secret_value(), rw=rw)
    except pkcs11.PinLocked:
        raise PinLockedError(token_label) from None
    except (pkcs11.PinIncorrect, pkcs11.PinLenRange, pkcs11.PinInvalid):
        # re-read the token: its flags changed with the failed login
        fresh = find_token(lib, token_label)
        left, sentence = pin_counter_state(fresh)
        if left == 0:
            raise PinLockedError(token_label) from None
        raise WrongPinError(token_label, retries_left=left, counter=sentence) from None
    except pkcs11.UserAlreadyLoggedIn:
        raise TokenError(
            f"token {token_label!r} is already logged in by another signer of this "
            "program: close it first (PKCS#11 logs in once per program, so a second "
            "login could not check this PIN)"
        ) from None
    except pkcs11.PinExpired:
        raise TokenError(
            f"the PIN of token {token_label!r} has expired: change it first with "
            "`rokhas token change-pin`"
        ) from None
    except pkcs11.TokenNotPresent:
        raise TokenNotFoundError(f"token {token_label!r} was removed: plug it in again") from None


def _labels_of(session: Any, object_class: Any) -> list[str]:
    attribute = pkcs11_module().Attribute
    out = []
    for obj in session.get_objects({attribute.CLASS: object_class}):
        try:
            # by attribute: python-pkcs11's Certificate objects have no ``.label``
            out.append(str(obj[attribute.LABEL]))
        # PKCS#11 defaults CKA_LABEL to empty: only non-conforming middleware fails here
        except Exception:  # noqa: S112  # pragma: no cover
            continue
    return out


def find_signing_objects(
    session: Any,
    token_label: str,
    *,
    key_label: str | None,
    key_id: bytes | None,
    cert_label: str | None,
    prefer_pss: bool = False,
) -> Any:
    """A pyHanko ``PKCS11Signer`` over the key and its certificate, objects loaded."""
    pkcs11 = pkcs11_module()
    from pyhanko.sign.general import SigningError as PyhankoSigningError
    from pyhanko.sign.pkcs11 import PKCS11Signer

    attrs: dict[Any, Any] = {pkcs11.Attribute.CLASS: pkcs11.ObjectClass.PRIVATE_KEY}
    if key_label is not None:
        attrs[pkcs11.Attribute.LABEL] = key_label
    if key_id is not None:
        attrs[pkcs11.Attribute.ID] = key_id
    keys = list(session.get_objects(attrs))
    what = f"label {key_label!r}" if key_label is not None else f"id {key_id.hex()!r}"  # type: ignore[union-attr]
    if not keys:
        present = ", ".join(repr(x) for x in _labels_of(session, pkcs11.ObjectClass.PRIVATE_KEY))
        raise KeyNotFoundError(
            f"token {token_label!r} has no private key with {what} (keys: {present or 'none'}); "
            "correct --key"
        )
    if len(keys) > 1:
        raise KeyNotFoundError(
            f"token {token_label!r} has {len(keys)} private keys with {what}: name it by id"
        )
    # Hash on the host and use raw CKM_ECDSA for EC keys: many tokens (SoftHSM2 among
    # them) do not offer the combined CKM_ECDSA_SHA256 mechanism.
    try:
        is_ec = keys[0][pkcs11.Attribute.KEY_TYPE] == pkcs11.KeyType.EC
    except pkcs11.PKCS11Error:
        is_ec = False
    signer = PKCS11Signer(
        session,
        use_raw_mechanism=is_ec,
        cert_label=cert_label if cert_label is not None else key_label,
        key_label=key_label,
        key_id=key_id,
        cert_id=key_id if cert_label is None else None,
        other_certs_to_pull=None,
        prefer_pss=prefer_pss,
    )
    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            asyncio.run(signer.ensure_objects_loaded())  # type: ignore[no-untyped-call]
        else:  # called from async code: load synchronously, the calls are local
            signer._load_objects()  # type: ignore[no-untyped-call]
    except (PyhankoSigningError, pkcs11.PKCS11Error) as exc:
        present = ", ".join(repr(x) for x in _labels_of(session, pkcs11.ObjectClass.CERTIFICATE))
        raise KeyNotFoundError(
            f"token {token_label!r} has the key with {what} but not its certificate "
            f"({type(exc).__name__}; certificates: {present or 'none'}); "
            "name it with cert_label / --cert"
        ) from None
    return signer
