"""``rokhas token info|change-pin`` paths the main CLI test does not take: prompts on a
terminal, an empty module, expired and non-signing certificates, a missing --module."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import require_tool
from rokhas_sdk.cli import _signing as cli_signing
from rokhas_sdk.cli._main import main
from rokhas_sdk.signing import Pkcs11Signer
from rokhas_sdk.testing.pki import PKIService
from rokhas_sdk.testing.softhsm import SoftHSM

from .conftest import SO_PIN, Token

PIN_ENV = ("ROKHAS_TOKEN_PIN", "ROKHAS_TOKEN_NEW_PIN", "ROKHAS_PKCS11_MODULE")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PIN_ENV:
        monkeypatch.delenv(name, raising=False)


class _Terminal:
    """A scripted person at a terminal: answers the getpass prompts in order."""

    def __init__(self, answers: list[str]) -> None:
        self.answers = list(answers)
        self.prompts: list[str] = []

    def getpass(self, prompt: str = "") -> str:
        self.prompts.append(prompt)
        return self.answers.pop(0)


def _terminal(monkeypatch: pytest.MonkeyPatch, answers: list[str]) -> _Terminal:
    import getpass
    import sys

    term = _Terminal(answers)
    monkeypatch.setattr(getpass, "getpass", term.getpass)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    return term


def test_change_pin_prompts_twice_and_refuses_different_new_pins(
    token: Token,
    no_env: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    term = _terminal(monkeypatch, [token.pin, "CANARY-new-1111", "CANARY-new-2222"])
    code, out, err = _run(
        capsys, "token", "change-pin", "--module", token.hsm.module, "--token", token.label
    )
    assert code == 2
    assert out == ""
    assert "the two new PINs differ: nothing was changed" in err
    assert term.prompts == [
        f"current PIN of token {token.label}: ",
        "new PIN: ",
        "new PIN again: ",
    ]
    for secret in (token.pin, "CANARY-new-1111", "CANARY-new-2222"):
        assert secret not in err
    # nothing changed: the old PIN still opens the token
    Pkcs11Signer.open(token.hsm.module, token.label, token.pin, key_label="sign").close()


def test_change_pin_on_a_terminal_then_the_new_pin_works(
    token: Token,
    no_env: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    new = "CANARY-new-3333"
    _terminal(monkeypatch, [token.pin, new, new])
    code, out, err = _run(
        capsys, "token", "change-pin", "--module", token.hsm.module, "--token", token.label
    )
    assert code == 0, err
    assert out == f"PIN of token {token.label!r} changed\n"
    Pkcs11Signer.open(token.hsm.module, token.label, new, key_label="sign").close()


def test_no_terminal_and_no_variable_says_which_variable(
    token: Token, no_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    code, _, err = _run(
        capsys, "token", "change-pin", "--module", token.hsm.module, "--token", token.label
    )
    assert code == 2
    assert "no terminal to ask for the current PIN of token PRESIDENT" in err
    assert "$ROKHAS_TOKEN_PIN" in err


@pytest.mark.parametrize("action", [["info"], ["change-pin", "--token", "PRESIDENT"]])
def test_missing_module_is_usage_error(
    no_env: None, capsys: pytest.CaptureFixture[str], action: list[str]
) -> None:
    # the parser reads $ROKHAS_PKCS11_MODULE when it is built: rebuilt here without it
    code, out, err = _run(capsys, "token", *action)
    assert code == 2
    assert out == ""
    assert "name the PKCS#11 module with --module (or $ROKHAS_PKCS11_MODULE)" in err


@pytest.fixture
def empty_hsm(tmp_path: Path) -> Iterator[SoftHSM]:
    require_tool("softhsm2-util")
    hsm = SoftHSM(tmp_path / "empty")
    with hsm.activate():
        yield hsm


def test_token_info_on_a_module_without_tokens(
    empty_hsm: SoftHSM, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "token", "info", "--module", empty_hsm.module)
    assert code == 0
    assert out == "no initialised token found\n"
    code, out, _ = _run(capsys, "token", "info", "--module", empty_hsm.module, "--json")
    assert code == 0
    assert json.loads(out) == []


def test_token_info_flags_expired_and_non_signing_certificates(
    empty_hsm: SoftHSM, pki_service: PKIService, capsys: pytest.CaptureFixture[str]
) -> None:
    pin = "CANARY-pin-6060"
    empty_hsm.init_token("OLD", so_pin=SO_PIN, user_pin=pin)
    pki = pki_service.pki
    now = dt.datetime.now(dt.UTC)
    expired = pki.issue(
        "president",
        not_before=now - dt.timedelta(days=800),
        not_after=now - dt.timedelta(days=30),
        cin="AB111111",
    )
    auth_only = pki.issue("architect", non_repudiation=False, cin="CD222222")
    empty_hsm.import_identity("OLD", pin, expired, label="expired", key_id=b"\x05")
    empty_hsm.import_identity("OLD", pin, auth_only, label="auth", key_id=b"\x06", with_chain=False)
    code, out, err = _run(capsys, "token", "info", "--module", empty_hsm.module, "--token", "OLD")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("token 'OLD' (")
    assert lines[1].startswith("  PIN: ok; retry counter: ")
    (exp_line,) = [line for line in lines if line.startswith("  expired:")]
    assert "CIN AB111111" in exp_line
    assert "(EXPIRED)" in exp_line
    assert "non-repudiation" not in exp_line
    (auth_line,) = [line for line in lines if line.startswith("  auth:")]
    assert "CIN CD222222" in auth_line
    assert "days left)" in auth_line
    assert auth_line.endswith("(no non-repudiation: not for signing)")
    # the CA certificates of the chain are not listed as the person's
    assert not any(line.startswith("  ca-") for line in lines)
    assert pin not in out


def test_env_module_is_the_default(
    token: Token, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(cli_signing.ENV_MODULE, token.hsm.module)
    code, out, _ = _run(capsys, "token", "info", "--json")
    assert code == 0
    assert [t["label"] for t in json.loads(out)] == [token.label]
