"""Token edge cases on a real SoftHSM2 module: twin labels, orphan keys, odd certificates,
a library that is not PKCS#11, and the SoftHSM test helper's own guard rails."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from conftest import require_tool
from rokhas_sdk import ConfigurationError
from rokhas_sdk.signing import KeyNotFoundError, Pkcs11Signer, TokenError, token_info
from rokhas_sdk.testing import softhsm as softhsm_mod
from rokhas_sdk.testing.softhsm import SoftHSM, find_softhsm_module

from .conftest import USER_PIN, Token

SO = "CANARY-so-5150"


@pytest.fixture
def hsm(tmp_path: Path) -> Iterator[SoftHSM]:
    """An active SoftHSM2 directory with no token yet."""
    require_tool("softhsm2-util")
    h = SoftHSM(tmp_path / "hsm")
    with h.activate():
        yield h


def _rw_session(hsm: SoftHSM, label: str, pin: str) -> object:
    import pkcs11

    return pkcs11.lib(hsm.module).get_token(token_label=label).open(user_pin=pin, rw=True)


# --- pkcs11 module and token lookup -----------------------------------------------


def test_a_file_that_is_not_a_pkcs11_library_is_a_configuration_error(tmp_path: Path) -> None:
    junk = tmp_path / "libjunk.so"
    junk.write_bytes(b"\x7fELF but not really a library")
    with pytest.raises(ConfigurationError, match="could not be loaded") as info:
        token_info(junk)
    assert str(junk) in str(info.value)
    assert "PKCS#11 library for this system" in str(info.value)


def test_two_tokens_with_the_same_label_are_refused(hsm: SoftHSM) -> None:
    hsm.init_token("TWIN", so_pin=SO, user_pin=USER_PIN)
    hsm.init_token("TWIN", so_pin=SO, user_pin=USER_PIN)
    with pytest.raises(TokenError, match="several tokens are labelled 'TWIN'"):
        token_info(hsm.module, "TWIN")
    with pytest.raises(TokenError, match="unplug all but one"):
        Pkcs11Signer.open(hsm.module, "TWIN", SecretStr(USER_PIN), key_label="sign")
    # listing every token still works and shows both
    assert [t.label for t in token_info(hsm.module)] == ["TWIN", "TWIN"]


# --- key lookup ---------------------------------------------------------------------


def _generate_rsa(session: object, label: str, key_id: bytes) -> None:
    from pkcs11 import KeyType

    session.generate_keypair(  # type: ignore[attr-defined]
        KeyType.RSA, 2048, label=label, id=key_id, store=True
    )


def test_a_key_without_its_certificate_is_named_with_the_certificates_present(
    token: Token,
) -> None:
    session = _rw_session(token.hsm, token.label, token.pin)
    try:
        _generate_rsa(session, "orphan", b"\x09")
    finally:
        session.close()  # type: ignore[attr-defined]
    with pytest.raises(KeyNotFoundError, match="has the key with label 'orphan'") as info:
        Pkcs11Signer.open(token.hsm.module, token.label, token.pin, key_label="orphan")
    message = str(info.value)
    assert "but not its certificate" in message
    assert "'sign'" in message  # the certificates that are there, to pick from
    assert "--cert" in message
    assert token.pin not in message
    # the failed open released the login: the real key still signs
    Pkcs11Signer.open(token.hsm.module, token.label, token.pin, key_label="sign").close()


def test_two_keys_with_one_label_ask_for_the_id(token: Token) -> None:
    session = _rw_session(token.hsm, token.label, token.pin)
    try:
        _generate_rsa(session, "twin", b"\x0a")
        _generate_rsa(session, "twin", b"\x0b")
    finally:
        session.close()  # type: ignore[attr-defined]
    with pytest.raises(KeyNotFoundError, match="has 2 private keys with label 'twin'") as info:
        Pkcs11Signer.open(token.hsm.module, token.label, token.pin, key_label="twin")
    assert "name it by id" in str(info.value)


def test_unknown_key_id_is_listed_with_the_keys_present(token: Token) -> None:
    with pytest.raises(KeyNotFoundError, match="no private key with id '7f'") as info:
        Pkcs11Signer.open(token.hsm.module, token.label, token.pin, key_id="7f")
    assert "'sign'" in str(info.value)
    assert "'sign-ec'" in str(info.value)


# --- token_info over odd certificate objects ------------------------------------------


def _bare_certificate() -> bytes:
    """A self-signed certificate with neither KeyUsage nor BasicConstraints."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bare Cert")])
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0xBEEF)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=10))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


