"""``rokhas demo`` walks the whole SDK; its artefacts are real and check out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rokhas_sdk.cli._main import main
from rokhas_sdk.models import Permit


def test_demo_json_walks_to_a_verified_permit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "artefacts"
    assert main(["demo", "--json", "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["indication"] == "TOTAL_PASSED"
    assert summary["state"] == "ISSUED"
    assert set(summary["artefacts"]) == {
        "dossier.json",
        "fee-quote.json",
        "journal.jsonl",
        "permit.json",
        "permit.pdf",
        "platform-dossier.json",
        "platform-journal.jsonl",
        "trust-root.pem",
        "verification-report.json",
    }
    # The permit PDF is a real signed PDF whose embedded data is the permit reported.
    pdf = (out / "permit.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert b"/ByteRange" in pdf
    report = json.loads((out / "verification-report.json").read_text(encoding="utf-8"))
    assert report["document"]["indication"] == "TOTAL_PASSED"
    permit = Permit.model_validate(report["permit"]["permit"])
    assert permit.number == summary["permit_number"]
    # The fee quote's total is the sum of its lines, and was paid (non-zero).
    quote = json.loads((out / "fee-quote.json").read_text(encoding="utf-8"))
    assert quote["total"] == summary["fees_total"] != "0.00"
    # The platform's log has one line per platform event, ending with the decision.
    lines = (out / "platform-journal.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[-1])["state_after"] == "ISSUED"


def test_demo_tampered_permit_is_caught_by_verify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "a"
    assert main(["demo", "--json", "--out", str(out)]) == 0
    capsys.readouterr()
    pdf = bytearray((out / "permit.pdf").read_bytes())
    # One bit flipped inside the first signed byte range (the content before the signature).
    at = pdf.index(b"/Contents", len(pdf) // 3) // 2
    pdf[at] ^= 0x01
    bad = tmp_path / "tampered.pdf"
    bad.write_bytes(bytes(pdf))
    code = main(["verify", str(bad), "--trust", str(out / "trust-root.pem"), "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    assert doc["files"][0]["document"]["indication"] != "TOTAL_PASSED"
