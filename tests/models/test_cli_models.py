"""``rokhas schema`` and ``rokhas commune`` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rokhas_sdk.cli import main


def test_schema_writes_checks_and_detects_drift(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "schema"
    assert main(["schema", "--out", str(out)]) == 0
    files = sorted(p.name for p in out.glob("*.json"))
    assert "Dossier.json" in files
    assert "Permit.json" in files
    assert main(["schema", "--out", str(out), "--check"]) == 0
    (out / "Permit.json").write_text("{}\n", encoding="utf-8")
    (out / "Stale.json").write_text("{}\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["schema", "--out", str(out), "--check", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["changed"] == ["Permit.json"]
    assert report["extra"] == ["Stale.json"]
    assert main(["schema", "--out", str(out)]) == 0  # repairs
    assert not (out / "Stale.json").exists()
    assert main(["schema", "--out", str(out), "--check"]) == 0


def test_schema_refuses_a_file_as_directory(tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_text("x", encoding="utf-8")
    assert main(["schema", "--out", str(f)]) == 2


def test_commune_lookup(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["commune", "marrakech", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    first = doc["communes"][0]
    assert first["code"] == "07.351.01.0"
    assert first["guichet_unique"] is True
    assert first["province"] == "Marrakech"
    assert main(["commune", "351.01.01"]) == 0
    assert "Marrakech" in capsys.readouterr().out
    assert main(["commune", "no-such-place-xyz"]) == 1
    assert main(["commune", "x", "--limit", "0"]) == 2
