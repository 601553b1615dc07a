"""Legal clocks: due instants, elapsed and remaining days, overdue steps, tacit approval.

Rules live in ``data/clocks.json``: each names the events that start, pause, resume and
stop its clock, a length in calendar days, working days or months, and the legal regime
and effective dates it belongs to. The rules in force for a dossier are those effective
on its filing date (first ``submit``); rules of the same clock name replace one another,
the latest effective one winning.

Counting convention (our reading, see docs/procedure.md): the start day is not counted;
a deadline of ``n`` days started on day ``D`` expires at the end of the ``n``-th
countable day after ``D``, i.e. at local midnight that ends it. A pause that starts on
day ``P`` and ends on day ``R`` removes the days after ``P`` up to ``R`` from the count,
so a pause never shortens a deadline.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from dataclasses import dataclass, field
from typing import Any, Literal

from .._time import add_months
from ..models import ProcedureKind
from . import _data
from ._calendar import (
    CASABLANCA,
    WorkingCalendar,
    default_calendar,
    fixed,
    local_date,
    start_of_day,
)
from ._data import ClockRuleRow, FilingWindowRow
from ._errors import ProcedureDataError
from ._state import ProcedureState

__all__ = [
    "ClockPolicy",
    "ClockReport",
    "ClockStatus",
    "RuleOverride",
    "deadlines",
    "rules_in_force",
    "validity_end",
]

Status = Literal["not_started", "running", "paused", "stopped"]


@dataclass(frozen=True, slots=True)
class RuleOverride:
    """Change one rule's length or unit (e.g. count the dispatch step in working days)."""

    rule_id: str
    length: int | None = None
    unit: Literal["calendar_days", "working_days", "months"] | None = None


@dataclass(frozen=True)
class ClockPolicy:
    """Configuration for rules the sources leave open. Defaults are documented in docs/.

    - ``enable`` / ``disable``: rule ids to switch on or off (rules tagged [U] that are
      off by default, such as ``order2023.tacit``, can be enabled here).
    - ``overrides``: :class:`RuleOverride` rows (length, unit).
    - ``complement_effect``: ``"pause"`` (default) suspends clocks while a complement is
      awaited; ``"restart"`` starts them afresh from the resubmission.
    - ``roll_to_working_day``: a calendar-day deadline falling on a weekend or holiday
      moves to the next working day (off by default: no source states it).
    - ``filing_windows``: replace the bundled régularisation windows
      (``((from, to), ...)``, inclusive dates).
    - ``calendar``: the working-day calendar (default: Morocco with announced dates).
    """

    enable: frozenset[str] = frozenset()
    disable: frozenset[str] = frozenset()
    overrides: tuple[RuleOverride, ...] = ()
    complement_effect: Literal["pause", "restart"] = "pause"
    roll_to_working_day: bool = False
    filing_windows: tuple[tuple[dt.date, dt.date], ...] | None = None
    calendar: WorkingCalendar | None = field(default=None, compare=False, hash=False)

    def __hash__(self) -> int:
        # Policies key the rule-selection cache: hash once, not at every guard.
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(
                (
                    self.enable,
                    self.disable,
                    self.overrides,
                    self.complement_effect,
                    self.roll_to_working_day,
                    self.filing_windows,
                )
            )
            object.__setattr__(self, "_hash", cached)
        return cached

    def __post_init__(self) -> None:
        named = set(self.enable) | set(self.disable) | {o.rule_id for o in self.overrides}
        if not named:
            return  # nothing to check: keeps DEFAULT_POLICY from reading data at import
        unknown = named - {r.id for r in _data.clock_rules()[0]}
        if unknown:
            raise ProcedureDataError(
                f"ClockPolicy names unknown clock rules {sorted(unknown)}; "
                f"see procedure/data/clocks.json for the ids"
            )
        for o in self.overrides:
            if o.length is not None and o.length <= 0:
                raise ProcedureDataError(f"override of {o.rule_id!r}: length must be positive")

    @property
    def working_calendar(self) -> WorkingCalendar:
        """The calendar in use."""
        return self.calendar or default_calendar()


DEFAULT_POLICY = ClockPolicy()


