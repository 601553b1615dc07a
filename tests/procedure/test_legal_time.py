"""Legal time comes from the ``tzdata`` package, never the host: rokhas_sdk._time.

``tz-2025b/Africa/Casablanca`` beside this file is the zone file of the IANA tz 2025b
release (as Debian 12 ships it): it predates Morocco's move to permanent UTC+0 on
2026-09-20 and keeps UTC+1 after it. The tests point the host's zone path at it, or
disguise it as an old ``tzdata`` package, and check what the SDK does.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from procedure_helpers import at

from rokhas_sdk import ConfigurationError, RokhasError
from rokhas_sdk import TimeZoneDataError as PublicTimeZoneDataError
from rokhas_sdk._time import (
    CASABLANCA,
    TimeZoneDataError,
    add_months,
    local_date,
    offset_changes,
)
from rokhas_sdk.models import ProcedureKind
from rokhas_sdk.procedure import ProcedureState, deadlines, definition

OLD_TZ = Path(__file__).with_name("tz-2025b")
UTC = dt.UTC
PETIT = ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET
HOUR = dt.timedelta(hours=1)


def _filed(t0: dt.datetime) -> ProcedureState:
    return ProcedureState(
        graph=definition(PETIT).name,
        kind=PETIT,
        state="RECEIPT_ISSUED",
        seq=2,
        last_at=t0,
        marks=(("submit", t0), ("issue_receipt", t0)),
    )


def _due(t0: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(decision due, tacit approval) of a petit projet filed and received at ``t0``."""
    report = deadlines(_filed(t0), t0)
    decision = report.clock("decision")
    assert decision is not None
    assert decision.due_at is not None
    assert report.tacit_approval_at is not None
    return decision.due_at, report.tacit_approval_at


def test_the_zone_knows_ramadan_and_the_2026_switch() -> None:
    offsets = {
        day: dt.datetime(*day, 12, tzinfo=CASABLANCA).utcoffset()
        for day in [(2026, 1, 10), (2026, 2, 20), (2026, 6, 1), (2026, 9, 19), (2026, 9, 21)]
    }
    assert list(offsets.values()) == [HOUR, dt.timedelta(0), HOUR, HOUR, dt.timedelta(0)]
    # The switch itself: at 02:00 local (UTC+1), i.e. 01:00 UTC, clocks go back to 01:00.
    before = dt.datetime(2026, 9, 20, 0, 59, tzinfo=UTC).astimezone(CASABLANCA)
    after = dt.datetime(2026, 9, 20, 1, 0, tzinfo=UTC).astimezone(CASABLANCA)
    assert (before.hour, before.minute, before.utcoffset()) == (1, 59, HOUR)
    assert (after.hour, after.minute, after.utcoffset()) == (1, 0, dt.timedelta(0))
    # No Ramadan pause any more: Ramadan 1448 (about 2027-02-08 to 2027-03-09) stays UTC+0.
    assert dt.datetime(2027, 6, 1, tzinfo=CASABLANCA).utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    ("filed", "decision_due", "tacit_approval"),
    [
        # Before: both instants still at UTC+1.
        (
            at(2026, 8, 3),
            dt.datetime(2026, 8, 18, 23, tzinfo=UTC),
            dt.datetime(2026, 10, 4, tzinfo=UTC),
        ),
        # Across: filed at UTC+1, due after the switch: local midnight is 00:00Z (issue 15).
        (
            at(2026, 9, 10),
            dt.datetime(2026, 9, 26, tzinfo=UTC),
            dt.datetime(2026, 11, 11, tzinfo=UTC),
        ),
        # After: everything at UTC+0.
        (
            at(2026, 10, 5),
            dt.datetime(2026, 10, 21, tzinfo=UTC),
            dt.datetime(2026, 12, 6, tzinfo=UTC),
        ),
    ],
    ids=["before", "across", "after"],
)
def test_deadlines_before_across_and_after_the_switch(
    filed: dt.datetime, decision_due: dt.datetime, tacit_approval: dt.datetime
) -> None:
    due, tacit = _due(filed)
    assert (due, tacit) == (decision_due, tacit_approval)
    # Each is a local midnight in Casablanca.
    for instant in (due, tacit):
        local = instant.astimezone(CASABLANCA)
        assert (local.hour, local.minute) == (0, 0)


