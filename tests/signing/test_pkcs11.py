"""Signing through a real PKCS#11 module (SoftHSM2), token PIN change and token info."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from rokhas_sdk import RokhasError
from rokhas_sdk.signing import (
    KeyNotFoundError,
    PinPolicyError,
    Pkcs11Signer,
    SigningSession,
    TokenNotFoundError,
    WrongPinError,
    change_token_pin,
    sign_pdf,
    token_info,
)
from rokhas_sdk.testing.pki import PKIService

from ._pdfsig import pdfsig
from .conftest import SO_PIN, TOKEN, Token


@pytest.mark.parametrize(
    ("key", "level"), [("sign", "B-B"), ("sign-ec", "B-B"), ("sign", "B-LTA"), ("sign-ec", "B-T")]
)
def test_sign_with_softhsm(
    token: Token,
    key: str,
    level: str,
    pki_service: PKIService,
    plain_pdf: bytes,
    nssdir: Path,
    tmp_path: Path,
) -> None:
    with Pkcs11Signer.open(
        token.hsm.module, token.label, SecretStr(token.pin), key_label=key
    ) as signer:
        assert signer.name == "Karim BENNANI"
        assert signer.key_type == ("rsa" if key == "sign" else "ecdsa")
        assert len(signer.chain) == 2  # the CA certificates stored on the token
        signed = sign_pdf(
            plain_pdf,
            signer,
            level=level,  # type: ignore[arg-type]
            tsa_url=pki_service.tsa_url,
            certify=True,
            reference="PC-2026-0007",
        )
    report = pdfsig(signed, nssdir=nssdir, tmp=tmp_path)
    assert report[0].valid, report[0].fields
    assert report[0].trusted, report[0].fields
    assert report[0].common_name == "Karim BENNANI"


def test_key_by_id_and_batch_on_one_login(
    token: Token, plain_pdf: bytes, nssdir: Path, tmp_path: Path
) -> None:
    signer = Pkcs11Signer.open(token.hsm.module, token.label, token.pin, key_id="02")
    try:
        session = SigningSession(signer, visible=False)
        docs = session.sign_many([plain_pdf, plain_pdf])
    finally:
        signer.close()
        signer.close()  # idempotent
    for doc in docs:
        assert pdfsig(doc, nssdir=nssdir, tmp=tmp_path)[0].valid


def test_change_pin_then_sign_with_the_new_one(
    token: Token, plain_pdf: bytes, nssdir: Path, tmp_path: Path
) -> None:
    new_pin = "CANARY-new-5150"
    info = token_info(token.hsm.module, token.label)[0]
    assert info.pin_initialized
    change_token_pin(token.hsm.module, token.label, SecretStr(token.pin), SecretStr(new_pin))
    with pytest.raises(WrongPinError):
        Pkcs11Signer.open(token.hsm.module, token.label, token.pin, key_label="sign")
    for key in ("sign", "sign-ec"):  # RSA and ECDSA, with the new PIN
        with Pkcs11Signer.open(token.hsm.module, token.label, new_pin, key_label=key) as signer:
            signed = sign_pdf(plain_pdf, signer, visible=False)
        report = pdfsig(signed, nssdir=nssdir, tmp=tmp_path)
        assert report[0].valid
        assert report[0].trusted


def test_wrong_pin_reports_the_token_counter_and_never_the_pin(
    token: Token, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "CANARY-wrong-0001"
    with pytest.raises(WrongPinError, match="refused the PIN") as info:
        Pkcs11Signer.open(token.hsm.module, token.label, SecretStr(wrong), key_label="sign")
    exc = info.value
    # SoftHSM2 raises CKF_USER_PIN_COUNT_LOW after a failure (never FINAL_TRY or
    # LOCKED: it does not lock): we report that flag, not a made-up number
    assert exc.retries_left is None
    assert "few tries are left" in exc.counter
    assert exc.token == TOKEN
    for text in (str(exc), repr(exc), repr(vars(exc)), repr(exc.args), caplog.text):
        for secret in (wrong, token.pin, SO_PIN):
            assert secret not in text
    with pytest.raises(WrongPinError):
        change_token_pin(token.hsm.module, token.label, wrong, "CANARY-x-123456")


def test_new_pin_policy(token: Token) -> None:
    m, t, old = token.hsm.module, token.label, token.pin
    for bad, why in [
        ("12", "characters"),
        ("999999", "repeats"),
        (old, "old one"),
        ("pïn-ü-123", "ASCII"),
    ]:
        with pytest.raises(PinPolicyError, match=why) as info:
            change_token_pin(m, t, old, bad)
        assert old not in str(info.value)
        assert bad not in str(info.value)
    # the old PIN still works: nothing was changed
    Pkcs11Signer.open(m, t, old, key_label="sign").close()


def test_token_info_lists_certificates_with_expiry(token: Token) -> None:
    infos = token_info(token.hsm.module)
    assert [i.label for i in infos] == [TOKEN]
    info = infos[0]
    assert info.manufacturer
    assert "does not report" in info.retry_counter
    signing = [c for c in info.certificates if not c.is_ca]
    assert {c.label for c in signing} == {"sign", "sign-ec"}
    for c in signing:
        assert c.cin == "BK123456"
        assert c.common_name == "Karim BENNANI"
        assert c.non_repudiation
        assert not c.expired
        assert 700 <= c.days_left <= 730
    assert {c.key_type for c in signing} == {"rsa", "ecdsa"}
    later = token_info(
        token.hsm.module, TOKEN, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=800)
    )
    assert all(c.expired for c in later[0].certificates if not c.is_ca)


def test_token_and_key_not_found(token: Token) -> None:
    with pytest.raises(TokenNotFoundError, match="PRESIDENT"):
        Pkcs11Signer.open(token.hsm.module, "NOPE", token.pin, key_label="sign")
    with pytest.raises(KeyNotFoundError, match="'sign'"):
        Pkcs11Signer.open(token.hsm.module, token.label, token.pin, key_label="missing")
    with pytest.raises(RokhasError, match="key_label"):
        Pkcs11Signer.open(token.hsm.module, token.label, token.pin)


def test_missing_module_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(RokhasError, match="not found"):
        token_info(tmp_path / "nope.so")


@pytest.mark.parametrize(
    ("flags", "left", "words"),
    [
        (0, None, "does not report"),
        (0x10000, None, "few tries"),
        (0x20000, 1, "one try left"),
        (0x40000, 0, "locked"),
        (0x10000 | 0x20000, 1, "one try left"),
    ],
)
def test_pin_counter_flags(flags: int, left: int | None, words: str) -> None:
    import pkcs11

    from rokhas_sdk.signing._pkcs11 import pin_counter_state

    class _TokenFlagsOnly:  # the PKCS#11 CK_TOKEN_INFO flags are all this reads
        def __init__(self, value: int) -> None:
            self.flags = pkcs11.TokenFlag(value)

    got_left, sentence = pin_counter_state(_TokenFlagsOnly(flags))
    assert got_left == left
    assert words in sentence


def test_second_login_in_the_same_process_is_refused(token: Token) -> None:
    from rokhas_sdk.signing import TokenError

    with (
        Pkcs11Signer.open(token.hsm.module, token.label, token.pin, key_label="sign"),
        pytest.raises(TokenError, match="already logged in"),
    ):
        Pkcs11Signer.open(token.hsm.module, token.label, "CANARY-any", key_label="sign")
    # once the first signer is closed, logging in works again
    Pkcs11Signer.open(token.hsm.module, token.label, token.pin, key_label="sign").close()
