"""Delays per dossier: hand-computed cases and properties against a reference count."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rokhas_sdk.analytics import default_rules, dossier_delays, events_from_records

from ._oracle import CASA, count

PETIT = "URB_PERMIS_CONSTRUIRE_PETIT_PROJET"


def at(day: int, hour: int = 10, month: int = 7) -> str:
    return dt.datetime(2026, month, day, hour, tzinfo=CASA).isoformat()


def rows(
    dossier: str, *events: tuple[str, str], commune: str = "C1", kind: str = PETIT
) -> list[dict[str, Any]]:
    return [
        {"dossier": dossier, "commune": commune, "kind": kind, "event": e, "at": t}
        for e, t in events
    ]


def one(records: list[dict[str, Any]], **rule_changes: Any) -> dict[str, Any]:
    rules = default_rules().model_copy(update=rule_changes) if rule_changes else None
    out = dossier_delays(events_from_records(records), rules)
    assert out.height == 1
    return out.row(0, named=True)


def test_filing_to_decision_with_a_complement_pause() -> None:
    # Filed 1 July, complement asked 3 July, answered 7 July, issued 13 July:
    # 12 days raw, 4 paused, 8 counted.
    r = one(
        rows(
            "D1",
            ("SUBMITTED", at(1)),
            ("RECEIPT_ISSUED", at(1, 11)),
            ("COMPLEMENT_REQUESTED", at(3)),
            ("COMPLEMENT_PROVIDED", at(7)),
            ("DISPATCHED", at(8)),
            ("ISSUED", at(13)),
        )
    )
    assert (r["status"], r["decision"], r["quarter"]) == ("decided", "issued", "2026Q3")
    assert (r["raw_days"], r["paused_days"], r["counted_days"]) == (12, 4, 8)
    assert r["scale"] == "PETIT"


def test_restart_counts_from_the_answer() -> None:
    r = one(
        rows(
            "D1",
            ("SUBMITTED", at(1)),
            ("COMPLEMENT_REQUESTED", at(3)),
            ("RECEIPT_ISSUED", at(7)),
            ("REFUSED", at(13)),
        ),
        complement_effect="restart",
    )
    assert (r["raw_days"], r["paused_days"], r["counted_days"], r["decision"]) == (
        12,
        6,
        6,
        "refused",
    )


def test_working_days_skip_weekends() -> None:
    # Wed 1 July -> Mon 13 July: 8 working days; pause Fri 3 -> Tue 7: 2 working days.
    r = one(
        rows(
            "D1",
            ("SUBMITTED", at(1)),
            ("COMPLEMENT_REQUESTED", at(3)),
            ("COMPLEMENT_PROVIDED", at(7)),
            ("ISSUED", at(13)),
        ),
        day_basis="working",
    )
    assert (r["raw_days"], r["paused_days"], r["counted_days"]) == (8, 2, 6)


def test_working_days_skip_public_holidays() -> None:
    # Throne Day, Thursday 30 July 2026, is a public holiday: Wed 29 -> Fri 31 is 1 day.
    r = one(rows("D1", ("SUBMITTED", at(29)), ("ISSUED", at(31))), day_basis="working")
    assert r["counted_days"] == 1


def test_unanswered_request_pauses_until_the_decision() -> None:
    r = one(rows("D1", ("SUBMITTED", at(1)), ("COMPLEMENT_REQUESTED", at(5)), ("REFUSED", at(20))))
    assert (r["raw_days"], r["paused_days"], r["counted_days"]) == (19, 15, 4)


def test_answers_without_an_open_request_and_repeated_requests() -> None:
    # The first RECEIPT_ISSUED closes nothing; the second request while paused changes
    # nothing; the pause runs from 3 to 9 July.
    r = one(
        rows(
            "D1",
            ("SUBMITTED", at(1)),
            ("RECEIPT_ISSUED", at(2)),
            ("COMPLEMENT_REQUESTED", at(3)),
            ("COMPLEMENT_REQUESTED", at(5)),
            ("COMPLEMENT_PROVIDED", at(9)),
            ("COMPLEMENT_PROVIDED", at(10)),
            ("ISSUED", at(21)),
        )
    )
    assert (r["raw_days"], r["paused_days"], r["counted_days"]) == (20, 6, 14)


def test_first_decision_counts_and_tacit_approval_is_a_decision() -> None:
    r = one(rows("D1", ("SUBMITTED", at(1)), ("TACITLY_APPROVED", at(16)), ("ISSUED", at(20))))
    assert (r["decision"], r["counted_days"]) == ("tacit", 15)


def test_open_and_invalid_dossiers_have_no_delay() -> None:
    out = dossier_delays(
        events_from_records(
            rows("OPEN", ("SUBMITTED", at(1)))
            + rows("NOFILE", ("ISSUED", at(2)))
            + rows("BACKWARDS", ("SUBMITTED", at(5)), ("ISSUED", at(2)))
        )
    ).sort("dossier")
    assert out["status"].to_list() == ["invalid", "invalid", "open"]
    assert out["counted_days"].null_count() == 3


def _filed_and_issued(filed: str, issued: str) -> dict[str, object]:
    base = {"dossier": "D", "commune": "C", "scale": "GRAND"}
    return one(
        [
            {**base, "event": "SUBMITTED", "at": filed},
            {**base, "event": "ISSUED", "at": issued},
        ]
    )


def test_quarter_is_the_local_date_of_the_decision() -> None:
    # 31 December 2025 23:30 UTC is 1 January 00:30 in Casablanca (UTC+1): 2026Q1.
    r = _filed_and_issued("2025-12-01T09:00:00Z", "2025-12-31T23:30:00Z")
    assert (r["quarter"], r["raw_days"], r["scale"]) == ("2026Q1", 31, "GRAND")


def test_local_dates_follow_the_2026_switch_to_utc() -> None:
    # Since 2026-09-20 Morocco is on UTC+0 (tzdata 2026.3): the same instant a year
    # later stays in 2026, whatever time-zone database polars carries.
    r = _filed_and_issued("2026-12-01T09:00:00Z", "2026-12-31T23:30:00Z")
    assert (r["quarter"], r["raw_days"]) == ("2026Q4", 30)
    # Filed at 23:30 UTC the day before the switch (00:30 local, UTC+1), decided at
    # 23:30 UTC (23:30 local, UTC+0) a week later: 6 local days, not 7.
    r = _filed_and_issued("2026-09-14T23:30:00Z", "2026-09-21T23:30:00Z")
    assert r["raw_days"] == 6


def test_kind_without_scale_is_left_out_of_scales() -> None:
    r = one(rows("D1", ("SUBMITTED", at(1)), ("ISSUED", at(3)), kind="URB_PERMIS_REFECTION"))
    assert r["scale"] is None
    assert r["counted_days"] == 2


EVENTS = [
    "SUBMITTED",
    "RECEIPT_ISSUED",
    "COMPLEMENT_REQUESTED",
    "COMPLEMENT_PROVIDED",
    "DISPATCHED",
    "IN_COMMISSION",
    "ISSUED",
    "REFUSED",
    "TACITLY_APPROVED",
]
BASE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
dossier_events = st.lists(
    st.tuples(st.sampled_from(EVENTS), st.integers(0, 200 * 24 * 60)), min_size=1, max_size=12
)


@given(
    st.lists(dossier_events, min_size=1, max_size=8),
    st.sampled_from(["suspend", "restart"]),
)
def test_columnar_count_matches_the_reference(
    dossiers: list[list[tuple[str, int]]], effect: str
) -> None:
    rules = default_rules().model_copy(update={"complement_effect": effect})
    records = []
    expected = {}
    for i, evs in enumerate(dossiers):
        timed = [(e, BASE + dt.timedelta(minutes=m)) for e, m in evs]
        expected[f"D{i}"] = count(timed, rules)
        records += [
            {"dossier": f"D{i}", "commune": "C", "scale": "PETIT", "event": e, "at": t.isoformat()}
            for e, t in timed
        ]
    got = {
        row["dossier"]: row
        for row in dossier_delays(events_from_records(records), rules).iter_rows(named=True)
    }
    for dossier, exp in expected.items():
        if exp["status"] == "absent":
            assert dossier not in got
            continue
        row = got[dossier]
        for key, value in exp.items():
            assert row[key] == value, (dossier, key, row, exp)


@given(st.lists(dossier_events, min_size=1, max_size=8), st.sampled_from(["calendar", "working"]))
def test_pauses_never_increase_the_counted_delay(
    dossiers: list[list[tuple[str, int]]], basis: str
) -> None:
    rules = default_rules().model_copy(update={"day_basis": basis})
    records = [
        {
            "dossier": f"D{i}",
            "commune": "C",
            "scale": "GRAND",
            "event": e,
            "at": (BASE + dt.timedelta(minutes=m)).isoformat(),
        }
        for i, evs in enumerate(dossiers)
        for e, m in evs
    ]
    out = dossier_delays(events_from_records(records), rules).filter(pl.col("status") == "decided")
    for row in out.iter_rows(named=True):
        assert 0 <= row["paused_days"] <= row["raw_days"]
        assert 0 <= row["counted_days"] <= row["raw_days"]
        assert row["counted_days"] == row["raw_days"] - row["paused_days"]


@given(st.lists(dossier_events, min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(
    dossiers: list[list[tuple[str, int]]], rnd: random.Random
) -> None:
    records = [
        {
            "dossier": f"D{i}",
            "commune": "C",
            "scale": "PETIT",
            "event": e,
            "at": (BASE + dt.timedelta(minutes=m)).isoformat(),
        }
        for i, evs in enumerate(dossiers)
        for e, m in evs
    ]
    shuffled = list(records)
    rnd.shuffle(shuffled)
    a = dossier_delays(events_from_records(records)).sort("dossier")
    b = dossier_delays(events_from_records(shuffled)).sort("dossier")
    # Commune, kind and scale come from each dossier's first row: constant here.
    assert a.equals(b)


def test_rules_without_pauses_count_raw_days() -> None:
    r = one(
        rows("D1", ("SUBMITTED", at(1)), ("COMPLEMENT_REQUESTED", at(3)), ("ISSUED", at(13))),
        pause_start_events=(),
    )
    assert (r["raw_days"], r["paused_days"], r["counted_days"]) == (12, 0, 12)


def test_lazy_frames_are_accepted() -> None:
    ev = events_from_records(rows("D1", ("SUBMITTED", at(1)), ("ISSUED", at(3))))
    assert dossier_delays(ev.lazy())["counted_days"].to_list() == [2]


@pytest.mark.parametrize("effect", ["suspend", "restart"])
def test_synthetic_year_agrees_with_the_reference(effect: str) -> None:
    from rokhas_sdk.analytics import synthetic_events

    rules = default_rules().model_copy(update={"complement_effect": effect})
    ev = synthetic_events(communes=5, dossiers=150, seed=3)
    got = dossier_delays(ev, rules)
    for row in got.iter_rows(named=True):
        mine = ev.filter(pl.col("dossier") == row["dossier"])
        exp = count(list(zip(mine["event"].to_list(), mine["at"].to_list(), strict=True)), rules)
        assert exp["status"] != "absent"
        for key, value in exp.items():
            assert row[key] == value


@given(
    st.lists(
        st.datetimes(min_value=dt.datetime(2018, 1, 1), max_value=dt.datetime(2032, 12, 31)).map(
            lambda d: d.replace(tzinfo=dt.UTC)
        ),
        min_size=1,
        max_size=40,
    )
)
def test_local_dates_from_the_hourly_offset_table_are_the_time_zone_s(
    instants: list[dt.datetime],
) -> None:
    from rokhas_sdk.analytics._delays import local_date_for

    # Around every Ramadan switch too: the hours on both sides of local midnight.
    frame = pl.DataFrame({"at": instants}, schema={"at": pl.Datetime("us", "UTC")})
    local_date = local_date_for(min(instants), max(instants))
    got = frame.select(local_date(pl.col("at")).alias("d"))["d"].to_list()
    assert got == [t.astimezone(CASA).date() for t in instants]


def test_local_dates_across_the_2026_ramadan_switches_hour_by_hour() -> None:
    from rokhas_sdk.analytics._delays import local_date_for

    start = dt.datetime(2026, 2, 10, tzinfo=dt.UTC)
    hours = [start + dt.timedelta(minutes=30 * i) for i in range(2 * 24 * 50)]
    frame = pl.DataFrame({"at": hours}, schema={"at": pl.Datetime("us", "UTC")})
    fast = local_date_for(hours[0], hours[-1])
    got = frame.select(fast(pl.col("at")).alias("d"))["d"].to_list()
    expected = [t.astimezone(CASA).date() for t in hours]
    assert got == expected
    # The window holds both switches (UTC+1 -> UTC+0 -> UTC+1).
    assert len({t.astimezone(CASA).utcoffset() for t in hours}) == 2


def test_local_dates_across_the_2026_switch_to_permanent_utc() -> None:
    from rokhas_sdk.analytics._delays import local_date_for

    start = dt.datetime(2026, 9, 15, tzinfo=dt.UTC)
    halves = [start + dt.timedelta(minutes=30 * i) for i in range(2 * 24 * 20)]
    frame = pl.DataFrame({"at": halves}, schema={"at": pl.Datetime("us", "UTC")})
    got = frame.select(local_date_for(halves[0], halves[-1])(pl.col("at")).alias("d"))["d"]
    assert got.to_list() == [t.astimezone(CASA).date() for t in halves]
    # 2026-10-01 23:30 UTC is still 1 October in Casablanca (UTC+0 since 20 September).
    late_evening = halves.index(dt.datetime(2026, 10, 1, 23, 30, tzinfo=dt.UTC))
    assert got[late_evening] == dt.date(2026, 10, 1)


def test_local_dates_over_a_range_too_long_to_table() -> None:
    from rokhas_sdk.analytics._delays import local_date_for

    # 1960 to 2030 is over 500,000 hours: each instant searches the list of changes.
    instants = [
        dt.datetime(1960, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2019, 5, 5, 1, 59, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 21, 23, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 9, 19, 23, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 9, 20, 23, 30, tzinfo=dt.UTC),
        dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    ]
    frame = pl.DataFrame({"at": instants}, schema={"at": pl.Datetime("us", "UTC")})
    got = frame.select(local_date_for(instants[0], instants[-1])(pl.col("at")).alias("d"))
    assert got["d"].to_list() == [t.astimezone(CASA).date() for t in instants]
    assert got["d"][3:5].to_list() == [dt.date(2026, 9, 20), dt.date(2026, 9, 20)]