_CHILD = r"""
import datetime as dt, json, sys, zoneinfo
from rokhas_sdk.models import ProcedureKind
from rokhas_sdk.procedure import ProcedureState, deadlines, definition, CASABLANCA
kind = ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET
probe = dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC)
out = {"tzpath": list(zoneinfo.TZPATH),
       "host_offset_h": probe.astimezone(zoneinfo.ZoneInfo("Africa/Casablanca")).utcoffset()
       / dt.timedelta(hours=1),
       "sdk_offset_h": probe.astimezone(CASABLANCA).utcoffset() / dt.timedelta(hours=1)}
for d in sys.argv[1:]:
    t0 = dt.datetime.fromisoformat(d).replace(tzinfo=CASABLANCA)
    s = ProcedureState(graph=definition(kind).name, kind=kind, state="RECEIPT_ISSUED", seq=2,
                       last_at=t0, marks=(("submit", t0), ("issue_receipt", t0)))
    r = deadlines(s, t0)
    out[d] = [r.clock("decision").due_at.astimezone(dt.UTC).isoformat(),
              r.tacit_approval_at.astimezone(dt.UTC).isoformat()]
print(json.dumps(out))
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONTZPATH", "TZ"}}
    return {**env, **extra}


def test_deadlines_are_the_same_with_old_host_zone_files() -> None:
    filings = ["2026-08-03T10:00", "2026-09-10T10:00", "2026-10-05T10:00", "2026-02-10T10:00"]
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, *filings],
        env=_env(PYTHONTZPATH=str(OLD_TZ)),
        capture_output=True,
        text=True,
        check=True,
    )
    got = json.loads(child.stdout)
    # The child really had the old files in front: the host's zone says UTC+1 after the
    # switch, one hour off, while the SDK's zone says UTC+0.
    assert got["tzpath"] == [str(OLD_TZ)]
    assert (got["host_offset_h"], got["sdk_offset_h"]) == (1.0, 0.0)
    for filed in filings:
        mine = _due(dt.datetime.fromisoformat(filed).replace(tzinfo=CASABLANCA))
        assert got[filed] == [t.astimezone(UTC).isoformat() for t in mine]
    assert got["2026-09-10T10:00"][0] == "2026-09-26T00:00:00+00:00"


def _old_tzdata_package(root: Path, version: str) -> Path:
    """A ``tzdata`` package whose Casablanca is the 2025b file, as an old release has."""
    pkg = root / "tzdata"
    (pkg / "zoneinfo" / "Africa").mkdir(parents=True)
    (pkg / "__init__.py").write_text(f'__version__ = "{version}"\n', encoding="utf-8")
    (pkg / "zoneinfo" / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "zoneinfo" / "Africa" / "Casablanca").write_bytes(
        (OLD_TZ / "Africa" / "Casablanca").read_bytes()
    )
    return root


_IMPORT_AND_REPORT = r"""
import json
try:
    import rokhas_sdk.procedure
except Exception as exc:
    from rokhas_sdk import RokhasError
    print(json.dumps({"type": type(exc).__name__, "code": getattr(exc, "code", None),
                      "rokhas": isinstance(exc, RokhasError), "message": str(exc)}))
else:
    print(json.dumps({"type": None}))
