"""``rokhas fees`` paths the main CLI tests do not take: the text table's exemption,
notes and illustrative warning, schedule listings, and flag errors with their messages."""

from __future__ import annotations

import json

import pytest

from rokhas_sdk.cli._main import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


QUICK = ["fees", "quote", "--commune", "141.01.01", "--on", "2026-01-15"]


def test_table_shows_the_exemption_code_and_a_zero_total(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(capsys, *QUICK, "--use", "SOCIAL_HOUSING", "--covered-area", "900")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("Commune 06.141.01.0 · ")  # the canonical code
    assert lines[0].endswith(" · 2026-01-15")
    (row,) = [ln for ln in lines if "[exonéré: LOGEMENT_SOCIAL_CGI_92_I_28]" in ln]
    assert row.split()[0].startswith("TOC")
    assert "Total : 0.00 MAD" in lines
    assert not any(ln.startswith("Attention") for ln in lines)


def test_table_warns_about_illustrative_tariffs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(
        capsys,
        "fees",
        "quote",
        "--commune",
        "04.421.01.0",
        "--use",
        "INDIVIDUAL_HOUSING",
        "--covered-area",
        "100",
        "--on",
        "2026-01-15",
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[-1] == "Attention : ce devis utilise des tarifs ILLUSTRATIFS (non sourcés)."
    assert "Total : 2 500.00 MAD" in lines  # 100 m² at the (illustrative) 25 MAD/m²


def test_table_prints_the_quote_notes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, *QUICK, "--use", "SOCIAL_HOUSING", "--covered-area", "900")
    assert code == 0
    code, js, _ = _run(capsys, *QUICK, "--use", "SOCIAL_HOUSING", "--covered-area", "900", "--json")
    notes = json.loads(js)["notes"]
    note_lines = [ln for ln in out.splitlines() if ln.startswith("Note : ")]
    assert note_lines == [f"Note : {n}" for n in notes]


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (
            ["--procedure", "URB_NOPE", "--use", "COMMERCIAL"],
            "unknown procedure 'URB_NOPE'; one of:",
        ),
        (
            ["--use", "COMMERCIAL", "--works-cost", "lots"],
            "--works-cost: ",
        ),
        (["--use", "CASTLE"], "unknown use 'CASTLE'; one of:"),
    ],
)
def test_flag_errors_exit_2_with_the_flag_named(
    capsys: pytest.CaptureFixture[str], extra: list[str], needle: str
) -> None:
    code, out, err = _run(capsys, *QUICK, *extra)
    assert code == 2, err
    assert out == ""
    assert needle in err


def test_unknown_commune_name_says_to_give_the_code(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "fees", "quote", "--commune", "Atlantis-sur-Mer", "--use", "X")
    assert code == 2
    assert "no commune named 'Atlantis-sur-Mer'; give its code" in err


def test_schedule_list_as_text_marks_illustrative_communes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(capsys, "fees", "schedule")
    assert code == 0
    _, js, _ = _run(capsys, "fees", "schedule", "--json")
    communes = json.loads(js)["communes"]
    lines = out.splitlines()
    assert len(lines) == len(communes)
    for c, line in zip(communes, lines, strict=True):
        assert line.startswith(f"{c['code']}  {c['name']}")
        assert line.endswith("(illustrative)") == c["illustrative"]
    assert any(c["illustrative"] for c in communes)
    assert not all(c["illustrative"] for c in communes)


def test_schedule_for_a_commune_without_one_is_not_found(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from rokhas_sdk.models import registry

    _, js, _ = _run(capsys, "fees", "schedule", "--json")
    with_schedule = {c["code"] for c in json.loads(js)["communes"]}
    canon = registry().canonical_code
    code_without = next(c for c in sorted(registry().communes) if canon(c) not in with_schedule)
    code, out, err = _run(capsys, "fees", "schedule", "--commune", code_without)
    assert code == 2  # NoTariffError is a NotFoundError: the reference names nothing known
    assert out == ""
    assert f"no fee schedule for commune {code_without}" in err
    assert "docs/fee-schedules.md" in err


def test_schedule_before_any_tariff_is_in_force_is_empty(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(
        capsys, "fees", "schedule", "--commune", "141.01.01", "--on", "1990-01-01", "--json"
    )
    assert code == 0
    assert json.loads(out)["tariffs"] == []
    code, out, _ = _run(
        capsys, "fees", "schedule", "--commune", "141.01.01", "--on", "2026-01-01", "--json"
    )
    assert json.loads(out)["tariffs"] != []
