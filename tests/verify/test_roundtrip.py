"""Our own sign_pdf -> verify_pdf, and poppler's pdfsig as the independent second opinion.

* Everything our signing produces verifies TOTAL_PASSED at the level it was signed at,
  and pdfsig judges integrity and coverage exactly as we do (on honest and on attacked
  files alike).
* A file signed by an independent signer (``pdfsig -add-signature`` with an NSS
  database, no pyHanko involved) verifies.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import require_tool
from rokhas_sdk.cli import main
from rokhas_sdk.signing import (
    Coverage,
    Indication,
    Integrity,
    Pkcs12Signer,
    SignatureSlot,
    TrustStore,
    VerificationReport,
    sign_pdf,
    verify_pdf,
)
from rokhas_sdk.testing.pki import PKIService, TestPKI

from .verify_corpus import ATTACKS, HONEST, Signing, base_pdf

PASS = "canary-passphrase-verify"


@pytest.fixture(scope="module")
def president(pki: TestPKI) -> Pkcs12Signer:
    return Pkcs12Signer.from_bytes(pki.identity("president", "ecdsa").pkcs12(PASS), PASS)


@pytest.fixture(scope="module")
def architect(pki: TestPKI) -> Pkcs12Signer:
    return Pkcs12Signer.from_bytes(pki.identity("architect", "rsa").pkcs12(PASS), PASS)


def _pdfsig(path: Path) -> list[dict[str, str]]:
    """Run ``pdfsig -nocert`` and return one dict of facts per signature."""
    exe = require_tool("pdfsig")
    proc = subprocess.run(
        [exe, "-nocert", "-no-ocsp", str(path)], capture_output=True, text=True, check=False
    )
    sigs: list[dict[str, str]] = []
    for line in proc.stdout.splitlines():
        if re.match(r"^Signature #\d+:", line):
            sigs.append({})
        elif sigs and line.startswith("  - "):
            body = line[4:]
            key, _, value = body.partition(": ")
            sigs[-1][key] = value if value else "yes"
    return sigs


def _agree(report: VerificationReport, path: Path) -> None:
    """pdfsig and we agree on integrity and whole-file coverage of every signature."""
    theirs = {s.get("Signature Field Name", ""): s for s in _pdfsig(path)}
    # poppler 22 cannot validate RFC 3161 document timestamps ("Signature Type:
    # ETSI.RFC3161"); the comparison covers the signatures it can judge
    ours = [s for s in report.signatures if s.kind.value == "signature"]
    assert {s.field for s in ours} <= set(theirs), (theirs, ours)
    for mine in ours:
        other = theirs[mine.field]
        pdfsig_intact = other.get("Signature Validation") == "Signature is Valid."
        assert pdfsig_intact == (mine.integrity is Integrity.INTACT), (mine, other)
        pdfsig_total = "Total document signed" in other
        assert pdfsig_total == (mine.coverage is Coverage.ENTIRE_FILE), (mine, other)


@pytest.mark.parametrize("level", ["B-B", "B-T", "B-LT", "B-LTA"])
def test_our_signatures_verify_and_pdfsig_agrees(
    level: str,
    president: Pkcs12Signer,
    pki_service: PKIService,
    trust: TrustStore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    signed = sign_pdf(
        base_pdf(),
        president,
        level=level,  # type: ignore[arg-type]
        tsa_url=pki_service.tsa_url,
        trust_roots=[pki_service.pki.root.certificate],
    )
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    report = verify_pdf(path, trust=trust)
    assert report.document.indication is Indication.TOTAL_PASSED, report.document.errors
    assert report.signatures[0].level.value == level
    _agree(report, path)
    # and `rokhas verify --json` says the same as pdfsig
    root = tmp_path / "root.pem"
    root.write_bytes(pki_service.pki.root.certificate_pem())
    code = main(["verify", str(path), "--trust", str(root), "--json"])
    entry = json.loads(capsys.readouterr().out)["files"][0]
    assert code == 0
    theirs = {s.get("Signature Field Name"): s for s in _pdfsig(path)}
    for sig in entry["signatures"]:
        other = theirs[sig["field"]]
        if other.get("Signature Type") in ("ETSI.RFC3161", "unknown"):
            continue  # a document timestamp: poppler 22 reports "unknown" type, no verdict
        assert (sig["integrity"] == "intact") == (
            other.get("Signature Validation") == "Signature is Valid."
        )
        assert (sig["coverage"] == "entire_file") == ("Total document signed" in other)


def test_certified_then_cosigned_in_slots(
    president: Pkcs12Signer,
    architect: Pkcs12Signer,
    pki_service: PKIService,
    trust: TrustStore,
    tmp_path: Path,
) -> None:
    first = sign_pdf(
        base_pdf(),
        president,
        certify=True,
        slots=[SignatureSlot("Architecte", (300, 50, 550, 120))],
    )
    second = sign_pdf(first, architect, field_name="Architecte")
    path = tmp_path / "cosigned.pdf"
    path.write_bytes(second)
    report = verify_pdf(path, trust=trust)
    assert report.document.indication is Indication.TOTAL_PASSED, report.document.errors
    assert [s.certification for s in report.signatures] == ["form_filling", None]
    _agree(report, path)


@pytest.mark.parametrize("name", sorted({*ATTACKS, *HONEST}))
def test_pdfsig_agrees_on_the_corpus(
    name: str, signing: Signing, trust: TrustStore, tmp_path: Path
) -> None:
    data = {**ATTACKS, **HONEST}[name](signing)
    report = verify_pdf(data, trust=trust)
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    theirs = _pdfsig(path)
    readable = [s for s in report.signatures if s.signer is not None]
    if len(theirs) != len(readable):
        # a signature dictionary we cannot parse: pdfsig cannot verify it either
        assert all(o.get("Signature Validation") != "Signature is Valid." for o in theirs)
        assert report.document.indication is not Indication.TOTAL_PASSED or name in HONEST
        return
    for mine, other in zip(readable, theirs, strict=True):
        pdfsig_intact = other.get("Signature Validation") == "Signature is Valid."
        assert pdfsig_intact == (mine.integrity is Integrity.INTACT), (mine, other)
        pdfsig_total = "Total document signed" in other
        assert pdfsig_total == (mine.coverage is Coverage.ENTIRE_FILE), (mine, other)


def _nss_signer(tmp_path: Path, pki: TestPKI) -> tuple[Path, str]:
    certutil = require_tool("certutil")
    pk12util = require_tool("pk12util")
    db = tmp_path / "nss"
    db.mkdir()
    subprocess.run(
        [certutil, "-N", "-d", f"sql:{db}", "--empty-password"], check=True, capture_output=True
    )
    root = tmp_path / "root.pem"
    root.write_bytes(pki.root.certificate_pem())
    subprocess.run(
        [certutil, "-A", "-d", f"sql:{db}", "-n", "test-root", "-t", "CT,C,C", "-i", str(root)],
        check=True,
        capture_output=True,
    )
    ident = pki.identity("commission_member", "rsa")
    p12 = tmp_path / "member.p12"
    p12.write_bytes(ident.pkcs12(PASS, friendly_name="member"))
    subprocess.run(
        [pk12util, "-i", str(p12), "-d", f"sql:{db}", "-W", PASS, "-K", ""],
        check=True,
        capture_output=True,
    )
    return db, "member"


def test_file_signed_by_pdfsig_with_nss_verifies(
    pki: TestPKI, trust: TrustStore, tmp_path: Path
) -> None:
    exe = require_tool("pdfsig")
    db, nick = _nss_signer(tmp_path, pki)
    src = tmp_path / "in.pdf"
    src.write_bytes(base_pdf())
    out = tmp_path / "out.pdf"
    proc = subprocess.run(
        [
            exe,
            "-add-signature",
            "-nssdir",
            f"sql:{db}",
            "-nick",
            nick,
            "-digest",
            "SHA256",
            "-reason",
            "test",
            str(src),
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = verify_pdf(out, trust=trust)
    assert report.document.indication is Indication.TOTAL_PASSED, report.model_dump_json(indent=1)
    (sig,) = report.signatures
    assert sig.integrity is Integrity.INTACT
    assert sig.signer is not None
    assert sig.signer.cin == pki.identity("commission_member").cin
    _agree(report, out)
