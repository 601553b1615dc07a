"""`rokhas ranking`, `rokhas synthetic-events`, the bundled rules and the generator."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rokhas_sdk import DataFileError, InvalidInputError
from rokhas_sdk.analytics import CountingRules, DelayTarget, default_rules, synthetic_events
from rokhas_sdk.cli import main


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "events.csv"
    assert (
        main(
            ["synthetic-events", str(path), "--communes", "12", "--dossiers", "600", "--seed", "4"]
        )
        == 0
    )
    return path


def test_ranking_table_csv_chart(
    export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    csv_path, chart = tmp_path / "r.csv", tmp_path / "r.svg"
    code = main(
        [
            "ranking",
            str(export),
            "--quarter",
            "2026Q3",
            "--csv",
            str(csv_path),
            "--chart",
            str(chart),
            "--best",
            "3",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "2026Q3" in out
    assert "meilleures" in out
    assert f"chart: {chart}" in out
    assert csv_path.read_text(encoding="utf-8").startswith("commune,quarter,scale")
    assert chart.read_bytes().startswith(b"<?xml")


def test_ranking_json_is_one_document(export: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert (
        main(
            [
                "ranking",
                str(export),
                "--json",
                "--day-basis",
                "working",
                "--complement-effect",
                "restart",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["rules"]["day_basis"] == "working"
    assert doc["rules"]["complement_effect"] == "restart"
    assert doc["quarter"] == "2026Q4"
    assert len(doc["best"]["petit_mean_days"]) == 10


def test_ranking_bad_input_exits_2(
    tmp_path: Path, export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ranking", str(tmp_path / "nope.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["ranking", str(export), "--quarter", "1999Q1"]) == 2
    assert "no dossier decided in 1999Q1" in capsys.readouterr().err


def test_ranking_runs_as_a_program(export: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "rokhas_sdk", "ranking", str(export), "--json", "--lang", "ar"],
        capture_output=True,
        text=True,
        check=False,
        env={
            "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),
            "PATH": "/usr/bin:/bin",
        },
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["criteria"][0]["id"] == "petit_mean_days"


def test_bundled_rules_carry_their_sources() -> None:
    rules = default_rules()
    assert default_rules() is rules  # loaded once
    assert {(t.scale.value, t.days) for t in rules.targets} == {
        ("PETIT", 10),
        ("GRAND", 25),
        ("PETIT", 15),
        ("GRAND", 30),
    }
    for t in rules.targets:
        assert t.source_url.startswith("https://")
        assert t.confidence in "CSIU"
        assert t.legal_text
    ids = {s.id for s in rules.sources}
    assert {"clock_start_events", "complement_effect", "day_basis"} <= ids
    # The open questions of the brief stay defaults we can change, and say so.
    tags = {s.id: s.confidence for s in rules.sources}
    assert tags["complement_effect"] == "U"
    assert tags["day_basis"] == "U"
    assert rules.journal_events["submit"] == "SUBMITTED"
    assert [t.id for t in rules.targets_for("GRAND")] == ["rgc2019_grand", "order2023_grand"]


def test_rules_refuse_contradictions() -> None:
    rules = default_rules()
    with pytest.raises(InvalidInputError, match="one role"):
        CountingRules(**{**rules.model_dump(), "pause_end_events": ("COMPLEMENT_REQUESTED",)})
    with pytest.raises(InvalidInputError, match="duplicate target ids"):
        CountingRules(**{**rules.model_dump(), "targets": rules.targets + rules.targets[:1]})
    with pytest.raises(InvalidInputError):
        DelayTarget(**{**rules.targets[0].model_dump(), "days": 0})


def test_a_broken_rules_file_is_a_data_file_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from rokhas_sdk.analytics import _rules

    class Broken:
        def joinpath(self, name: str) -> Broken:
            return self

        def read_text(self, encoding: str) -> str:
            return '{"targets": []}'

    monkeypatch.setattr("importlib.resources.files", lambda package: Broken())
    _rules.default_rules.cache_clear()
    try:
        with pytest.raises(DataFileError, match=r"rules\.json"):
            _rules.default_rules()
    finally:
        _rules.default_rules.cache_clear()


def test_target_dates() -> None:
    import datetime as dt

    t = default_rules().targets[2]
    assert not t.applies_on(dt.date(2023, 7, 12))
    assert t.applies_on(dt.date(2023, 7, 13))
    ended = t.model_copy(update={"effective_to": dt.date(2024, 1, 1)})
    assert not ended.applies_on(dt.date(2024, 1, 1))


def test_synthetic_events_are_reproducible() -> None:
    a = synthetic_events(communes=5, dossiers=50, seed=9)
    assert a.equals(synthetic_events(communes=5, dossiers=50, seed=9))
    assert not a.equals(synthetic_events(communes=5, dossiers=50, seed=10))
    by_dossier = synthetic_events(communes=5, dossiers=50, seed=9, order="dossier")
    assert by_dossier.sort("dossier", "at", "event").equals(a.sort("dossier", "at", "event"))
    assert a["at"].is_sorted()
    assert 9 < a.height / 50 < 12
    assert set(a["commune"]) <= {f"SYN{i:04d}" for i in range(1, 6)}
    bad: dict[str, Any]
    for bad in ({"communes": 0}, {"open_rate": 1.5}, {"order": "random"}):
        with pytest.raises(InvalidInputError):
            synthetic_events(**bad)


def test_ranking_of_a_folder_of_journals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from .test_analytics_io import STEPS, journal_lines

    folder = tmp_path / "journals"
    folder.mkdir()
    table = ["dossier,commune"]
    for i, commune in enumerate(["A", "A", "B"]):
        (folder / f"{i}.jsonl").write_bytes(b"\n".join(journal_lines(f"D{i}", STEPS)) + b"\n")
        table.append(f"D{i},{commune}")
    (tmp_path / "communes.csv").write_text("\n".join(table) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert (
        main(["ranking", str(folder), "--communes", str(tmp_path / "communes.csv"), "--json"]) == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["quarter"] == "2026Q3"
    assert doc["decided_in_quarter"] == 3
    assert {r["commune"] for r in doc["best"]["petit_mean_days"]} == {"A", "B"}
    assert doc["best"]["petit_mean_days"][0]["value"] == 8.0  # 12 days less a 4-day pause
    assert main(["ranking", str(folder)]) == 2
    assert "names no commune" in capsys.readouterr().err
