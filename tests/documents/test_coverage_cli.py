"""``rokhas permit render|receipt|extract`` end to end, and the documents' rarer paths.

Everything goes through the real CLI entry point and real PDFs (fpdf2 renders, pyHanko
reads back, poppler's pdftotext checks the text a person would see).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest

import rokhas_sdk.documents as documents
from conftest import require_tool
from rokhas_sdk import InvalidInputError, NotFoundError
from rokhas_sdk.cli._main import main
from rokhas_sdk.documents import extract_permit, parse_qr_payload, render_permit, render_receipt
from rokhas_sdk.documents._extract import extract_permit_json
from rokhas_sdk.models import Dossier, Permit

from .conftest import PERMIT_DATA


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _text(pdf: bytes, tmp_path: Path) -> str:
    require_tool("pdftotext")
    path = tmp_path / "read.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return unicodedata.normalize("NFKC", out)


def _dossier(**changes: Any) -> Dossier:
    from rokhas_sdk.models import PieceType

    data: dict[str, Any] = {
        "reference": "D-2026-000123",
        "kind": "URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
        "commune": "141.01.01",
        "applicant": {
            "type": "natural",
            "first_name": "Fatima",
            "last_name": "ALAOUI",
            "cin": "BE778899",
        },
        "pieces": [
            {
                "type": str(next(iter(PieceType)).value),
                "file_name": "plan.pdf",
                "size": 1234,
                "sha256": "cd" * 32,
            }
        ],
        "created_at": "2026-11-28T10:30:00+00:00",
    }
    data.update(changes)
    return Dossier.model_validate(data)


# --- rokhas permit render ---------------------------------------------------------


def test_cli_render_json_describes_the_written_pdf(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    src = tmp_path / "permit.json"
    src.write_text(json.dumps(PERMIT_DATA, ensure_ascii=False), encoding="utf-8")
    out_pdf = tmp_path / "permit.pdf"
    code, out, err = _run(
        capsys,
        "permit",
        "render",
        str(src),
        str(out_pdf),
        "--cosigner",
        "architect:L'architecte:المهندس المعماري",
        "--json",
    )
    assert code == 0, err
    doc = json.loads(out)
    pdf = out_pdf.read_bytes()
    assert doc["output"] == str(out_pdf)
    assert doc["bytes"] == len(pdf)
    assert doc["permit"] == PERMIT_DATA["number"]
    assert [f["name"] for f in doc["signature_fields"]] == ["president", "architect"]
    assert all(len(f["box"]) == 4 and f["page"] >= 0 for f in doc["signature_fields"])
    # the hash printed is the hash of the attachment really inside the PDF
    raw = extract_permit_json(pdf)
    assert doc["json_sha256"] == hashlib.sha256(raw).hexdigest()
    number, digest = parse_qr_payload(doc["qr"])
    assert (number, digest) == (PERMIT_DATA["number"], doc["json_sha256"])


def test_cli_render_text_output(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src = tmp_path / "permit.json"
    src.write_text(json.dumps(PERMIT_DATA, ensure_ascii=False), encoding="utf-8")
    out_pdf = tmp_path / "permit.pdf"
    code, out, _ = _run(capsys, "permit", "render", str(src), str(out_pdf))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"permit PC-2026/0042 -> {out_pdf} ({out_pdf.stat().st_size} bytes)"
    assert lines[1] == "signature fields: president"
    digest = hashlib.sha256(extract_permit_json(out_pdf)).hexdigest()
    assert lines[2] == f"permit.json sha256: {digest}"


def test_cli_render_hijri_adjust_changes_the_printed_hijri_date(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from rokhas_sdk._text import hijri_date_ar

    src = tmp_path / "permit.json"
    src.write_text(json.dumps(PERMIT_DATA, ensure_ascii=False), encoding="utf-8")
    shifted = tmp_path / "shifted.pdf"
    assert _run(capsys, "permit", "render", str(src), str(shifted), "--hijri-adjust", "1")[0] == 0
    text = _text(shifted.read_bytes(), tmp_path)
    issued = Permit.model_validate(PERMIT_DATA).issued_on
    expected = unicodedata.normalize("NFKC", hijri_date_ar(issued, 1))
    # the words of the shifted date are all on the page (pdftotext may reorder RTL runs)
    assert all(word in text for word in expected.split())
    assert hijri_date_ar(issued, 1) != hijri_date_ar(issued, 0)


@pytest.mark.parametrize("spec", ["architect", "architect:L'architecte", "a::b", ":x:y", "a:b:c:d"])
def test_cli_render_bad_cosigner_is_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, spec: str
) -> None:
    src = tmp_path / "permit.json"
    src.write_text(json.dumps(PERMIT_DATA, ensure_ascii=False), encoding="utf-8")
    out_pdf = tmp_path / "permit.pdf"
    code, out, err = _run(capsys, "permit", "render", str(src), str(out_pdf), "--cosigner", spec)
    assert code == 2
    assert out == ""
    assert "expected FIELD:LABEL_FR:LABEL_AR" in err
    assert repr(spec) in err
    assert not out_pdf.exists()


def test_cli_render_refuses_invalid_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    src = tmp_path / "permit.json"
    src.write_text('{"number": "PC-1",\n  oops}', encoding="utf-8")
    code, _, err = _run(capsys, "permit", "render", str(src), str(tmp_path / "o.pdf"))
    assert code == 2
    assert "is not valid JSON (line 2, column 3" in err


def test_cli_render_refuses_non_utf8(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src = tmp_path / "permit.json"
    src.write_bytes(b"\xff\xfe\x00garbage")
    code, _, err = _run(capsys, "permit", "render", str(src), str(tmp_path / "o.pdf"))
    assert code == 2
    assert "is UTF-16 text; save it as UTF-8" in err


def test_cli_render_refuses_a_json_that_is_not_a_permit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    src = tmp_path / "permit.json"
    src.write_text(json.dumps(dict(PERMIT_DATA, surprise=1)), encoding="utf-8")
    code, _, err = _run(capsys, "permit", "render", str(src), str(tmp_path / "o.pdf"))
    assert code == 2
    assert "surprise" in err


def test_cli_render_missing_file_is_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _run(
        capsys, "permit", "render", str(tmp_path / "nope.json"), str(tmp_path / "o.pdf")
    )
    assert code == 2
    assert "nope.json" in err


def test_cli_permit_without_action_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "permit")
    assert code == 2
    assert out == ""
    assert "render" in err
    assert "receipt" in err
    assert "extract" in err


# --- rokhas permit receipt --------------------------------------------------------


def test_cli_receipt_json_and_text(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src = tmp_path / "dossier.json"
    src.write_text(_dossier().model_dump_json(), encoding="utf-8")
    out_pdf = tmp_path / "receipt.pdf"
    code, out, err = _run(capsys, "permit", "receipt", str(src), str(out_pdf), "--json")
    assert code == 0, err
    assert json.loads(out) == {"output": str(out_pdf), "bytes": out_pdf.stat().st_size}
    assert out_pdf.read_bytes().startswith(b"%PDF-")

    code, out, _ = _run(capsys, "permit", "receipt", str(src), str(out_pdf))
    assert code == 0
    assert out == f"receipt D-2026-000123 -> {out_pdf} ({out_pdf.stat().st_size} bytes)\n"
    text = _text(out_pdf.read_bytes(), tmp_path)
    # created_at 10:30 in Casablanca (UTC+0 since 2026-09-20) is the filing time shown
    assert "28/11/2026 à 10:30" in text


def test_cli_receipt_bad_json_names_the_dossier(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    src = tmp_path / "dossier.json"
    src.write_bytes(b"\x80\x81")
    code, _, err = _run(capsys, "permit", "receipt", str(src), str(tmp_path / "r.pdf"))
    assert code == 2
    assert "dossier" in err
    assert "is not UTF-8 text" in err


# --- rokhas permit extract --------------------------------------------------------


def test_cli_extract_prints_the_attached_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, permit: Permit
) -> None:
    pdf = tmp_path / "permit.pdf"
    pdf.write_bytes(render_permit(permit).pdf)
    code, out, _ = _run(capsys, "permit", "extract", str(pdf))
    assert code == 0
    assert out.endswith("\n")
    assert Permit.model_validate_json(out) == permit


def test_cli_extract_refuses_an_attachment_that_is_not_a_permit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pdf = tmp_path / "fake.pdf"
    pdf.write_bytes(_pdf_with_attachment("permit.json", b'{"number": 42}'))
    code, out, err = _run(capsys, "permit", "extract", str(pdf))
    assert code == 2
    assert out == ""
    assert "rokhas: error:" in err


def test_cli_extract_garbage_is_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pdf = tmp_path / "garbage.pdf"
    pdf.write_bytes(b"this is not a PDF at all")
    code, _, err = _run(capsys, "permit", "extract", str(pdf))
    assert code == 2
    assert "not a readable PDF" in err


# --- extraction edge cases --------------------------------------------------------


def _pdf_with_attachment(name: str, data: bytes) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.embed_file(basename=name, bytes=data)
    return bytes(pdf.output())


def test_extract_other_attachments_only_is_not_found() -> None:
    pdf = _pdf_with_attachment("invoice.xml", b"<x/>")
    with pytest.raises(NotFoundError, match=r"none named permit\.json"):
        extract_permit_json(pdf)


def test_extract_refuses_an_oversized_attachment() -> None:
    pdf = _pdf_with_attachment("permit.json", b" " * ((1 << 20) + 1))
    with pytest.raises(InvalidInputError, match="larger than 1 MiB"):
        extract_permit_json(pdf)


def test_extract_reads_a_path(tmp_path: Path, permit: Permit) -> None:
    path = tmp_path / "p.pdf"
    path.write_bytes(render_permit(permit).pdf)
    assert extract_permit(path) == permit
    assert extract_permit(str(path)) == permit


# --- the lazy package namespace ---------------------------------------------------


def test_documents_namespace_is_lazy_and_complete() -> None:
    assert set(documents.__all__) <= set(dir(documents))
    for name in documents.__all__:
        assert getattr(documents, name) is not None
    with pytest.raises(AttributeError, match="has no attribute 'render_pdf'"):
        _ = documents.render_pdf


# --- rarer layouts ----------------------------------------------------------------


def test_minimal_tacit_permit_renders_without_optional_sections(tmp_path: Path) -> None:
    data = {
        k: v
        for k, v in PERMIT_DATA.items()
        if k not in {"valid_until", "land_reference", "architect_name", "surfaces"}
    }
    data.update(decision="tacit", conditions_fr=[], conditions_ar=[])
    permit = Permit.model_validate(data)
    layout = render_permit(permit)
    text = _text(layout.pdf, tmp_path)
    assert "Accordé tacitement" in text
    assert "Valable jusqu" not in text
    assert "Référence foncière" not in text
    assert "Architecte" not in text
    assert "Surfaces" not in text
    assert "Conditions" not in text
    assert extract_permit(layout.pdf) == permit


def test_many_cosigners_move_signature_boxes_to_a_new_page(permit: Permit) -> None:
    cosigners = [(f"member{i}", f"Membre {i}", f"العضو {i}") for i in range(8)]
    layout = render_permit(permit, cosigners=cosigners)
    pages = [box.page for box in layout.signature_boxes]
    assert [box.name for box in layout.signature_boxes] == ["president"] + [c[0] for c in cosigners]
    assert pages == sorted(pages)
    assert pages[-1] > pages[0]
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(layout.pdf))
    assert int(reader.root["/Pages"]["/Count"]) == pages[-1] + 1


def test_receipt_for_an_unknown_commune_shows_its_code(tmp_path: Path) -> None:
    # a dossier built against another process's registry (model_copy skips validation)
    dossier = _dossier(platform_number="RKH-2026-778", pieces=[]).model_copy(
        update={"commune": "999.99.99"}
    )
    text = _text(render_receipt(dossier), tmp_path)
    assert "Commune de 999.99.99" in text
    assert "Numéro plateforme : RKH-2026-778" in text
    assert "(aucune)" in text