def test_token_info_skips_non_x509_objects_and_reads_bare_certificates(token: Token) -> None:
    from pkcs11 import Attribute, CertificateType, ObjectClass

    session = _rw_session(token.hsm, token.label, token.pin)
    try:
        for label, value in (("junk", b"not DER at all"), ("bare", _bare_certificate())):
            session.create_object(  # type: ignore[attr-defined]
                {
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                    Attribute.VALUE: value,
                    Attribute.SUBJECT: b"\x30\x00",
                    Attribute.LABEL: label,
                    Attribute.ID: b"\x33",
                    Attribute.TOKEN: True,
                }
            )
    finally:
        session.close()  # type: ignore[attr-defined]
    (info,) = token_info(token.hsm.module, token.label, now=dt.datetime(2026, 1, 6, tzinfo=dt.UTC))
    labels = [c.label for c in info.certificates]
    assert "junk" not in labels
    bare = next(c for c in info.certificates if c.label == "bare")
    assert bare.common_name == "Bare Cert"
    assert bare.non_repudiation is False
    assert bare.is_ca is False
    assert bare.cin == ""
    assert bare.id_hex == "33"
    assert bare.serial_hex == "beef"
    assert bare.key_type == "ecdsa"
    assert bare.days_left == 5
    assert bare.expired is False


# --- the SoftHSM helper ---------------------------------------------------------------


def test_softhsm_module_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "libsofthsm2.so"
    fake.write_bytes(b"")
    monkeypatch.setenv("SOFTHSM2_MODULE", str(fake))
    assert find_softhsm_module() == str(fake)
    # a variable naming a missing file falls back to the usual places
    monkeypatch.setenv("SOFTHSM2_MODULE", str(tmp_path / "absent.so"))
    assert find_softhsm_module() != str(tmp_path / "absent.so")


def test_softhsm_not_installed_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SOFTHSM2_MODULE", raising=False)
    monkeypatch.setattr(softhsm_mod, "MODULE_CANDIDATES", (str(tmp_path / "none.so"),))
    assert find_softhsm_module() is None
    with pytest.raises(ConfigurationError, match="apt-get install softhsm2"):
        SoftHSM(tmp_path / "h")


def test_softhsm_guard_rails_outside_activate(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pki_service: object
) -> None:
    require_tool("softhsm2-util")
    from rokhas_sdk.testing.pki import PKIService

    assert isinstance(pki_service, PKIService)
    h = SoftHSM(tmp_path / "h")
    # a token made while inactive is visible once activated
    h.init_token("LATER", so_pin=SO, user_pin=USER_PIN)
    with pytest.raises(ConfigurationError, match=r"inside `with hsm\.activate"):
        h.import_identity("LATER", USER_PIN, pki_service.pki.identity("president"), label="k")
    monkeypatch.setenv("SOFTHSM2_CONF", "/previous/softhsm2.conf")
    with h.activate():
        assert [t.label for t in token_info(h.module)] == ["LATER"]
        h.refresh()
        assert [t.label for t in token_info(h.module)] == ["LATER"]
    import os

    assert os.environ["SOFTHSM2_CONF"] == "/previous/softhsm2.conf"
    monkeypatch.setenv("PATH", str(tmp_path))  # no softhsm2-util on this PATH
    with pytest.raises(ConfigurationError, match="softhsm2-util not found"):
        h.init_token("OTHER", so_pin=SO, user_pin=USER_PIN)
