"""Reading events: flat exports in three formats, journals, and the errors they raise."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rokhas_sdk import InvalidInputError
from rokhas_sdk.analytics import (
    EVENT_COLUMNS,
    EventDataError,
    dossier_delays,
    events_from_journal,
    events_from_records,
    normalise_events,
    read_events,
    synthetic_events,
    write_events,
)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_round_trip(tmp_path: Path, suffix: str) -> None:
    ev = synthetic_events(communes=4, dossiers=40, seed=1)
    path = write_events(ev, tmp_path / f"events{suffix}")
    back = read_events(path)
    assert back.columns == list(EVENT_COLUMNS)
    assert back.equals(ev)


def test_several_files_are_concatenated(tmp_path: Path) -> None:
    ev = synthetic_events(communes=3, dossiers=20, seed=5)
    a = write_events(ev.head(50), tmp_path / "a.csv")
    b = write_events(ev.tail(ev.height - 50), tmp_path / "b.parquet")
    assert read_events([a, b]).equals(ev)


def test_format_override_and_unknown_suffix(tmp_path: Path) -> None:
    ev = synthetic_events(communes=2, dossiers=5, seed=1)
    path = write_events(ev, tmp_path / "e.csv")
    odd = path.rename(tmp_path / "e.txt")
    with pytest.raises(EventDataError, match="suffix"):
        read_events(odd)
    assert read_events(odd, format="csv").equals(ev)
    with pytest.raises(EventDataError, match="unknown format"):
        read_events(odd, format="xlsx")


CSV_HEAD = "dossier,commune,kind,scale,event,at\n"


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("D,C,,PETIT,SUBMITTED,2026-07-01T10:00:00\n", "without a UTC offset"),
        ("D,C,,PETIT,SUBMITTED,yesterday+01:00\n", "not ISO 8601"),
        ("D,C,,HUGE,SUBMITTED,2026-07-01T10:00:00+01:00\n", "unknown scale"),
        (",C,,PETIT,SUBMITTED,2026-07-01T10:00:00+01:00\n", "no dossier"),
    ],
)
def test_bad_csv_rows_are_named(tmp_path: Path, body: str, match: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(CSV_HEAD + body, encoding="utf-8")
    with pytest.raises(EventDataError, match=match) as info:
        read_events(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, InvalidInputError)


def test_missing_columns_and_files(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("dossier,event\nD,SUBMITTED\n", encoding="utf-8")
    with pytest.raises(EventDataError, match=r"missing column\(s\) \['commune', 'at'\]"):
        read_events(path)
    with pytest.raises(EventDataError, match="no such file"):
        read_events(tmp_path / "absent.csv")
    (tmp_path / "empty").mkdir()
    with pytest.raises(EventDataError, match=r"no \.jsonl"):
        read_events(tmp_path / "empty")
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet at all")
    with pytest.raises(EventDataError, match="cannot read it as parquet"):
        read_events(broken)


def test_naive_datetimes_in_frames_are_refused() -> None:
    df = pl.DataFrame(
        {
            "dossier": ["D"],
            "commune": ["C"],
            "event": ["SUBMITTED"],
            "at": [dt.datetime(2026, 7, 1)],
        }
    )
    with pytest.raises(EventDataError, match="without a time zone"):
        normalise_events(df)
    ok = normalise_events(df.with_columns(pl.col("at").dt.replace_time_zone("Africa/Casablanca")))
    assert ok["at"].to_list() == [dt.datetime(2026, 7, 1, tzinfo=dt.UTC) - dt.timedelta(hours=1)]
    with pytest.raises(EventDataError, match="has type"):
        normalise_events(df.with_columns(pl.lit(3).alias("at")))


def test_jsonl_records_with_aliases_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    lines = [
        {"dossier_id": "D", "commune_code": "C", "procedure_kind": "URB_AUTORISATION_LOTIR"},
        {"dossier_id": "D", "to_state": "submitted", "timestamp": "2026-07-01T10:00:00+01:00"},
        {"dossier_id": "D", "state": "ISSUED", "time": "2026-07-21T10:00:00+01:00"},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n", encoding="utf-8")
    ev = read_events(path)
    assert ev["event"].to_list() == ["SUBMITTED", "ISSUED"]
    assert set(ev["commune"]) == {"C"}
    row = dossier_delays(ev).row(0, named=True)
    assert (row["scale"], row["counted_days"]) == ("GRAND", 20)
    path.write_text('{"dossier": "D", "event": "X"}\nnot json\n', encoding="utf-8")
    with pytest.raises(EventDataError, match="line 2 is not JSON"):
        read_events(path)
    with pytest.raises(EventDataError, match="has no time"):
        events_from_records([{"dossier": "D", "commune": "C", "event": "SUBMITTED"}])
    with pytest.raises(EventDataError, match="names no dossier"):
        events_from_records([{"commune": "C", "event": "SUBMITTED", "at": "2026-07-01T10:00:00Z"}])
    with pytest.raises(EventDataError, match="expected an object"):
        events_from_records([["D"]])  # type: ignore[list-item]


# --- journals (format of docs/procedure.md, written here by hand) ---------------------


def journal_lines(
    dossier: str | None,
    events: list[tuple[str, str]],
    kind: str = "URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
) -> list[bytes]:
    """A hash-chained journal as the procedure room writes it."""

    def canon(v: Any) -> str:
        return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    out: list[bytes] = []
    prev = "0" * 64
    data0: dict[str, Any] = {"graph": "building", "kind": kind}
    if dossier:
        data0["dossier"] = dossier
    for seq, (event, at) in enumerate([("open", events[0][1]), *events]):
        data = data0 if seq == 0 else {}
        dj = canon(data)
        body = (
            f'{{"seq":{seq},"at":{canon(at)},"actor":"x","role":"SYSTEM","event":{canon(event)},'
            f'"payload_hash":"{hashlib.sha256(dj.encode()).hexdigest()}","prev":"{prev}","data":{dj}'
        ).encode()
        h = hashlib.sha256(body).hexdigest()
        out.append(body + b',"hash":"' + h.encode() + b'"}')
        prev = h
    return out


STEPS = [
    ("sign_plans", "2026-07-01T09:00:00+01:00"),
    ("submit", "2026-07-01T10:00:00+01:00"),
    ("issue_receipt", "2026-07-01T10:00:00+01:00"),
    ("request_complement", "2026-07-03T10:00:00+01:00"),
    ("submit_complement", "2026-07-07T10:00:00+01:00"),
    ("dispatch", "2026-07-08T10:00:00+01:00"),
    ("open_commission", "2026-07-09T10:00:00+01:00"),
    ("conclude_commission", "2026-07-10T10:00:00+01:00"),
    ("send_to_president", "2026-07-11T10:00:00+01:00"),
    ("issue", "2026-07-13T10:00:00+01:00"),
]


def test_journal_folder_with_commune_table(tmp_path: Path) -> None:
    folder = tmp_path / "journals"
    folder.mkdir()
    (folder / "a.jsonl").write_bytes(b"\n".join(journal_lines("CAS-1", STEPS)) + b"\n")
    (folder / "b.jsonl").write_bytes(b"\n".join(journal_lines("CAS-2", STEPS[:3])) + b"\n")
    table = tmp_path / "communes.csv"
    table.write_text("dossier,commune\nCAS-1,141.01.01\nCAS-2,141.01.03\n", encoding="utf-8")
    ev = read_events(folder, communes=table)
    assert ev.filter(pl.col("dossier") == "CAS-1")["event"].to_list()[:3] == [
        "PLANS_SIGNED",
        "SUBMITTED",
        "RECEIPT_ISSUED",
    ]
    delays = dossier_delays(ev).sort("dossier")
    assert delays["status"].to_list() == ["decided", "open"]
    assert delays.row(0, named=True)["counted_days"] == 8  # 12 days, 4 paused
    # The first seed code of Casablanca becomes its HCP code; a code the registry does
    # not know is kept as written.
    assert delays["commune"].to_list() == ["06.141.01.0", "141.01.03"]


def test_a_commune_written_with_its_old_and_new_code_is_ranked_once() -> None:
    at = "2026-03-02T10:00:00+01:00"
    ev = events_from_records(
        [
            {"dossier": "A", "commune": "141.01.01", "event": "SUBMITTED", "at": at},
            {"dossier": "B", "commune": "06.141.01.0", "event": "SUBMITTED", "at": at},
        ]
    )
    assert ev["commune"].unique().to_list() == ["06.141.01.0"]


def test_concatenated_journals_and_dossier_names_from_the_source() -> None:
    lines = journal_lines(None, STEPS) + journal_lines(None, STEPS[:2])
    ev = events_from_journal(lines, source="stream", communes={"stream": "A", "stream#2": "B"})
    assert sorted(set(ev["dossier"])) == ["stream", "stream#2"]


def test_tampered_journals_are_refused() -> None:
    lines = journal_lines("D", STEPS)
    changed = [*lines]
    changed[4] = changed[4].replace(b"2026-07-03", b"2026-07-06")
    with pytest.raises(EventDataError, match="line 5 does not match its hash"):
        events_from_journal(changed, communes={"D": "C"})
    with pytest.raises(EventDataError, match="line 5 does not link"):
        events_from_journal(lines[:4] + lines[5:], communes={"D": "C"})
    # Without verification the (changed) content is read as is.
    assert events_from_journal(changed, communes={"D": "C"}, verify=False).height == len(STEPS)
    with pytest.raises(EventDataError, match="names no commune"):
        events_from_journal(lines)
    with pytest.raises(EventDataError, match="before the journal's 'open' line"):
        events_from_journal(lines[1:], communes={"D": "C"}, verify=False)
    with pytest.raises(EventDataError, match="not a journal entry"):
        events_from_journal([b'{"seq": 0}'], verify=False)
    with pytest.raises(EventDataError, match="not JSON"):
        events_from_journal([b"{"], verify=False)


def test_commune_table_errors(tmp_path: Path) -> None:
    bad = tmp_path / "c.csv"
    bad.write_text("ref,code\nD,C\n", encoding="utf-8")
    with pytest.raises(EventDataError, match="columns dossier and commune"):
        events_from_journal(journal_lines("D", STEPS), communes=bad)
    with pytest.raises(EventDataError, match="cannot read the dossier-commune table"):
        events_from_journal(journal_lines("D", STEPS), communes=tmp_path / "absent.csv")


def test_journal_written_by_the_procedure_room(tmp_path: Path) -> None:
    procedure = pytest.importorskip("rokhas_sdk.procedure")
    if not hasattr(procedure, "Journal"):
        pytest.skip("the procedure room is not merged on this branch yet")
    from rokhas_sdk.models import ProcedureKind, Role

    casa = procedure.CASABLANCA
    j = procedure.Journal.open(
        ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET,
        at=dt.datetime(2026, 7, 1, 8, tzinfo=casa),
        actor="system",
        dossier="CAS-9",
    )
    j.record(
        "sign_plans", role=Role.ARCHITECTE, actor="arch", at=dt.datetime(2026, 7, 1, 9, tzinfo=casa)
    )
    j.record(
        "submit", role=Role.PETITIONNAIRE, actor="pet", at=dt.datetime(2026, 7, 1, 10, tzinfo=casa)
    )
    j.record(
        "issue_receipt",
        role=Role.SYSTEM,
        actor="system",
        at=dt.datetime(2026, 7, 1, 10, tzinfo=casa),
    )
    j.save(tmp_path / "j.jsonl")
    ev = read_events(tmp_path / "j.jsonl", communes={"CAS-9": "141.01.01"})
    assert ev["event"].to_list() == ["PLANS_SIGNED", "SUBMITTED", "RECEIPT_ISSUED"]
    assert dossier_delays(ev)["status"].to_list() == ["open"]


@given(
    st.lists(
        st.tuples(
            st.text("ABCD-0123456789", min_size=1, max_size=6),
            st.sampled_from(["SUBMITTED", "ISSUED", "X"]),
            st.datetimes(
                min_value=dt.datetime(2000, 1, 1),
                max_value=dt.datetime(2090, 1, 1),
                timezones=st.just(dt.UTC),
            ),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_csv_round_trip_keeps_every_event(items: list[tuple[str, str, dt.datetime]]) -> None:
    import io

    frame = events_from_records(
        [{"dossier": d, "commune": "C", "event": e, "at": t.isoformat()} for d, e, t in items]
    )
    buf = io.BytesIO()
    frame.with_columns(pl.col("at").dt.strftime("%Y-%m-%dT%H:%M:%S%.6f+00:00")).write_csv(buf)
    back = normalise_events(pl.read_csv(io.BytesIO(buf.getvalue()), infer_schema=False))
    assert back.equals(frame)
    assert back["at"].to_list() == [t.replace(microsecond=t.microsecond) for _, _, t in items]
