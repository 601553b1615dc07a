"""The seam between the sandbox and the rooms that hold the law.

Everything the sandbox asks of ``procedure`` (may this happen, when is it due, has
silence become consent), ``payments`` (what is owed, the CMI hash), ``documents``
(render the permit) and ``signing`` (sign, verify) goes through this module, so the
rest of the sandbox never depends on their internals.

Wire event names (the API contract's ``EventName``) are mapped to the procedure
engine's event names by ``data/event_map.json``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from .._errors import DataFileError
from ..models import Role
from ._errors import ApiProblem

__all__ = [
    "procedure_event",
    "wire_events",
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
        )
    if isinstance(target, dict):
        key = str(payload.get("decision", ""))
        if key not in target:
            raise ApiProblem(
                422,
                "invalid_input",
                f"décision inconnue {key!r} : {' ou '.join(repr(k) for k in target)}",
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


# -- procedure ---------------------------------------------------------------------------
class ProcedureSeam:
    """Replays and applies procedure events for stored dossiers (with a small cache)."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[int, Any]] = {}
        self._clocks: dict[str, tuple[int, str, Any]] = {}

    def start(self, kind: str, at: dt.datetime) -> Any:
        """A new procedure state for a dossier of ``kind``."""
        from ..procedure import start

        return start(kind, at=at)

    def state_of(self, record: dict[str, Any]) -> Any:
        """The procedure state of a stored dossier (replayed from its applied events)."""
        from ..procedure import apply

        events = record["procedure"]
        cached = self._cache.get(record["id"])
        if cached is not None and cached[0] == len(events):
            return cached[1]
        state = self.start(record["dossier"]["kind"], _parse(record["created_at"]))
        for ev in events:
            state = apply(
                state,
                ev["event"],
                role=ev["role"],
                at=_parse(ev["at"]),
                context=ev.get("context") or None,
            )
        self._cache[record["id"]] = (len(events), state)
        return state

    def apply(
        self,
        record: dict[str, Any],
        event: str,
        role: str,
        at: dt.datetime,
        context: dict[str, Any],
    ) -> Any:
        """Apply an event to a stored dossier (updated in place); a refusal becomes a 422."""
        from ..procedure import TransitionRefused, apply

        state = self.state_of(record)
        try:
            new = apply(state, event, role=role, at=at, context=context or None)
        except TransitionRefused as refusal:
            raise ApiProblem(
                422,
                "transition_not_allowed",
                refusal.message_fr,
                refusal.message_ar,
                details={
                    "refusal": refusal.as_dict(),
                    "allowed_events": self.allowed(record, role, at, {}),
                },
            ) from None
        record["procedure"].append(
            {"event": event, "role": role, "at": at.isoformat(), "context": context}
        )
        record["state"] = new.state
        self._cache[record["id"]] = (len(record["procedure"]), new)
        return new

    def allowed(
        self, record: dict[str, Any], role: str, at: dt.datetime, context: dict[str, Any]
    ) -> list[str]:
        """Wire names of the events ``role`` may post now."""
        from ..procedure import allowed_events

        if record["state"] == "WITHDRAWN":
            return []
        try:
            role_ = Role(role)
        except ValueError:
            return []
        infos = allowed_events(self.state_of(record), role_, at=at, context=context or None)
        return wire_events([i.id for i in infos])

    def clocks(
        self, record: dict[str, Any], at: dt.datetime
    ) -> tuple[dt.datetime | None, dt.datetime | None]:
        """(due instant of the current step, tacit-approval instant) at ``at``."""
        from ..procedure import deadlines

        if record["state"] == "WITHDRAWN":
            return None, None
        # Due instants depend on the events applied (and the rules in force on the
        # filing date), not on the instant asked about: cache them per dossier version.
        key = (
            len(record["procedure"]),
            record["state"] + ("" if record.get("submitted_at") else at.date().isoformat()),
        )
        cached = self._clocks.get(record["id"])
        if cached is not None and cached[:2] == key:
            return cached[2]  # type: ignore[no-any-return]
        report = deadlines(self.state_of(record), at)
        due: dt.datetime | None = None
        for clock in report.clocks:
            if (
                clock.due_at is not None
                and clock.status in ("running", "not_started")
                and clock.purpose in ("step", "maximum")
            ) and clock.status == "running":
                due = clock.due_at if due is None else min(due, clock.due_at)
        result = (due, report.tacit_approval_at)
        self._clocks[record["id"]] = (*key, result)
        return result


def _parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)
