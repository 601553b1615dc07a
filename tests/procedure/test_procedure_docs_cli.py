"""Generated docs stay in step with the tables; the CLI; the link with the dossier models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from procedure_helpers import at

from rokhas_sdk.cli._main import main
from rokhas_sdk.models import Dossier, ProcedureKind, procedure_kind_info
from rokhas_sdk.models import Role as R
from rokhas_sdk.procedure import (
    SIGNATURE_KEY,
    Journal,
    RefusalReason,
    TransitionRefused,
    apply,
    context_for,
    definition,
    kind_info,
    mermaid,
    render_docs,
    start,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "procedure"


def test_generated_pages_match_the_tables() -> None:
    expected = render_docs()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    assert set(on_disk) == set(expected), "run: rokhas procedure docs docs/procedure"
    for name, text in expected.items():
        assert on_disk[name] == text, (
            f"docs/procedure/{name} drifted: run `rokhas procedure docs docs/procedure`"
        )


def test_mermaid_lists_every_transition_and_state() -> None:
    d = definition("refection")
    text = mermaid(d)
    assert text.startswith("stateDiagram-v2\n")
    for t in d.transitions.values():
        assert f"{t.source} --> {t.target}: {t.event}" in text
    for sid, info in d.states.items():
        assert f'state "{info.label_fr}" as {sid}' in text


def test_kind_families_agree_with_the_models_catalogue() -> None:
    for kind in ProcedureKind:
        assert kind_info(kind).family == procedure_kind_info(kind).family.value


def _dossier(**extra: object) -> Dossier:
    return Dossier(
        reference="CASA-1",
        kind="URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
        commune="141.01.01",
        applicant={
            "type": "natural",
            "first_name": "Salma",
            "last_name": "Alaoui",
            "cin": "AB123456",
        },
        **extra,
    )


def test_an_incomplete_dossier_cannot_be_submitted() -> None:
    dossier = _dossier()
    s = apply(start(dossier.kind), "sign_plans", role=R.ARCHITECTE, at=at(2026, 4, 6))
    with pytest.raises(TransitionRefused) as info:
        apply(s, "submit", role=R.PETITIONNAIRE, at=at(2026, 4, 6), context=context_for(dossier))
    assert info.value.reason is RefusalReason.MISSING_PIECES
    assert "piece.CERTIFICAT_PROPRIETE" in info.value.detail
    ctx = context_for(dossier, fees_paid=True)
    assert ctx.grand_projet is False
    assert ctx.fees_paid is True


# --- CLI ----------------------------------------------------------------------------


def _journal(tmp_path: Path) -> Path:
    j = Journal.open(ProcedureKind.URB_PERMIS_REFECTION, at=at(2026, 4, 6, 8), actor="system")
    j.record("submit", role=R.PETITIONNAIRE, actor="cin:AB123456", at=at(2026, 4, 6, 9))
    j.record("issue_receipt", role=R.SYSTEM, actor="system", at=at(2026, 4, 6, 9))
    path = tmp_path / "refection.jsonl"
    j.save(path)
    return path


def test_cli_replay_prints_state_and_clocks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _journal(tmp_path)
    assert main(["procedure", "replay", str(path), "--at", "2026-04-20T10:00:00+01:00"]) == 0
    out = capsys.readouterr().out
    assert "RECEIPT_ISSUED" in out
    assert "Récépissé délivré" in out
    assert "decision" in out
    assert "OVERDUE" in out
    assert "tacit approval: none running" in out


def test_cli_replay_json_is_one_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _journal(tmp_path)
    assert main(["procedure", "replay", str(path), "--at", "2026-04-10T10:00", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is True
    assert doc["state"]["state"] == "RECEIPT_ISSUED"
    decision = next(c for c in doc["clocks"]["clocks"] if c["clock"] == "decision")
    assert decision["due_at"] == "2026-04-17T00:00:00+01:00"
    assert (decision["elapsed_days"], decision["remaining_days"], decision["overdue"]) == (
        4,
        6,
        False,
    )


def test_cli_replay_names_the_broken_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _journal(tmp_path)
    lines = path.read_bytes().splitlines()
    lines[1] = lines[1].replace(b"AB123456", b"AB123457")
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert main(["procedure", "replay", str(path), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is False
    assert doc["error"]["line"] == 2
    assert doc["valid_entries"] == 1
    assert main(["procedure", "replay", str(path)]) == 1
    assert "entry 1 (line 2)" in capsys.readouterr().err


def test_cli_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["procedure", "replay", str(tmp_path / "missing.jsonl")]) == 2
    assert main(["procedure", "replay", str(_journal(tmp_path)), "--at", "yesterday"]) == 2
    assert main(["procedure", "graph", "NOPE"]) == 2
    assert main(["procedure"]) == 2
    capsys.readouterr()


def test_cli_graph_and_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["procedure", "graph", SIGNATURE_KEY]) == 0
    assert "KEYS_SHIPPED --> KEYS_AT_COMMUNE: hand_over_keys" in capsys.readouterr().out
    assert main(["procedure", "graph", "URB_PERMIS_DEMOLITION", "--matrix"]) == 0
    assert "| PENDING_SIGNATURE | `issue` | ISSUED |" in capsys.readouterr().out


def test_cli_docs_writes_the_pages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["procedure", "docs", str(tmp_path)]) == 0
    assert {p.name for p in tmp_path.iterdir()} == set(render_docs())
    capsys.readouterr()


def test_the_example_of_docs_procedure_md_runs_as_documented() -> None:
    text = (DOCS.parent / "procedure.md").read_text(encoding="utf-8")
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    lines = code.splitlines()
    namespace: dict[str, object] = {}
    exec("\n".join(ln for ln in lines if not ln.startswith("report.")), namespace)
    report = namespace["report"]
    for ln in lines:
        if ln.startswith("report."):
            expr, comment = ln.split("#", 1)
            value = eval(expr.strip(), namespace)
            assert value.isoformat().startswith(comment.split()[0].replace("T00:00+", "T00:00:00+"))
    assert report is not None


def test_rule_ids_named_in_the_docs_exist() -> None:
    import re

    from rokhas_sdk.procedure import ClockPolicy

    text = (DOCS.parent / "procedure.md").read_text(encoding="utf-8")
    ids = set(re.findall(r'"((?:order2023|loi[0-9-]+|d2-18-475|rgc2019)[a-z0-9.\-]*)"', text))
    assert len(ids) >= 5
    ClockPolicy(enable=frozenset(ids))  # raises ProcedureDataError for an unknown id
