"""The seam between the sandbox and the rooms that hold the law.

Everything the sandbox asks of ``procedure`` (may this happen, when is it due, has
silence become consent), ``payments`` (what is owed, the CMI hash), ``documents``
(render the permit) and ``signing`` (sign, verify) goes through this module, so the
rest of the sandbox never depends on their internals.

Wire event names (the API contract's ``EventName``) are mapped to the procedure
engine's event names by ``data/event_map.json``; states need no map: a graph state is
a ``DossierState`` of the same name.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from .._errors import DataFileError
from ._errors import ApiProblem
from ._record import DossierRecord

__all__ = [
    "DeadlineCache",
    "procedure_event",
    "wire_events",
    "wire_state",
]


@functools.cache
def _event_map() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(
        resources.files(__package__).joinpath("data/event_map.json").read_text(encoding="utf-8")
    )
    if "wire_to_procedure" not in raw:
        raise DataFileError("sandbox event_map.json lacks 'wire_to_procedure'")
    return raw


def procedure_event(wire: str, payload: Mapping[str, Any]) -> str:
    """The procedure engine's event for a wire event (a decision splits on its outcome)."""
    table = _event_map()["wire_to_procedure"]
    target = table.get(wire)
    if target is None:
        raise ApiProblem(
            422,
            "transition_not_allowed",
            f"l'événement {wire!r} n'est pas pris en charge par ce sandbox",
            f"الحدث {wire!r} غير مدعوم في هذه المنصة التجريبية",
            details={"field": "event", "rule": "event_map"},
        )
    if isinstance(target, dict):
        key = str(payload.get("decision", ""))
        if key not in target:
            raise ApiProblem(
                422,
                "invalid_input",
                f"décision inconnue {key!r} : {' ou '.join(repr(k) for k in target)}",
                f"قرار غير معروف {key!r}: {' أو '.join(repr(k) for k in target)}",
                details={"field": "decision", "allowed": list(target)},
            )
        return str(target[key])
    return str(target)


@functools.cache
def _reverse() -> dict[str, str]:
    out: dict[str, str] = {}
    for wire, target in _event_map()["wire_to_procedure"].items():
        for name in target.values() if isinstance(target, dict) else [target]:
            out.setdefault(str(name), wire)
    return out


def wire_events(procedure_events: list[str]) -> list[str]:
    """Wire names of procedure events (those the contract carries), without duplicates."""
    rev = _reverse()
    out: list[str] = []
    for name in procedure_events:
        wire = rev.get(name)
        if wire is not None and wire not in out:
            out.append(wire)
    return out


# -- states on the wire -----------------------------------------------------------------
def wire_state(state: str) -> str:
    """The contract's ``DossierState`` of a procedure graph state (the same name).

    Every state of every graph is a ``DossierState`` (a test walks them all), so a
    state the contract does not know is a packaging error, never a silent rename.
    """
    from ..api import DossierState

    return str(DossierState(state).value)


# -- legal clocks ----------------------------------------------------------------------------
class DeadlineCache:
    """Due instants per dossier, kept while the dossier's journal and the day stay the same.

    Due instants depend on the events applied (and, before filing, on the rules in force
    on the day asked about), not on the instant asked about.
    """

    def __init__(self) -> None:
        self._kept: dict[str, tuple[tuple[str, str], Any]] = {}

    def due_and_tacit(
        self, record: DossierRecord, at: dt.datetime
    ) -> tuple[dt.datetime | None, dt.datetime | None]:
        """(due instant of the current step, tacit-approval instant) at ``at``."""
        from ..procedure import deadlines

        key = (record.journal.head, "" if record.submitted_at else at.date().isoformat())
        kept = self._kept.get(record.id)
        if kept is not None and kept[0] == key:
            return kept[1]  # type: ignore[no-any-return]
        report = deadlines(record.procedure, at)
        due: dt.datetime | None = None
        for clock in report.clocks:
            if (
                clock.due_at is not None
                and clock.status == "running"
                and clock.purpose in ("step", "maximum")
            ):
                due = clock.due_at if due is None else min(due, clock.due_at)
        result = (due, report.tacit_approval_at)
        if len(self._kept) > 20_000:
            self._kept.clear()
        self._kept[record.id] = (key, result)
        return result
