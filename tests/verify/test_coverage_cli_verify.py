"""``rokhas verify``: argument errors, empty folders, the permit line of the table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rokhas_sdk.cli import main
from rokhas_sdk.testing.pki import TestPKI

from .test_verify import _permit, _with_permit
from .verify_corpus import Signing, base_pdf


@pytest.fixture(scope="module")
def root_pem(tmp_path_factory: pytest.TempPathFactory, pki: TestPKI) -> Path:
    path = tmp_path_factory.mktemp("trust") / "root.pem"
    path.write_bytes(pki.root.certificate_pem())
    return path


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--jobs", "0"], "--jobs: must be from 1 to 256"),
        (["--at", "yesterday"], "--at 'yesterday' is not an ISO 8601 instant"),
        (["--at", "2026-01-31T10:00:00"], "has no offset"),
    ],
)
def test_bad_options_exit_2(
    tmp_path: Path,
    root_pem: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(base_pdf())
    assert main(["verify", str(pdf), "--trust", str(root_pem), *extra]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert message in err


def test_folder_without_pdfs_exits_2(
    tmp_path: Path, root_pem: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("not a pdf", encoding="utf-8")
    assert main(["verify", str(tmp_path), "--trust", str(root_pem)]) == 2
    assert "no PDF file found in the given folders" in capsys.readouterr().err


def test_table_shows_the_permit_line(
    tmp_path: Path, root_pem: Path, signing: Signing, capsys: pytest.CaptureFixture[str]
) -> None:
    permit = _permit()
    pdf = _with_permit(base_pdf(f"Permis {permit.number}"), permit.model_dump_json().encode())
    path = tmp_path / "permit.pdf"
    path.write_bytes(signing.sign(pdf))
    assert main(["verify", str(path), "--trust", str(root_pem)]) == 0
    # long temporary paths make rich wrap the line: compare words
    out = " ".join(capsys.readouterr().out.split())
    assert f"permit {permit.number} (covered by a valid signature, matches the page: True)" in out
    # without the anchor the signature is not trusted: that is not "unsigned"
    other_root = tmp_path / "other.pem"
    from rokhas_sdk.testing.pki import TestPKI

    other_root.write_bytes(TestPKI.create(key_type="ecdsa").root.certificate_pem())
    assert main(["verify", str(path), "--trust", str(other_root)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "covered by a signature that did not pass validation" in out
    assert "not covered" not in out
    assert main(["verify", str(path), "--trust", str(root_pem), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [f["file"] for f in doc["files"]] == [str(path)]


def test_unsigned_pdf_is_exit_1_and_says_why(
    tmp_path: Path, root_pem: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plain.pdf"
    path.write_bytes(base_pdf())
    assert main(["verify", str(path), "--trust", str(root_pem)]) == 1
    out = capsys.readouterr().out
    assert "the file carries no signature" in out
    assert "INDETERMINATE" in out
