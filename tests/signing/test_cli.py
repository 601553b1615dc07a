"""``rokhas permit render``, ``rokhas sign`` and ``rokhas token``: exit codes, JSON, secrets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rokhas_sdk.cli import main
from rokhas_sdk.testing.pki import PKIService

from ._pdfsig import pdfsig
from .conftest import SO_PIN, Token

PERMIT = {
    "number": "PC-2026/0099",
    "dossier_reference": "D-2026-000999",
    "kind": "URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
    "commune": "141.01.01",
    "commune_name_fr": "Casablanca",
    "commune_name_ar": "الدار البيضاء",
    "beneficiary_name": "Fatima Zahra ALAOUI",
    "beneficiary_id": "BE778899",
    "object_fr": "Surélévation d'un étage",
    "object_ar": "إضافة طابق",
    "address": "12 rue des Orangers",
    "issued_on": "2026-11-28",
    "signatory": {
        "name": "Karim BENNANI",
        "title_fr": "Président du conseil communal",
        "title_ar": "رئيس المجلس الجماعي",
    },
}


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_render_then_sign_with_p12_then_extract(
    tmp_path: Path,
    pki_service: PKIService,
    p12_passphrase: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    nssdir: Path,
) -> None:
    src = tmp_path / "permit.json"
    src.write_text(json.dumps(PERMIT, ensure_ascii=False), encoding="utf-8")
    pdf = tmp_path / "permit.pdf"
    code, out, _ = _run(
        [
            "permit",
            "render",
            str(src),
            str(pdf),
            "--cosigner",
            "architect:L'architecte:المهندس المعماري",
            "--json",
        ],
        capsys,
    )
    assert code == 0
    doc = json.loads(out)
    assert [f["name"] for f in doc["signature_fields"]] == ["president", "architect"]

    p12 = pki_service.pki.identity("president").write_pkcs12(tmp_path / "p.p12", p12_passphrase)
    root = tmp_path / "root.pem"
    root.write_bytes(pki_service.pki.root.certificate_pem())
    monkeypatch.setenv("ROKHAS_P12_PASSPHRASE", p12_passphrase)
    signed = tmp_path / "signed.pdf"
    code, out, err = _run(
        [
            "sign",
            str(pdf),
            str(signed),
            "--p12",
            str(p12),
            "--certify",
            "--field",
            "president",
            "--level",
            "B-LT",
            "--tsa",
            pki_service.tsa_url,
            "--trust",
            str(root),
            "--reference",
            "PC-2026/0099",
            "--json",
        ],
        capsys,
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["signer"] == "Karim BENNANI"
    assert result["cin"] == "BK123456"
    assert p12_passphrase not in out + err
    report = pdfsig(signed, nssdir=nssdir)
    assert report[0].valid
    assert report[0].trusted

    code, out, _ = _run(["permit", "extract", str(signed)], capsys)
    assert code == 0
    assert json.loads(out)["number"] == "PC-2026/0099"


def test_sign_errors_exit_codes(
    tmp_path: Path,
    pki_service: PKIService,
    p12_passphrase: str,
    plain_pdf: bytes,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pdf = tmp_path / "in.pdf"
    pdf.write_bytes(plain_pdf)
    p12 = pki_service.pki.identity("architect").write_pkcs12(tmp_path / "a.p12", p12_passphrase)
    monkeypatch.setenv("ROKHAS_P12_PASSPHRASE", "CANARY-bad-pass")
    code, out, err = _run(["sign", str(pdf), str(tmp_path / "o.pdf"), "--p12", str(p12)], capsys)
    assert code == 2
    assert "passphrase is wrong" in err
    assert "CANARY-bad-pass" not in out + err
    monkeypatch.setenv("ROKHAS_P12_PASSPHRASE", p12_passphrase)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7 nothing")
    code, _, err = _run(["sign", str(broken), str(tmp_path / "o.pdf"), "--p12", str(p12)], capsys)
    assert code == 2
    assert "not a readable PDF" in err
    code, _, err = _run(
        ["sign", str(pdf), str(tmp_path / "o.pdf"), "--p12", str(p12), "--level", "B-T"], capsys
    )
    assert code == 2
    assert "time-stamping" in err
    monkeypatch.delenv("ROKHAS_P12_PASSPHRASE")
    monkeypatch.setattr(sys, "stdin", open(os.devnull))  # noqa: SIM115
    code, _, err = _run(["sign", str(pdf), str(tmp_path / "o.pdf"), "--p12", str(p12)], capsys)
    sys.stdin.close()
    assert code == 2
    assert "ROKHAS_P12_PASSPHRASE" in err


def test_render_rejects_bad_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, err = _run(["permit", "render", str(bad), str(tmp_path / "x.pdf")], capsys)
    assert code == 2
    assert "not valid JSON" in err
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({**PERMIT, "number": ""}), encoding="utf-8")
    code, _, err = _run(["permit", "render", str(wrong), str(tmp_path / "x.pdf")], capsys)
    assert code == 2
    assert "number" in err
    code, _, err = _run(
        ["permit", "render", str(wrong), str(tmp_path / "x.pdf"), "--cosigner", "nope"], capsys
    )
    assert code == 2


def test_token_commands_against_softhsm(
    token: Token,
    tmp_path: Path,
    plain_pdf: bytes,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = token.hsm.module
    code, out, _ = _run(["token", "info", "--module", module, "--json"], capsys)
    assert code == 0
    infos = json.loads(out)
    assert infos[0]["label"] == token.label
    assert {c["label"] for c in infos[0]["certificates"] if not c["is_ca"]} == {"sign", "sign-ec"}
    code, out, _ = _run(["token", "info", "--module", module], capsys)
    assert code == 0
    assert "Karim BENNANI CIN BK123456" in out

    new_pin = "CANARY-cli-new-8080"
    monkeypatch.setenv("ROKHAS_TOKEN_PIN", token.pin)
    monkeypatch.setenv("ROKHAS_TOKEN_NEW_PIN", new_pin)
    code, out, err = _run(
        ["token", "change-pin", "--module", module, "--token", token.label, "--json"], capsys
    )
    assert code == 0, err
    assert json.loads(out) == {"token": token.label, "changed": True}
    # the old PIN is now wrong: a negative verdict (exit 1), never echoed
    pdf = tmp_path / "in.pdf"
    pdf.write_bytes(plain_pdf)
    args = ["sign", str(pdf), str(tmp_path / "o.pdf"), "--pkcs11-module", module]
    args += ["--token", token.label, "--key", "sign-ec", "--invisible"]
    code, out, err = _run(args, capsys)
    assert code == 1
    assert "refused the PIN" in err
    for secret in (token.pin, new_pin, SO_PIN):
        assert secret not in out + err
    monkeypatch.setenv("ROKHAS_TOKEN_PIN", new_pin)
    code, out, err = _run([*args, "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["signer"] == "Karim BENNANI"
    assert pdfsig(tmp_path / "o.pdf")[0].valid


def test_token_subprocess_uses_its_softhsm_conf(token: Token) -> None:
    # the real command line, in its own process, pointed at the test token by the env
    env = {**token.hsm.env, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    proc = subprocess.run(
        [sys.executable, "-m", "rokhas_sdk", "token", "info", "--module", token.hsm.module],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert token.label in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "rokhas_sdk", "token", "info"],
        capture_output=True,
        text=True,
        env={k: v for k, v in env.items() if k != "ROKHAS_PKCS11_MODULE"},
        check=False,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "--module" in proc.stderr


def test_importing_the_rooms_stays_light() -> None:
    code = (
        "import sys, rokhas_sdk.signing, rokhas_sdk.documents; "
        "print(','.join(m for m in ('pyhanko', 'fpdf', 'pkcs11', 'aiohttp') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == ""


def test_receipt_render_text_output_and_more_usage_errors(
    tmp_path: Path,
    pki_service: PKIService,
    p12_passphrase: str,
    plain_pdf: bytes,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dossier = {
        "reference": "D-2026-000777",
        "kind": "URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
        "commune": "141.01.01",
        "applicant": {
            "type": "natural",
            "first_name": "Amina",
            "last_name": "RAMI",
            "cin": "BE123456",
        },
        "created_at": "2026-11-28T10:00:00+01:00",
    }
    src = tmp_path / "dossier.json"
    src.write_text(json.dumps(dossier), encoding="utf-8")
    code, out, _ = _run(["permit", "receipt", str(src), str(tmp_path / "r.pdf"), "--json"], capsys)
    assert code == 0
    assert json.loads(out)["bytes"] > 1000
    code, out, _ = _run(["permit", "receipt", str(src), str(tmp_path / "r2.pdf")], capsys)
    assert code == 0
    assert "D-2026-000777" in out
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes('{"a": "\xe9"}'.encode("latin-1"))
    code, _, err = _run(["permit", "render", str(latin1), str(tmp_path / "x.pdf")], capsys)
    assert code == 2
    assert "UTF-8" in err
    code, _, _ = _run(["permit"], capsys)
    assert code == 2
    code, _, _ = _run(["token"], capsys)
    assert code == 2

    pdf = tmp_path / "in.pdf"
    pdf.write_bytes(plain_pdf)
    code, _, err = _run(
        ["sign", str(pdf), str(tmp_path / "o.pdf"), "--pkcs11-module", "/x.so"], capsys
    )
    assert code == 2
    assert "--token" in err
    p12 = pki_service.pki.identity("president").write_pkcs12(tmp_path / "p.p12", p12_passphrase)
    monkeypatch.setenv("ROKHAS_P12_PASSPHRASE", p12_passphrase)
    bad_root = tmp_path / "bad.der"
    bad_root.write_bytes(b"\x30\x03\x02\x01\x00")
    code, _, err = _run(
        ["sign", str(pdf), str(tmp_path / "o.pdf"), "--p12", str(p12), "--trust", str(bad_root)],
        capsys,
    )
    assert code == 2
    assert "not a PEM or DER certificate" in err
    der_root = tmp_path / "root.der"
    der_root.write_bytes(pki_service.pki.root.certificate_der())
    code, out, err = _run(
        [
            "sign",
            str(pdf),
            str(tmp_path / "o.pdf"),
            "--p12",
            str(p12),
            "--trust",
            str(der_root),
            "--invisible",
        ],
        capsys,
    )
    assert code == 0, err
    assert "signed" in out
    assert pdfsig(tmp_path / "o.pdf")[0].valid
