"""Every artefact of ``rokhas demo`` works with the CLI command meant to read it.

The demo runs once (module fixture); then each artefact goes through each command that
reads its kind of file, and the platform's own views are refused with one clear line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rokhas_sdk.cli._main import main
from rokhas_sdk.models import Dossier, Permit
from rokhas_sdk.procedure import Journal


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    import contextlib
    import io

    out = tmp_path_factory.mktemp("demo") / "artefacts"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["demo", "--json", "--out", str(out)]) == 0
    return out, json.loads(buffer.getvalue())


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_dossier_json_is_a_plain_dossier_the_fee_quote_reads(
    demo: tuple[Path, dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = demo
    dossier = Dossier.model_validate_json((out / "dossier.json").read_text(encoding="utf-8"))
    platform = json.loads((out / "platform-dossier.json").read_text(encoding="utf-8"))
    assert dossier == Dossier.model_validate(platform["dossier"])
    code, text, err = _run(capsys, "fees", "quote", str(out / "dossier.json"), "--json")
    assert code == 0, err
    local = json.loads(text)
    platform_quote = json.loads((out / "fee-quote.json").read_text(encoding="utf-8"))
    # the same dossier, schedule and day: the CLI quotes what the platform charged
    assert local["total"] == platform_quote["total"]
    # (line codes are spelt differently by the API, TOC_INDIVIDUEL for TOC.INDIVIDUEL)
    assert [ln["amount"] for ln in local["lines"]] == [
        ln["amount"] for ln in platform_quote["lines"]
    ]
    code, table, err = _run(capsys, "fees", "quote", str(out / "dossier.json"))
    assert code == 0, err
    assert "Total" in table


def test_dossier_json_gets_its_filing_receipt(
    demo: tuple[Path, dict[str, object]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out, _ = demo
    receipt = tmp_path / "receipt.pdf"
    code, text, err = _run(
        capsys, "permit", "receipt", str(out / "dossier.json"), str(receipt), "--json"
    )
    assert code == 0, err
    assert json.loads(text)["bytes"] == receipt.stat().st_size
    assert receipt.read_bytes().startswith(b"%PDF")


def test_journal_jsonl_is_a_procedure_journal_that_replays_to_the_platform_state(
    demo: tuple[Path, dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    out, summary = demo
    code, text, err = _run(capsys, "procedure", "replay", str(out / "journal.jsonl"), "--json")
    assert code == 0, err
    doc = json.loads(text)
    assert doc["ok"] is True
    assert doc["state"]["state"] == summary["state"] == "ISSUED"
    journal = Journal.load(out / "journal.jsonl")
    assert len(journal) == doc["entries"]
    events = [e.event for e in journal.entries()]
    assert events[0] == "open"
    assert events[-1] == "issue"
    assert "enter_opinion" in events
    # the platform's log names the same decisions, in the same order
    platform = [
        json.loads(line)["event"]
        for line in (out / "platform-journal.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert platform.count("record_opinion") == events.count("enter_opinion")
    code, table, err = _run(capsys, "procedure", "replay", str(out / "journal.jsonl"))
    assert code == 0, err
    assert "ISSUED" in table
    assert "journal broken" not in err


def test_journal_jsonl_feeds_the_ranking(
    demo: tuple[Path, dict[str, object]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out, _ = demo
    communes = tmp_path / "communes.csv"
    communes.write_text("dossier,commune\nDEMO-2026-0001,141.01.01\n", encoding="utf-8")
    code, text, err = _run(
        capsys, "ranking", str(out / "journal.jsonl"), "--communes", str(communes), "--json"
    )
    assert code == 0, err
    assert json.loads(text)


def test_permit_pdf_verifies_and_carries_permit_json(
    demo: tuple[Path, dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    out, summary = demo
    code, text, err = _run(
        capsys,
        "verify",
        str(out / "permit.pdf"),
        "--trust",
        str(out / "trust-root.pem"),
        "--json",
    )
    assert code == 0, err
    assert json.loads(text)["files"][0]["document"]["indication"] == "TOTAL_PASSED"
    code, text, err = _run(capsys, "permit", "extract", str(out / "permit.pdf"))
    assert code == 0, err
    embedded = Permit.model_validate_json(text)
    written = Permit.model_validate_json((out / "permit.json").read_text(encoding="utf-8"))
    assert embedded.number == written.number == summary["permit_number"]


def test_permit_json_renders(
    demo: tuple[Path, dict[str, object]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out, summary = demo
    pdf = tmp_path / "again.pdf"
    code, text, err = _run(capsys, "permit", "render", str(out / "permit.json"), str(pdf), "--json")
    assert code == 0, err
    assert json.loads(text)["permit"] == summary["permit_number"]
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["fees", "quote", "platform-dossier.json"], "platform's view"),
        (["permit", "receipt", "platform-dossier.json", "r.pdf"], "platform's view"),
        (["procedure", "replay", "platform-journal.jsonl"], "is not a procedure journal"),
    ],
)
def test_the_platform_views_are_refused_with_a_pointer(
    demo: tuple[Path, dict[str, object]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    argv: list[str],
    needle: str,
) -> None:
    out, _ = demo
    real = [str(out / a) if a.startswith("platform-") else a for a in argv]
    real = [str(tmp_path / a) if a == "r.pdf" else a for a in real]
    code, text, err = _run(capsys, *real)
    assert code == 2
    assert text == ""
    assert err.count("\n") == 1
    assert needle in err
    assert "journal broken" not in err
