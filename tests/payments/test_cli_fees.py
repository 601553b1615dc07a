"""``rokhas fees quote`` and ``rokhas fees schedule`` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rokhas_sdk.cli._main import main
from rokhas_sdk.models import ConstructionUse

from ._builders import building


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_quick_quote_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "fees",
        "quote",
        "--commune",
        "141.01.01",
        "--use",
        "individual_housing",
        "--covered-area",
        "187.40",
        "--on",
        "2026-01-15",
        "--json",
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["total"] == "4700.00"
    (line,) = doc["lines"]
    assert {"code", "label_fr", "label_ar", "base", "unit", "rate", "amount", "legal_basis"} <= set(
        line
    )
    assert (line["base"], line["rate"], line["amount"]) == ("188", "25", "4700.00")


def test_quick_quote_all_flags(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "fees",
        "quote",
        "--commune",
        "Casablanca",
        "--use",
        "COLLECTIVE_HOUSING",
        "--covered-area",
        "1250.25",
        "--saillies-private",
        "40",
        "--saillies-public-domain",
        "12.50",
        "--odp-area",
        "10",
        "--odp-days",
        "100",
        "--on",
        "2026-01-15",
        "--json",
    )
    assert code == 0
    doc = json.loads(out)
    assert [ln["amount"] for ln in doc["lines"]] == ["25520.00", "800.00"]
    assert doc["total"] == "26320.00"
    assert doc["illustrative"] is True


def test_quote_lotissement_flags_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "fees",
        "quote",
        "--commune",
        "141.01.01",
        "--procedure",
        "URB_AUTORISATION_LOTIR",
        "--use",
        "INDIVIDUAL_HOUSING",
        "--works-cost",
        "2400000",
        "--actual-works-cost",
        "2650000",
        "--on",
        "2026-01-15",
    )
    assert code == 0
    assert "90 000.00" in out
    assert "42 500.00" in out
    assert "Total : 132 500.00 MAD" in out


def test_quote_from_dossier_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "d.json"
    f.write_text(
        building(ConstructionUse.INDIVIDUAL_HOUSING, covered="187.40").model_dump_json(),
        encoding="utf-8",
    )
    code, out, _ = _run(capsys, "fees", "quote", str(f), "--on", "2026-01-15", "--json")
    assert code == 0
    assert json.loads(out)["total"] == "4700.00"


def test_beverage_quote(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "fees",
        "quote",
        "--commune",
        "141.01.01",
        "--procedure",
        "ECO_ACTIVITE_COURANTE",
        "--beverage-receipts",
        "450000",
        "--on",
        "2026-01-15",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["total"] == "36000.00"


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["fees", "quote"], "--commune"),
        (["fees", "quote", "--commune", "141.01.01"], "--use"),
        (["fees", "quote", "--commune", "Atlantis", "--use", "COMMERCIAL"], "no commune named"),
        (["fees", "quote", "--commune", "141.01.01", "--use", "CASTLE"], "unknown use"),
        (
            [
                "fees",
                "quote",
                "--commune",
                "141.01.01",
                "--use",
                "COMMERCIAL",
                "--covered-area",
                "1.5.5",
            ],
            "not a number",
        ),
        (
            ["fees", "quote", "--commune", "141.01.01", "--use", "COMMERCIAL", "--on", "yesterday"],
            "YYYY-MM-DD",
        ),
        (
            [
                "fees",
                "quote",
                "--commune",
                "141.01.01",
                "--use",
                "COMMERCIAL",
                "--on",
                "2001-01-01",
            ],
            "no tariff",
        ),
        (
            ["fees", "quote", "--commune", "141.01.01", "--use", "COMMERCIAL", "--odp-area", "3"],
            "go together",
        ),
        (["fees", "quote", "/nonexistent/dossier.json"], "No such file"),
    ],
)
def test_bad_usage_exits_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 2, err
    assert needle in err
    assert out == ""


def test_out_of_bounds_schedule_file_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    f = tmp_path / "rabat.json"
    f.write_text(
        json.dumps(
            {
                "commune": "421.01.01",
                "name": "Rabat (test)",
                "tariffs": [
                    {
                        "rubric": "TOC.INDIVIDUEL",
                        "value": "35",
                        "arrete_ref": "x",
                        "valid_from": "2020-01-01",
                        "source_url": "https://example.ma",
                        "confidence": "I",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    code, _, err = _run(
        capsys,
        "fees",
        "quote",
        "--schedule",
        str(f),
        "--commune",
        "421.01.01",
        "--use",
        "INDIVIDUAL_HOUSING",
        "--covered-area",
        "10",
    )
    assert code == 2  # a bad input file, not a verdict
    assert "maximum of 30" in err


def test_schedule_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "fees", "schedule", "--json")
    assert code == 0
    assert {c["code"] for c in json.loads(out)["communes"]} >= {"06.141.01.0"}
    code, out, _ = _run(
        capsys, "fees", "schedule", "--commune", "141.01.01", "--on", "2026-01-01", "--json"
    )
    rows = {r["rubric"]: r for r in json.loads(out)["tariffs"]}
    assert rows["TOC.INDIVIDUEL"]["value"] == "25"
    assert rows["TOC.INDIVIDUEL"]["legal_max"] == "30"
    code, out, _ = _run(capsys, "fees", "schedule", "--commune", "Casablanca")
    assert code == 0
    assert "TOC.INDIVIDUEL" in out
    assert _run(capsys, "fees")[0] == 2


def test_the_table_shows_how_each_base_was_formed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "fees",
        "quote",
        "--commune",
        "06.141.01.0",
        "--use",
        "INDIVIDUAL_HOUSING",
        "--covered-area",
        "312.40",
        "--saillies-public-domain",
        "6.80",
        "--on",
        "2026-01-15",
    )
    assert code == 0
    lines = out.splitlines()
    row = next(i for i, ln in enumerate(lines) if ln.startswith("TOC.INDIVIDUEL"))
    assert "326 m² couvert" in lines[row]
    # The explanation, whole, on the line under the row (never cut by the column width).
    assert lines[row + 1].strip() == (
        "312,40 m² couverts + 2 × 6,80 m² de saillies sur le domaine public (comptées deux "
        "fois) = 326,00 m² ; arrondi au m² entier supérieur : 326 m²"
    )
