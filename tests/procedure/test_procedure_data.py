"""The bundled tables are validated: a broken row is a ProcedureDataError naming file and row."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from importlib import resources
from typing import Any

import pytest

from rokhas_sdk.models import ProcedureKind
from rokhas_sdk.procedure import (
    ProcedureDataError,
    _calendar,
    _clocks,
    _data,
    _definitions,
    definition,
    kind_info,
)


def _clear() -> None:
    for fn in (
        _data.vocabulary,
        _data.graphs,
        _data.kinds,
        _data.clock_rules,
        _data.holiday_overrides,
    ):
        fn.cache_clear()
    _definitions._compile.cache_clear()
    _definitions._kind_info.cache_clear()
    _clocks._select.cache_clear()
    _calendar.default_calendar.cache_clear()


def _bundled(name: str) -> Any:
    text = (
        resources.files("rokhas_sdk.procedure").joinpath("data", name).read_text(encoding="utf-8")
    )
    return json.loads(text)


@pytest.fixture
def patch_table(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[[str, Callable[[Any], None]], None]]:
    real = _data._read

    def patch(name: str, edit: Callable[[Any], None]) -> None:
        table = copy.deepcopy(_bundled(name))
        edit(table)

        def fake(requested: str) -> Any:
            return copy.deepcopy(table) if requested == name else real(requested)

        monkeypatch.setattr(_data, "_read", fake)
        _clear()

    yield patch
    monkeypatch.setattr(_data, "_read", real)
    _clear()


def test_bundled_tables_load() -> None:
    assert len(_data.clock_rules()[0]) > 10
    assert _data.holiday_overrides()
    assert set(_data.kinds()) == {k.value for k in ProcedureKind}


def test_unknown_guard_is_refused(patch_table: Any) -> None:
    patch_table(
        "graphs.json",
        lambda t: t["graphs"]["refection"]["transitions"][0]["guards"].append("be_nice"),
    )
    with pytest.raises(ProcedureDataError, match="unknown guards"):
        definition("refection")


def test_event_without_labels_is_refused(patch_table: Any) -> None:
    patch_table("vocabulary.json", lambda t: t["events"].pop("submit"))
    with pytest.raises(ProcedureDataError, match="no labels"):
        definition("building")


def test_state_without_labels_is_refused(patch_table: Any) -> None:
    patch_table("vocabulary.json", lambda t: t["states"].pop("LAPSED"))
    with pytest.raises(ProcedureDataError, match="'LAPSED' has no labels"):
        definition("building")


def test_duplicate_transition_is_refused(patch_table: Any) -> None:
    def edit(t: Any) -> None:
        rows = t["graphs"]["demolition"]["transitions"]
        rows.append(copy.deepcopy(rows[0]))

    patch_table("graphs.json", edit)
    with pytest.raises(ProcedureDataError, match="twice"):
        definition("demolition")


def test_bad_role_in_a_row_names_the_row(patch_table: Any) -> None:
    patch_table(
        "graphs.json",
        lambda t: t["graphs"]["economic"]["transitions"][1]["roles"].append("JANITOR"),
    )
    with pytest.raises(ProcedureDataError, match=r"graph 'economic' transition #1"):
        _data.graphs()


def test_clock_rules_are_checked(patch_table: Any) -> None:
    patch_table("clocks.json", lambda t: t["rules"].append(copy.deepcopy(t["rules"][0])))
    with pytest.raises(ProcedureDataError, match="duplicate rule id"):
        _data.clock_rules()


def test_non_positive_clock_length_is_refused(patch_table: Any) -> None:
    patch_table("clocks.json", lambda t: t["rules"][0].update(length=0))
    with pytest.raises(ProcedureDataError, match="positive"):
        _data.clock_rules()


def test_bad_unit_names_the_file(patch_table: Any) -> None:
    patch_table("clocks.json", lambda t: t["rules"][0].update(unit="fortnights"))
    with pytest.raises(ProcedureDataError, match=r"clocks\.json"):
        _data.clock_rules()


def test_kind_with_unknown_body_or_family(patch_table: Any) -> None:
    patch_table(
        "kinds.json",
        lambda t: t["kinds"]["URB_PERMIS_HABITER"]["commission_bodies"].append("MARTIANS"),
    )
    with pytest.raises(ProcedureDataError, match="MARTIANS"):
        kind_info(ProcedureKind.URB_PERMIS_HABITER)


def test_kind_with_unknown_family(patch_table: Any) -> None:
    patch_table("kinds.json", lambda t: t["kinds"]["URB_PERMIS_HABITER"].update(family="space"))
    with pytest.raises(ProcedureDataError, match="unknown family"):
        kind_info(ProcedureKind.URB_PERMIS_HABITER)


def test_unreadable_table(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(name: str) -> Any:
        raise ProcedureDataError(f"bundled table procedure/data/{name} cannot be read")

    monkeypatch.setattr(_data, "_read", broken)
    _clear()
    try:
        with pytest.raises(ProcedureDataError, match=r"holidays_ma\.json"):
            _data.holiday_overrides()
    finally:
        monkeypatch.undo()
        _clear()


def test_bad_holiday_row(patch_table: Any) -> None:
    patch_table("holidays_ma.json", lambda t: t["overrides"][0].update(dates=["not a date"]))
    with pytest.raises(ProcedureDataError, match=r"holidays_ma\.json"):
        _data.holiday_overrides()


def test_bad_kinds_and_vocabulary_files(patch_table: Any) -> None:
    patch_table("kinds.json", lambda t: t.pop("version"))
    with pytest.raises(ProcedureDataError, match=r"kinds\.json"):
        _data.kinds()
    patch_table("vocabulary.json", lambda t: t.pop("states"))
    with pytest.raises(ProcedureDataError, match=r"vocabulary\.json"):
        _data.vocabulary()
    patch_table("graphs.json", lambda t: t.pop("graphs"))
    with pytest.raises(ProcedureDataError, match=r"graphs\.json"):
        _data.graphs()


def test_tables_are_not_read_at_import() -> None:
    import subprocess
    import sys

    code = (
        "import rokhas_sdk.procedure as p, rokhas_sdk.procedure._data as d;"
        "print(sum(f.cache_info().currsize for f in (d.vocabulary, d.graphs, d.kinds,"
        " d.clock_rules, d.holiday_overrides)), 'holidays' in __import__('sys').modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "False"]
