"""``rokhas verify``: JSON shape, exit codes, folders, trust options."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rokhas_sdk.cli import main
from rokhas_sdk.testing.pki import TestPKI

from .verify_corpus import ATTACKS, Signing, base_pdf


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, signing: Signing, pki: TestPKI) -> Path:
    d = tmp_path_factory.mktemp("cli")
    (d / "root.pem").write_bytes(pki.root.certificate_pem())
    good = d / "docs"
    good.mkdir()
    (good / "a.pdf").write_bytes(signing.sign(base_pdf("A")))
    (good / "sub").mkdir()
    (good / "sub" / "b.PDF").write_bytes(signing.sign(base_pdf("B")))
    (good / "readme.txt").write_text("not a pdf, not picked up")
    (d / "attacked.pdf").write_bytes(ATTACKS["shadow_hide"](signing))
    return d


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["verify", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_for_a_folder_of_valid_permits(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run([str(files / "docs"), "--trust", str(files / "root.pem"), "--json"], capsys)
    doc = json.loads(out)
    assert code == 0
    assert [Path(f["file"]).name for f in doc["files"]] == ["a.pdf", "b.PDF"]
    for entry in doc["files"]:
        # the whole report: the auditor's record
        assert {"file", "size", "sha256", "validated_at", "revocation_mode"} <= set(entry)
        assert {"document", "signatures", "findings", "permit"} <= set(entry)
        assert entry["size"] == Path(entry["file"]).stat().st_size
        assert entry["document"]["indication"] == "TOTAL_PASSED"
        sig = entry["signatures"][0]
        assert sig["integrity"] == "intact"
        assert sig["coverage"] == "entire_file"
        assert sig["modified_after_signing"] == "none"
        assert sig["level"] == "B-B"


def test_exit_1_when_any_file_fails(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        [
            str(files / "docs" / "a.pdf"),
            str(files / "attacked.pdf"),
            "--trust",
            str(files / "root.pem"),
            "--json",
        ],
        capsys,
    )
    assert code == 1
    verdicts = {Path(f["file"]).name: f["document"]["indication"] for f in json.loads(out)["files"]}
    assert verdicts == {"a.pdf": "TOTAL_PASSED", "attacked.pdf": "TOTAL_FAILED"}


def test_untrusted_is_exit_1_and_table_is_readable(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run([str(files / "docs" / "a.pdf")], capsys)
    assert code == 1
    assert "INDETERMINATE" in out
    assert "Rokhas TEST Root CA" in out


def test_table_for_valid_files(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        [str(files / "docs"), "--trust", str(files / "root.pem"), "--jobs", "2"], capsys
    )
    assert code == 0
    assert "TOTAL_PASS" in out
    assert "a.pdf" in out


@pytest.mark.parametrize(
    "args",
    [
        ["missing.pdf"],
        ["{docs}", "--trust", "missing.pem"],
        ["{docs}", "--jobs", "0"],
        ["{docs}", "--at", "yesterday"],
        ["{docs}", "--at", "2026-01-01T10:00:00"],
        ["{docs}", "--revocation", "always"],
        ["{empty}"],
    ],
)
def test_bad_usage_is_exit_2(
    args: list[str], files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    real = [a.format(docs=files / "docs", empty=empty) for a in args]
    with pytest.raises(SystemExit) as exc:
        raise SystemExit(main(["verify", *real]))
    assert exc.value.code == 2
    assert capsys.readouterr().err


def test_module_entry_point(files: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "rokhas_sdk",
            "verify",
            str(files / "docs" / "a.pdf"),
            "--trust",
            str(files / "root.pem"),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["files"][0]["document"]["indication"] == "TOTAL_PASSED"