"""


def test_an_old_tzdata_package_is_refused_at_import_with_the_fix(tmp_path: Path) -> None:
    site = _old_tzdata_package(tmp_path, "2025.2")
    child = subprocess.run(
        [sys.executable, "-c", _IMPORT_AND_REPORT],
        env=_env(PYTHONPATH=os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])),
        capture_output=True,
        text=True,
        check=True,
    )
    got = json.loads(child.stdout)
    assert got["type"] == "TimeZoneDataError"
    assert got["rokhas"] is True
    assert got["code"] == "tz_data_outdated"
    assert "2025.2" in got["message"]
    assert "pip install -U 'tzdata>=2026.3'" in got["message"]
    assert "2026-09-20" in got["message"]


def test_a_missing_tzdata_package_is_refused_with_the_fix(tmp_path: Path) -> None:
    # A tzdata package without zone files (a broken or stripped install).
    pkg = tmp_path / "tzdata"
    (pkg / "zoneinfo").mkdir(parents=True)
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "zoneinfo" / "__init__.py").write_text("", encoding="utf-8")
    child = subprocess.run(
        [sys.executable, "-c", _IMPORT_AND_REPORT],
        env=_env(PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])),
        capture_output=True,
        text=True,
        check=True,
    )
    got = json.loads(child.stdout)
    assert (got["type"], got["code"]) == ("TimeZoneDataError", "tz_data_outdated")
    assert "pip install 'tzdata>=2026.3'" in got["message"]


def test_the_error_is_a_public_configuration_error() -> None:
    assert TimeZoneDataError is PublicTimeZoneDataError
    assert issubclass(TimeZoneDataError, ConfigurationError)
    assert issubclass(TimeZoneDataError, RokhasError)


def test_import_rokhas_sdk_does_not_load_the_zone() -> None:
    code = "import sys, rokhas_sdk, rokhas_sdk.models; print('rokhas_sdk._time' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_copies_and_pickles_keep_the_packaged_zone() -> None:
    # A zone read from a file cannot be pickled by zoneinfo itself, and a plain
    # ZoneInfo would come back from the host's files: ours comes back as itself.
    t = dt.datetime(2026, 10, 1, 12, tzinfo=CASABLANCA)
    for clone in (copy.deepcopy(t), pickle.loads(pickle.dumps(t))):
        assert clone.tzinfo is CASABLANCA
        assert clone.utcoffset() == dt.timedelta(0)


def test_local_date_refuses_a_naive_instant() -> None:
    with pytest.raises(RokhasError, match="has no time zone"):
        local_date(dt.datetime(2026, 10, 1))


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 1, 1)), st.integers(0, 600))
def test_add_months_lands_in_the_right_month_and_clamps(day: dt.date, months: int) -> None:
    got = add_months(day, months)
    assert got.year * 12 + got.month == day.year * 12 + day.month + months
    assert got.day == day.day or (got.day < day.day and (got + dt.timedelta(days=1)).day == 1)


_INSTANTS = st.datetimes(
    min_value=dt.datetime(2015, 1, 1), max_value=dt.datetime(2035, 12, 31)
).map(lambda d: d.replace(tzinfo=UTC))


@given(st.lists(_INSTANTS, min_size=2, max_size=30))
def test_offset_changes_give_every_instant_its_offset(instants: list[dt.datetime]) -> None:
    lo, hi = min(instants), max(instants)
    changes = offset_changes(lo, hi)
    assert changes[0][0] == lo
    assert all(a[1] != b[1] and a[0] < b[0] for a, b in itertools.pairwise(changes))
    for t in instants:
        in_force = [off for since, off in changes if since <= t][-1]
        assert in_force == t.astimezone(CASABLANCA).utcoffset()


def test_the_legal_time_example_of_docs_procedure_md_runs() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "procedure.md").read_text("utf-8")
    section = text.split("### Legal time", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(code, namespace)  # its asserts are the check
    assert namespace["due"] == dt.datetime(2026, 9, 26, tzinfo=UTC)


def test_the_2026_changes_are_those_announced() -> None:
    # Ramadan 1447: back to GMT on Sunday 15 February at 03:00 (+01), GMT+1 again on
    # Sunday 22 March at 02:00 (+00) (arrêté 3.06.26); then permanent UTC+0 from
    # 2026-09-20 02:00 (+01) (IANA tz 2026c). docs/procedure.md cites the sources.
    changes = offset_changes(
        dt.datetime(2026, 1, 1, 0, 0, 0, 7, tzinfo=UTC), dt.datetime(2027, 12, 31, tzinfo=UTC)
    )
    assert changes[1:] == (
        (dt.datetime(2026, 2, 15, 2, tzinfo=UTC), dt.timedelta(0)),
        (dt.datetime(2026, 3, 22, 2, tzinfo=UTC), HOUR),
        (dt.datetime(2026, 9, 20, 1, tzinfo=UTC), dt.timedelta(0)),
    )