@dataclass(frozen=True, slots=True)
class ClockStatus:
    """One clock at one instant.

    ``due_at`` is the instant the deadline expires (for a paused clock: if it resumed
    at the report instant). ``elapsed_days`` / ``remaining_days`` count in the rule's
    unit (calendar days for month rules). ``overdue`` is true for a running or paused
    clock past its due instant; ``met`` says whether a stopped clock stopped in time.
    """

    clock: str
    rule_id: str
    label_fr: str
    label_ar: str
    purpose: str
    regime: str
    length: int
    unit: str
    confidence: str
    legal_text: str
    source_url: str | None
    status: Status
    started_at: dt.datetime | None
    stopped_at: dt.datetime | None
    due_at: dt.datetime | None
    elapsed_days: int | None
    remaining_days: int | None
    overdue: bool
    met: bool | None
    tacit_approval: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "clock": self.clock,
            "rule": self.rule_id,
            "label_fr": self.label_fr,
            "label_ar": self.label_ar,
            "purpose": self.purpose,
            "regime": self.regime,
            "length": self.length,
            "unit": self.unit,
            "confidence": self.confidence,
            "status": self.status,
            "started_at": _iso(self.started_at),
            "stopped_at": _iso(self.stopped_at),
            "due_at": _iso(self.due_at),
            "elapsed_days": self.elapsed_days,
            "remaining_days": self.remaining_days,
            "overdue": self.overdue,
            "met": self.met,
            "tacit_approval": self.tacit_approval,
        }


@dataclass(frozen=True, slots=True)
class ClockReport:
    """Every clock of a procedure at instant ``at``, and the tacit-approval instant."""

    at: dt.datetime
    clocks: tuple[ClockStatus, ...]
    tacit_approval_at: dt.datetime | None

    @property
    def tacitly_approved(self) -> bool:
        """True when silence has become approval at ``at``."""
        return self.tacit_approval_at is not None and self.at >= self.tacit_approval_at

    @property
    def overdue(self) -> tuple[ClockStatus, ...]:
        """Running or paused clocks past their due instant."""
        return tuple(c for c in self.clocks if c.overdue)

    def clock(self, name: str) -> ClockStatus | None:
        """The clock named ``name`` (``"decision"``, ``"tacit_approval"``...), if in force."""
        for c in self.clocks:
            if c.clock == name:
                return c
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "at": self.at.isoformat(),
            "tacit_approval_at": _iso(self.tacit_approval_at),
            "tacitly_approved": self.tacitly_approved,
            "overdue": [c.clock for c in self.overdue],
            "clocks": [c.to_dict() for c in self.clocks],
        }


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(CASABLANCA).isoformat() if value is not None else None


def _reference_date(state: ProcedureState, at: dt.datetime) -> dt.date:
    filed = state.first("submit")
    return local_date(filed if filed is not None else at)


