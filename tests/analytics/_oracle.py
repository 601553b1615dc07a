"""A slow, obvious reference count of one dossier's delay, to check the columnar one.

It walks the dossier's events in time order with a tiny state machine, exactly as a
person would count on paper; the tests compare it with ``dossier_delays``.
"""

from __future__ import annotations

import datetime as dt

from rokhas_sdk.analytics import CountingRules
from rokhas_sdk.procedure import CASABLANCA as CASA  # from tzdata, never the host

__all__ = ["CASA", "count", "local_day"]


def local_day(at: dt.datetime) -> dt.date:
    return at.astimezone(CASA).date()


def count(events: list[tuple[str, dt.datetime]], rules: CountingRules) -> dict[str, object]:
    """Status, raw, paused and counted calendar days for one dossier's (event, at) list."""
    roles = {
        *rules.clock_start_events,
        *rules.decision_events,
        *rules.pause_start_events,
        *rules.pause_end_events,
    }
    if not any(ev in roles for ev, _ in events):
        return {"status": "absent"}  # never filed: not in the output at all
    starts = [at for ev, at in events if ev in rules.clock_start_events]
    decisions = sorted(
        ((at, rules.decision_events[ev]) for ev, at in events if ev in rules.decision_events),
        key=lambda x: (x[0], ("issued", "refused", "tacit").index(x[1])),
    )
    filed = min(starts) if starts else None
    if not decisions:
        return {"status": "open" if filed else "invalid"}
    decided, decision = decisions[0]
    if filed is None or decided < filed:
        return {"status": "invalid"}
    # Requests sort before answers at the same instant.
    seq = sorted(
        (
            (at, 0 if ev in rules.pause_start_events else 1)
            for ev, at in events
            if ev in rules.pause_start_events or ev in rules.pause_end_events
        ),
    )
    intervals: list[tuple[dt.datetime, dt.datetime | None]] = []
    open_at: dt.datetime | None = None
    for at, kind in seq:
        if kind == 0 and open_at is None:
            open_at = at
        elif kind == 1 and open_at is not None:
            intervals.append((open_at, at))
            open_at = None
    if open_at is not None:
        intervals.append((open_at, None))
    paused = 0
    restart = filed
    for s, e in intervals:
        s2 = max(s, filed)
        e2 = min(e if e is not None else decided, decided)
        if e2 > s2:
            paused += (local_day(e2) - local_day(s2)).days
            if e is not None and e <= decided:
                restart = max(restart, e)
    raw = (local_day(decided) - local_day(filed)).days
    if rules.complement_effect == "suspend":
        counted = raw - paused
    else:
        counted = (local_day(decided) - local_day(restart)).days
        paused = raw - counted
    q = local_day(decided)
    return {
        "status": "decided",
        "decision": decision,
        "raw_days": raw,
        "paused_days": paused,
        "counted_days": counted,
        "quarter": f"{q.year}Q{(q.month - 1) // 3 + 1}",
    }
