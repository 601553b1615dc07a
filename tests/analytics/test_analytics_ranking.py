"""The quarterly ranking: hand-computed small cases and consistency properties."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rokhas_sdk import InvalidInputError
from rokhas_sdk.analytics import (
    RankingReport,
    commune_stats,
    default_rules,
    dossier_delays,
    events_from_records,
    rank_communes,
    synthetic_events,
)

from ._oracle import CASA


def dossier(
    name: str, commune: str, scale: str, filed: dt.date, days: int, decision: str = "ISSUED"
) -> list[dict[str, Any]]:
    t0 = dt.datetime.combine(filed, dt.time(10), tzinfo=CASA)
    return [
        {
            "dossier": name,
            "commune": commune,
            "scale": scale,
            "event": "SUBMITTED",
            "at": t0.isoformat(),
        },
        {
            "dossier": name,
            "commune": commune,
            "scale": scale,
            "event": decision,
            "at": (t0 + dt.timedelta(days=days)).isoformat(),
        },
    ]


JULY = dt.date(2026, 7, 1)


def small() -> list[dict[str, Any]]:
    # PETIT means: A (4+6)/2 = 5, B 12, C (8+20+2)/3 = 10. GRAND: A 30, B 20.
    rows: list[dict[str, Any]] = []
    rows += dossier("A1", "A", "PETIT", JULY, 4) + dossier("A2", "A", "PETIT", JULY, 6)
    rows += dossier("B1", "B", "PETIT", JULY, 12, "REFUSED")
    rows += dossier("C1", "C", "PETIT", JULY, 8) + dossier(
        "C2", "C", "PETIT", JULY, 20, "TACITLY_APPROVED"
    )
    rows += dossier("C3", "C", "PETIT", JULY, 2)
    rows += dossier("A3", "A", "GRAND", JULY, 30) + dossier("B2", "B", "GRAND", JULY, 20)
    # Decided in another quarter: ignored for 2026Q3.
    rows += dossier("Z1", "A", "PETIT", dt.date(2026, 1, 5), 90)
    # Still open.
    rows += dossier("O1", "B", "PETIT", JULY, 3)[:1]
    return rows


def test_hand_computed_ranking() -> None:
    report = rank_communes(events_from_records(small()), quarter="2026q3", best=2, worst=10)
    assert report.quarter == "2026Q3"
    best = [(r.commune, r.value, r.position) for r in report.best["petit_mean_days"]]
    assert best == [("A", 5.0, 1), ("C", 10.0, 2)]
    worst = [(r.commune, r.value, r.position) for r in report.worst["petit_mean_days"]]
    assert worst == [("B", 12.0, 3), ("C", 10.0, 2), ("A", 5.0, 1)]
    assert [r.commune for r in report.best["grand_mean_days"]] == ["B", "A"]
    c = report.stats_for("C", "PETIT")
    assert c is not None
    assert (c.decided, c.issued, c.tacit, c.refused) == (3, 2, 1, 0)
    assert c.median_days == 8.0
    assert c.min_days == 2
    assert c.max_days == 20
    # RGC target 10 days: 2 of 3 within; 2023 order 15 days: 2 of 3 within.
    assert c.within == {
        "rgc2019_petit": pytest.approx(2 / 3),
        "order2023_petit": pytest.approx(2 / 3),
    }
    assert report.stats_for("B", "PETIT").within["rgc2019_petit"] == 0.0  # type: ignore[union-attr]
    assert report.open_dossiers == 1
    assert report.decided_in_quarter == 8
    assert report.ranked["petit_mean_days"] == 3
    assert c.positions["petit_mean_days"] == 2


def test_targets_apply_by_filing_date() -> None:
    # Filed before the 2023 order: only the RGC target applies.
    rows = dossier("X", "A", "PETIT", dt.date(2023, 6, 1), 12)
    report = rank_communes(events_from_records(rows))
    s = report.stats_for("A", "PETIT")
    assert s is not None
    assert s.within == {"rgc2019_petit": 0.0}
    assert [c.id for c in report.criteria] == [
        "petit_mean_days",
        "petit_within_rgc2019_petit",
        "petit_within_order2023_petit",
    ]
    assert report.best["petit_within_order2023_petit"] == ()


def test_ties_break_on_more_dossiers_then_code() -> None:
    rows = dossier("1", "B", "PETIT", JULY, 5) + dossier("2", "A", "PETIT", JULY, 5)
    rows += dossier("3", "C", "PETIT", JULY, 5) + dossier("4", "C", "PETIT", JULY, 5)
    report = rank_communes(events_from_records(rows))
    assert [r.commune for r in report.best["petit_mean_days"]] == ["C", "A", "B"]


def test_min_decided_leaves_small_communes_unranked() -> None:
    report = rank_communes(events_from_records(small()), quarter="2026Q3", min_decided=2)
    assert [r.commune for r in report.best["petit_mean_days"]] == ["A", "C"]
    assert report.stats_for("B", "PETIT").positions == {}  # type: ignore[union-attr]


def test_bad_quarters_and_options() -> None:
    ev = events_from_records(small())
    with pytest.raises(InvalidInputError, match="2026Q3"):
        rank_communes(ev, quarter="Q3-2026")
    with pytest.raises(InvalidInputError, match="no dossier decided in 2025Q1"):
        rank_communes(ev, quarter="2025Q1")
    with pytest.raises(InvalidInputError, match="min_decided"):
        rank_communes(ev, min_decided=0)
    with pytest.raises(InvalidInputError, match="no decided dossier"):
        rank_communes(events_from_records(dossier("O", "A", "PETIT", JULY, 3)[:1]))


def test_default_quarter_is_the_latest_complete_one() -> None:
    rows = small() + dossier("L", "A", "PETIT", dt.date(2026, 12, 20), 30)  # decided in 2027Q1
    report = rank_communes(events_from_records(rows))
    assert report.quarter == "2026Q3"
    assert report.quarters_available == ("2026Q2", "2026Q3", "2027Q1")  # Z1: 5 Jan + 90 days


def test_outputs_json_csv_table() -> None:
    report = rank_communes(events_from_records(small()), quarter="2026Q3")
    doc = json.loads(report.to_json())
    assert doc["quarter"] == "2026Q3"
    assert doc["best"]["petit_mean_days"][0]["commune"] == "A"
    assert RankingReport.model_validate(doc) == report
    lines = report.to_csv().splitlines()
    header = lines[0].split(",")
    assert header[:3] == ["commune", "quarter", "scale"]
    assert "within_rgc2019_petit" in header
    assert "rank_petit_mean_days" in header
    assert len(lines) == 1 + len(report.communes) == 1 + 5
    table = report.table()
    assert "2026Q3" in table
    assert "petits projets" in table
    assert "  A " in table
    assert "المشاريع الصغرى" in report.table(lang="ar")


@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_chart(tmp_path: Any, suffix: str, magic: bytes) -> None:
    report = rank_communes(synthetic_events(communes=30, dossiers=1500, seed=2))
    out = report.write_chart(tmp_path / f"delays{suffix}", per_side=5)
    assert out.read_bytes().startswith(magic)
    if suffix == ".svg":
        assert b"SYN00" in out.read_bytes()


def test_chart_refuses_other_formats(tmp_path: Any) -> None:
    report = rank_communes(events_from_records(small()), quarter="2026Q3")
    with pytest.raises(InvalidInputError, match=r"\.png or \.svg"):
        report.write_chart(tmp_path / "x.pdf")


@settings(max_examples=25)
@given(
    st.lists(
        st.tuples(
            st.sampled_from("ABCDEFGH"),
            st.sampled_from(["PETIT", "GRAND"]),
            st.integers(0, 60),
            st.integers(0, 80),
        ),
        min_size=1,
        max_size=40,
    ),
    st.integers(1, 4),
    st.integers(1, 4),
)
def test_ranking_is_consistent_with_the_averages(
    items: list[tuple[str, str, int, int]], best: int, worst: int
) -> None:
    rows: list[dict[str, Any]] = []
    for i, (commune, scale, day, days) in enumerate(items):
        rows += dossier(
            f"D{i}", commune, scale, dt.date(2026, 7, 1) + dt.timedelta(days=day % 20), days
        )
    ev = events_from_records(rows)
    rules = default_rules()
    delays = dossier_delays(ev, rules)
    q = (
        "2026Q3"
        if "2026Q3" in delays["quarter"].to_list()
        else delays["quarter"].drop_nulls().max()
    )
    report = rank_communes(ev, quarter=str(q), best=best, worst=worst)
    stats = commune_stats(delays, rules, quarter=str(q))
    for c in report.criteria:
        values = [r.value for r in report.best[c.id]]
        worst_values = [r.value for r in report.worst[c.id]]
        if c.better == "lower":
            assert values == sorted(values)
            assert worst_values == sorted(worst_values, reverse=True)
        else:
            assert values == sorted(values, reverse=True)
            assert worst_values == sorted(worst_values)
        assert len(report.best[c.id]) == min(best, report.ranked[c.id])
        assert [r.position for r in report.best[c.id]] == list(range(1, len(values) + 1))
        # The best is at least as good as every ranked commune, the worst at most.
        pool = [s for s in report.communes if s.scale is c.scale and c.id in s.positions]
        metric = [
            s.mean_days if c.metric == "mean_days" else s.within[c.target_id or ""] for s in pool
        ]
        if values:
            assert values[0] == (min(metric) if c.better == "lower" else max(metric))
            assert worst_values[0] == (max(metric) if c.better == "lower" else min(metric))
    # Per-commune means equal the plain mean of the dossiers' counted days.
    for s in report.communes:
        mine = [
            r["counted_days"]
            for r in delays.iter_rows(named=True)
            if r["commune"] == s.commune and r["scale"] == s.scale.value and r["quarter"] == q
        ]
        assert s.mean_days == pytest.approx(sum(mine) / len(mine))
        assert s.decided == len(mine)
    assert stats.height == len(report.communes)