def rules_in_force(
    kind: ProcedureKind | None,
    flags: frozenset[str],
    on: dt.date,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> tuple[ClockRuleRow, ...]:
    """The rule chosen for each clock name, for a kind, its flags and a filing date."""
    if kind is None:
        return ()
    return _select(kind, flags, on, policy)


@functools.lru_cache(maxsize=4096)
def _select(
    kind: ProcedureKind, flags: frozenset[str], on: dt.date, policy: ClockPolicy
) -> tuple[ClockRuleRow, ...]:
    rules, _ = _data.clock_rules()
    best: dict[str, ClockRuleRow] = {}
    for rule in rules:
        enabled = (rule.enabled or rule.id in policy.enable) and rule.id not in policy.disable
        if not enabled or kind.value not in rule.kinds:
            continue
        if not (
            rule.effective_from <= on and (rule.effective_to is None or on < rule.effective_to)
        ):
            continue
        if any((name in flags) != wanted for name, wanted in rule.when.items()):
            continue
        current = best.get(rule.clock)
        if current is None or (rule.effective_from, len(rule.when)) > (
            current.effective_from,
            len(current.when),
        ):
            best[rule.clock] = rule
    out = []
    for rule in best.values():
        for o in policy.overrides:
            if o.rule_id == rule.id:
                rule = rule.model_copy(
                    update={
                        "length": o.length if o.length is not None else rule.length,
                        "unit": o.unit if o.unit is not None else rule.unit,
                    }
                )
        out.append(rule)
    return tuple(out)


class _Run:
    """The segments of one clock run: [(start, end or None), ...] plus its status."""

    __slots__ = ("segments", "started_at", "status", "stopped_at")

    def __init__(self) -> None:
        self.segments: list[list[dt.datetime | None]] = []
        self.status: Status = "not_started"
        self.started_at: dt.datetime | None = None
        self.stopped_at: dt.datetime | None = None


def _simulate(
    rule: ClockRuleRow, marks: tuple[tuple[str, dt.datetime], ...], restart: bool
) -> _Run:
    run = _Run()
    start_on, pause_on, resume_on, stop_on = (
        rule.start_on,
        rule.pause_on,
        rule.resume_on,
        rule.stop_on,
    )
    for event, at in marks:
        status = run.status
        if status == "running":
            if event in stop_on:
                run.segments[-1][1] = at
                run.status, run.stopped_at = "stopped", at
            elif event in pause_on:
                run.segments[-1][1] = at
                run.status = "paused"
        elif status == "paused":
            if event in stop_on:
                run.status, run.stopped_at = "stopped", at
            elif event in resume_on:
                if restart:
                    run.segments = []
                    run.started_at = at
                run.segments.append([at, None])
                run.status = "running"
        elif event in start_on and (status == "not_started" or rule.restartable):
            run.segments = [[at, None]]
            run.status, run.started_at, run.stopped_at = "running", at, None
    return run


def _spans_due(
    rule: ClockRuleRow, run: _Run, at: dt.datetime, policy: ClockPolicy
) -> tuple[dt.datetime, dt.date, int, dt.date]:
    """(due instant, due date, days consumed, local date of ``at``) of a started run."""
    today = local_date(at)
    spans: list[tuple[dt.date, dt.date | None]] = [
        (local_date(a), local_date(b) if b is not None else None)
        for a, b in run.segments
        if a is not None
    ]
    # A paused clock resumes "now" for the purpose of its due date.
    if run.status == "paused":
        spans.append((today, None))
    due_date, consumed = _due(
        rule, rule.length, spans, run.status, policy.working_calendar, policy, today
    )
    return start_of_day(due_date + _ONE_DAY), due_date, consumed, today


_ONE_DAY = dt.timedelta(days=1)


def _status(rule: ClockRuleRow, run: _Run, at: dt.datetime, policy: ClockPolicy) -> ClockStatus:
    n = rule.length
    due_at: dt.datetime | None = None
    elapsed: int | None = None
    remaining: int | None = None
    if run.status != "not_started":
        due_at, due_date, consumed, today = _spans_due(rule, run, at, policy)
        elapsed = consumed
        if run.status != "stopped":
            remaining = (due_date - today).days if rule.unit == "months" else n - consumed
    overdue = run.status in ("running", "paused") and due_at is not None and at >= due_at
    met = None
    if run.status == "stopped" and due_at is not None and run.stopped_at is not None:
        met = run.stopped_at < due_at
    return ClockStatus(
        clock=rule.clock,
        rule_id=rule.id,
        label_fr=rule.label_fr,
        label_ar=rule.label_ar,
        purpose=rule.purpose,
        regime=rule.regime,
        length=rule.length,
        unit=rule.unit,
        confidence=rule.confidence,
        legal_text=rule.legal_text,
        source_url=rule.source_url,
        status=run.status,
        started_at=run.started_at,
        stopped_at=run.stopped_at,
        due_at=due_at,
        elapsed_days=elapsed,
        remaining_days=remaining,
        overdue=overdue,
        met=met,
        tacit_approval=rule.tacit_approval,
    )


def _due(
    rule: ClockRuleRow,
    n: int,
    spans: list[tuple[dt.date, dt.date | None]],
    status: Status,
    cal: WorkingCalendar,
    policy: ClockPolicy,
    today: dt.date,
) -> tuple[dt.date, int]:
    """(due date, days consumed so far) for the spans of one run.

    ``spans`` are local dates; the last span is open (``None``) for a running clock,
    closed for a stopped one (then its end only limits the consumed count).
    """
    if rule.unit == "months":
        paused_days = 0
        for (_, end), (nxt, _) in itertools.pairwise(spans):
            assert end is not None
            paused_days += max(0, (nxt - end).days)
        months_due = add_months(spans[0][0], n) + dt.timedelta(days=paused_days)
        consumed = 0
        for a, b in spans:
            stop = b if b is not None else today
            consumed += max(0, (stop - a).days)
        return months_due, consumed
    working = rule.unit == "working_days"
    count = cal.count_working_days if working else _count_calendar
    consumed = 0
    due: dt.date | None = None
    for i, (a, b) in enumerate(spans):
        last = i == len(spans) - 1
        if b is None or (last and status == "stopped"):
            # The (last) span continues for the purpose of the due date.
            if due is None:
                left = n - consumed
                due = cal.add_working_days(a, left) if working else a + dt.timedelta(days=left)
            consumed += count(a, b if b is not None else today)
            break
        c = count(a, b)
        if due is None and consumed + c >= n:
            left = n - consumed
            due = cal.add_working_days(a, left) if working else a + dt.timedelta(days=left)
        consumed += c
    assert due is not None
    if not working and policy.roll_to_working_day:
        due = cal.next_working_day(due)
    return due, consumed


def _count_calendar(after: dt.date, until: dt.date) -> int:
    return max(0, (until - after).days)


_MIN_DAYS = {"calendar_days": 1, "working_days": 1, "months": 28}


@functools.lru_cache(maxsize=1024)
def _earliest(
    kind: ProcedureKind, purpose: str, policy: ClockPolicy
) -> tuple[frozenset[str], dt.timedelta]:
    """Start events and shortest possible duration of ``purpose`` clocks for ``kind``."""
    starts: set[str] = set()
    days: int | None = None
    for rule in _data.clock_rules()[0]:
        enabled = (rule.enabled or rule.id in policy.enable) and rule.id not in policy.disable
        if not enabled or rule.purpose != purpose or kind.value not in rule.kinds:
            continue
        length = rule.length
        for o in policy.overrides:
            if o.rule_id == rule.id and o.length is not None:
                length = o.length
        units = {rule.unit} | {o.unit for o in policy.overrides if o.rule_id == rule.id and o.unit}
        shortest = min(length * _MIN_DAYS[u] for u in units)
        starts.update(rule.start_on)
        days = shortest if days is None else min(days, shortest)
    # One day of margin: an offset change (Ramadan) can move wall time by an hour.
    return frozenset(starts), dt.timedelta(days=max(0, (days or 0) - 1))


def due_instant(
    state: ProcedureState,
    at: dt.datetime,
    policy: ClockPolicy,
    purpose: str,
    *,
    only_if_reached: bool = False,
) -> dt.datetime | None:
    """Due instant of the running clock(s) of ``purpose`` at ``at`` (earliest), or ``None``.

    What the guards need, without building a whole :class:`ClockReport`. For
    ``"tacit_approval"`` this is the tacit-approval instant. With ``only_if_reached``,
    ``None`` is also returned, cheaply, when the due instant is certainly after ``at``:
    a clock cannot expire sooner than ``length`` days (28 per month) after its first
    start (less one day of margin), and pauses and restarts only push it later.
    """
    if state.kind is None:
        return None
    if only_if_reached:
        # Before selecting the exact rules: every rule this policy could put in force
        # for the kind starts on one of ``starts`` and lasts at least ``bound``.
        starts, bound = _earliest(state.kind, purpose, policy)
        if not starts:
            return None
        first = next((t for e, t in state.marks if e in starts), None)
        if first is None or at < first + bound:
            return None
    filed = state.first("submit")
    rules = _select(state.kind, state.flags, local_date(filed if filed is not None else at), policy)
    found: dt.datetime | None = None
    restart = policy.complement_effect == "restart"
    marks: tuple[tuple[str, dt.datetime], ...] | None = None
    for rule in rules:
        if rule.purpose != purpose:
            continue
        if marks is None:
            marks = (
                state.marks
                if not state.marks or state.marks[-1][1] <= at
                else tuple(m for m in state.marks if m[1] <= at)
            )
        if only_if_reached:
            first = next((t for e, t in marks if e in rule.start_on), None)
            if first is None:
                continue
            # One day of margin: an offset change (Ramadan) can move wall time by an hour.
            if at < first + dt.timedelta(days=rule.length * _MIN_DAYS[rule.unit] - 1):
                continue
        run = _simulate(rule, marks, restart)
        if run.status != "running":
            continue
        due = _spans_due(rule, run, at, policy)[0]
        if found is None or due < found:
            found = due
    return found


def deadlines(
    state: ProcedureState,
    at: dt.datetime | None = None,
    *,
    policy: ClockPolicy | None = None,
) -> ClockReport:
    """Every legal clock of ``state`` at instant ``at`` (default: its last event).

    >>> report = deadlines(state, at)            # doctest: +SKIP
    >>> report.clock("decision").due_at          # doctest: +SKIP
    """
    policy = policy or DEFAULT_POLICY
    at = fixed(at if at is not None else (state.last_at or dt.datetime.now(CASABLANCA)))
    if state.kind is None:
        return ClockReport(at=at, clocks=(), tacit_approval_at=None)
    rules = rules_in_force(state.kind, state.flags, _reference_date(state, at), policy)
    # Only events up to ``at`` count: a report "as of" a past instant ignores later ones.
    marks = tuple(m for m in state.marks if m[1] <= at)
    restart = policy.complement_effect == "restart"
    statuses = []
    tacit_at: dt.datetime | None = None
    for rule in rules:
        run = _simulate(rule, marks, restart)
        st = _status(rule, run, at, policy)
        statuses.append(st)
        if (
            rule.tacit_approval
            and st.due_at is not None
            and (
                st.status == "running"
                or (
                    st.status == "stopped"
                    and st.stopped_at is not None
                    and st.stopped_at >= st.due_at
                )
            )
        ):
            tacit_at = st.due_at if tacit_at is None else min(tacit_at, st.due_at)
    order = {"step": 0, "maximum": 1, "target": 2, "tacit_approval": 3, "validity": 4}
    statuses.sort(key=lambda s: (order.get(s.purpose, 9), s.clock))
    return ClockReport(at=at, clocks=tuple(statuses), tacit_approval_at=tacit_at)


def filing_windows(
    kind: ProcedureKind, policy: ClockPolicy | None = None
) -> tuple[tuple[dt.date, dt.date], ...]:
    """Filing windows of ``kind`` (empty when the kind may be filed at any time)."""
    policy = policy or DEFAULT_POLICY
    if policy.filing_windows is not None:
        return policy.filing_windows if kind.value in _window_kinds() else ()
    return tuple((w.from_, w.to) for w in _data.clock_rules()[1] if kind.value in w.kinds)


def _window_kinds() -> frozenset[str]:
    rows: tuple[FilingWindowRow, ...] = _data.clock_rules()[1]
    return frozenset(k for w in rows for k in w.kinds)


def validity_end(
    kind: ProcedureKind | str,
    issued_on: dt.date,
    *,
    filed_on: dt.date | None = None,
    flags: frozenset[str] = frozenset(),
    policy: ClockPolicy = DEFAULT_POLICY,
) -> dt.date | None:
    """The last day of validity of a permit of ``kind`` issued on ``issued_on``.

    The due date of the kind's ``validity`` clock started on the day of issue, by the
    same rule selection and month arithmetic as :func:`deadlines`, so the date printed on
    a permit and the ``lapse`` guard agree. ``None`` when no validity rule is in force
    for the kind (economic licences, permis d'habiter). The rule is chosen by the filing
    date (``filed_on``, default the issue date), the dossier's flags and ``policy``
    (rules tagged [U], such as the 12-month validity of building permits, are
    configuration). The permit is valid through the returned day.

    >>> validity_end("URB_PERMIS_DEMOLITION", dt.date(2026, 11, 28))
    datetime.date(2027, 5, 28)
    """
    from ..models import procedure_kind_info

    info = procedure_kind_info(kind)  # NotFoundError naming the known kinds
    rules = rules_in_force(info.kind, flags, filed_on or issued_on, policy)
    rule = next((r for r in rules if r.purpose == "validity"), None)
    if rule is None:
        return None
    start: list[tuple[dt.date, dt.date | None]] = [(issued_on, None)]
    due, _ = _due(rule, rule.length, start, "running", policy.working_calendar, policy, issued_on)
    return due
