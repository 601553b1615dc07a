"""The tamper-evident journal: JSON Lines, one event per line, each linked to the previous.

Line format (UTF-8, one JSON object per line, keys in exactly this order, no spaces)::

    {"seq":1,"at":"2026-03-02T10:00:00+01:00","actor":"arch-17","role":"ARCHITECTE",
     "event":"sign_plans","payload_hash":"<sha256 of data>","prev":"<hash of line 0>",
     "data":{...},"hash":"<sha256 of this line up to ,"hash">"}

- ``data`` is the event's :class:`Context` (keys sorted, compact); ``payload_hash`` is
  the SHA-256 of its exact bytes.
- ``hash`` is the SHA-256 of the line's bytes before ``,"hash":"``; it covers ``prev``,
  so the lines form a hash chain. Line 0 (``event`` ``"open"``) names the procedure and
  has ``prev`` = 64 zeros.

Because the hashes are taken over the bytes as written, checking them needs no
re-serialisation: the replay hot path is ``json.loads`` + one SHA-256 + ``apply``.
Replay checks the chain (which covers every byte, ``data`` included); :func:`verify`
also checks each ``payload_hash`` and the canonical form.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .._errors import InvalidInputError
from ..models import ProcedureKind, Role
from ._calendar import fixed
from ._clocks import DEFAULT_POLICY, ClockPolicy
from ._definitions import SIGNATURE_KEY, ProcedureDefinition, Transition, definition
from ._engine import advance_state, as_role, find_transition, start
from ._errors import (
    JournalDuplicateEntry,
    JournalError,
    JournalEventRefused,
    JournalFormatError,
    JournalOutOfOrder,
    JournalTampered,
    TransitionRefused,
    UnknownProcedureError,
)
from ._state import Context, ProcedureState

__all__ = ["GENESIS", "Journal", "JournalEntry", "replay", "verify"]

#: ``prev`` of the first line.
GENESIS = "0" * 64
_TAIL = len(',"hash":"') + 64 + len('"}')
_DATA_KEY = b',"data":'
_ROLES: dict[str, Role] = {r.value: r for r in Role}


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One parsed journal line."""

    seq: int
    at: dt.datetime
    actor: str
    role: str
    event: str
    data: dict[str, Any]
    payload_hash: str
    prev: str
    hash: str


# Characters str.splitlines() treats as line breaks but JSON leaves raw: escaped, so a
# journal read as text splits into the same lines as when read as bytes.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _canon(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.translate(_LINE_BREAKS) if not text.isascii() else text


def _line(
    seq: int, at: dt.datetime, actor: str, role: str, event: str, data: Mapping[str, Any], prev: str
) -> bytes:
    data_json = _canon(data)
    payload_hash = hashlib.sha256(data_json.encode()).hexdigest()
    body = (
        f'{{"seq":{seq},"at":{_canon(at.isoformat())},"actor":{_canon(actor)},'
        f'"role":{_canon(role)},"event":{_canon(event)},"payload_hash":"{payload_hash}",'
        f'"prev":"{prev}","data":{data_json}'
    ).encode()
    return body + b',"hash":"' + hashlib.sha256(body).hexdigest().encode() + b'"}'


def _as_local(at: dt.datetime) -> dt.datetime:
    return fixed(at)


class Journal:
    """An append-only, hash-chained record of one procedure's events.

    Build one with :meth:`open`, add events with :meth:`record` (which applies the
    event first: a refused event is never written), persist with :meth:`save`, and read
    back with :meth:`load` / :meth:`from_lines` (which verify every link and replay).

    Example (``t0``, ``t1`` aware datetimes)::

        j = Journal.open(ProcedureKind.URB_PERMIS_REFECTION, at=t0, actor="guichet-1")
        j.record("submit", role=Role.PETITIONNAIRE, actor="CIN:AB1", at=t1)
    """

    __slots__ = ("_hashes", "_lines", "_state", "policy", "problem")

    def __init__(self, *, policy: ClockPolicy | None = None) -> None:
        self._lines: list[bytes] = []
        self._hashes: list[str] = []
        self._state: ProcedureState | None = None
        self.policy = policy or DEFAULT_POLICY
        #: The error that cut a journal read with ``on_error="truncate"``, else ``None``.
        self.problem: JournalError | None = None

    # --- building -------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        which: ProcedureKind | str,
        *,
        at: dt.datetime,
        actor: str,
        role: Role | str = Role.SYSTEM,
        dossier: str | None = None,
        policy: ClockPolicy | None = None,
    ) -> Journal:
        """A new journal whose line 0 opens a procedure of kind ``which``.

        ``which`` is a :class:`ProcedureKind` or ``"signature_key"``; ``dossier`` an
        optional reference stored in line 0.
        """
        journal = cls(policy=policy)
        state = start(which, at=at)
        data: dict[str, Any] = {"graph": state.graph}
        if state.kind is not None:
            data["kind"] = state.kind.value
        if dossier is not None:
            data["dossier"] = str(dossier)
        line = _line(0, _as_local(at), str(actor), as_role(role).value, "open", data, GENESIS)
        journal._push(line, state)
        return journal

    def _push(self, line: bytes, state: ProcedureState) -> None:
        self._lines.append(line)
        self._hashes.append(line[-66:-2].decode())
        self._state = state

    def record(
        self,
        event: str,
        *,
        role: Role | str,
        actor: str,
        at: dt.datetime,
        context: Context | Mapping[str, Any] | None = None,
    ) -> ProcedureState:
        """Apply ``event`` and append it; returns the new state.

        A refused event raises :class:`TransitionRefused` and leaves the journal as it was.
        """
        state = self.state
        ctx = context if isinstance(context, Context) else Context.from_dict(context)
        role_ = as_role(role)
        at = _as_local(at)
        d = definition(state.kind if state.kind is not None else state.graph)
        t = find_transition(d, state, event, role_, at, ctx, self.policy)
        new = advance_state(state, t, at, ctx)
        line = _line(
            len(self._lines), at, str(actor), role_.value, event, ctx.to_dict(), self._hashes[-1]
        )
        self._push(line, new)
        return new

    def copy(self) -> Journal:
        """An independent journal with the same verified lines (no re-verification): what
        to record into when the original must stay as it was until a commit."""
        twin = Journal(policy=self.policy)
        twin._lines = list(self._lines)
        twin._hashes = list(self._hashes)
        twin._state = self._state
        return twin

    # --- reading --------------------------------------------------------------------
    @property
    def state(self) -> ProcedureState:
        """The state after the last entry."""
        if self._state is None:
            raise InvalidInputError("empty journal: create it with Journal.open(kind, ...)")
        return self._state

    @property
    def head(self) -> str:
        """Hash of the last entry (what the next entry's ``prev`` must be)."""
        return self._hashes[-1] if self._hashes else GENESIS

    @property
    def lines(self) -> tuple[bytes, ...]:
        """The lines as written (no trailing newline)."""
        return tuple(self._lines)

    def __len__(self) -> int:
        return len(self._lines)

    def entries(self) -> list[JournalEntry]:
        """Every entry, parsed."""
        out = []
        for raw in self._lines:
            obj = json.loads(raw)
            out.append(
                JournalEntry(
                    seq=obj["seq"],
                    at=dt.datetime.fromisoformat(obj["at"]),
                    actor=obj["actor"],
                    role=obj["role"],
                    event=obj["event"],
                    data=obj["data"],
                    payload_hash=obj["payload_hash"],
                    prev=obj["prev"],
                    hash=obj["hash"],
                )
            )
        return out

    def to_jsonl(self) -> str:
        """The whole journal as JSON Lines text."""
        return "".join(line.decode() + "\n" for line in self._lines)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the journal to ``path`` atomically (temporary file + rename)."""
        target = Path(path)
        tmp = target.with_name(target.name + ".tmp")
        with open(tmp, "wb") as fh:
            for line in self._lines:
                fh.write(line + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        *,
        policy: ClockPolicy | None = None,
        on_error: Literal["raise", "truncate"] = "raise",
    ) -> Journal:
        """Read, verify and replay a journal file (see :meth:`from_lines`)."""
        with open(path, "rb") as fh:
            data = fh.read()
        return cls.from_lines(data.splitlines(), policy=policy, on_error=on_error)

    @classmethod
    def from_lines(
        cls,
        lines: Iterable[bytes | str],
        *,
        policy: ClockPolicy | None = None,
        on_error: Literal["raise", "truncate"] = "raise",
    ) -> Journal:
        """Verify every link and replay every event.

        On the first bad entry: ``on_error="raise"`` raises the :class:`JournalError`
        naming it (its ``valid_entries`` holds the verified prefix);
        ``"truncate"`` returns the journal of the verified prefix with ``problem`` set.
        """
        journal = cls(policy=policy)
        try:
            _replay_into(journal, lines)
        except JournalError as exc:
            if on_error == "raise":
                raise
            journal.problem = exc
        return journal


def _format(
    index: int, what: str, seq: int | None = None, journal: Journal | None = None
) -> JournalFormatError:
    return JournalFormatError(
        f"journal line {index + 1}: {what}; each line must be one entry written by Journal",
        index=index,
        seq=seq,
        valid_entries=tuple(journal._lines) if journal else (),
    )


def _error(
    cls: type[JournalError], message: str, index: int, seq: int | None, kept: list[bytes]
) -> JournalError:
    return cls(message, index=index, seq=seq, valid_entries=tuple(kept))


# Contexts parsed from ``data`` text, reused across entries and journals: the same few
# payloads (an opinion, "fees paid"...) recur constantly, and a Context is immutable.
_CONTEXTS: dict[str, Context] = {}

#: The canonical layout of a line (see the module docstring).
_LINE = re.compile(
    r'\{"seq":(0|[1-9][0-9]{0,17}),"at":"([^"\\]{10,40})",'
    r'"actor":"(?:[^"\\\x00-\x1f]|\\.)*",'
    r'"role":"([A-Z_]{1,40})","event":"([a-z_]{1,40})",'
    r'"payload_hash":"[0-9a-f]{64}","prev":"([0-9a-f]{64})",'
    r'"data":(\{.*\}),"hash":"([0-9a-f]{64})"\}',
    re.DOTALL,
)
_LAYOUT = (
    "not in the journal layout "
    '({"seq":..,"at":..,"actor":..,"role":..,"event":..,"payload_hash":..,"prev":..,'
    '"data":{..},"hash":..})'
)


def _replay_into(journal: Journal, lines: Iterable[bytes | str]) -> None:
    # ``journal._state`` follows every verified line, so a failure keeps the prefix.
    _replay_lines(journal, lines, None, None, GENESIS, None)


def _replay_lines(
    journal: Journal,
    lines: Iterable[bytes | str],
    d: ProcedureDefinition | None,
    state: ProcedureState | None,
    prev_hash: str,
    prev_at: dt.datetime | None,
) -> ProcedureState:
    sha256 = hashlib.sha256
    compare = hmac.compare_digest
    match = _LINE.fullmatch
    fromiso = dt.datetime.fromisoformat
    roles = _ROLES
    policy = journal.policy
    hashes = journal._hashes
    kept = journal._lines
    tail = _TAIL
    transitions: dict[tuple[str, str], Transition] = d.transitions if d is not None else {}
    # The hot path of bench/procedure.py. One regular expression checks the canonical
    # layout and extracts the fields (no general JSON parse: ``data`` is parsed only
    # the first time its exact text is seen); one SHA-256 checks the chain; guards
    # and clocks run only where a transition has them.
    for index, raw in enumerate(lines):
        line = raw if type(raw) is bytes else (raw.encode() if isinstance(raw, str) else bytes(raw))
        if not line.endswith(b'"}'):
            line = line.rstrip(b"\r\n")
        try:
            text = line.decode()
        except UnicodeDecodeError:
            raise _format(index, "not UTF-8", journal=journal) from None
        m = match(text)
        if m is None:
            what = "empty line" if not line else _LAYOUT
            raise _format(index, what, journal=journal)
        seq_text, at_text, role, event, prev, data_text, claimed = m.groups()
        seq = int(seq_text)
        if seq != index:
            if seq < index and compare(hashes[seq], claimed):
                raise _error(
                    JournalDuplicateEntry,
                    f"journal line {index + 1} duplicates entry {seq} (line {seq + 1})",
                    index,
                    seq,
                    kept,
                )
            gap = f" (entries {index}..{seq - 1} are missing)" if seq > index else ""
            raise _error(
                JournalOutOfOrder,
                f"journal line {index + 1} carries seq {seq} where seq {index} was expected{gap}",
                index,
                seq,
                kept,
            )
        if not compare(sha256(line[: len(line) - tail]).hexdigest(), claimed):
            raise _error(
                JournalTampered,
                f"journal entry {seq} (line {index + 1}) was altered: "
                "its hash does not match its content",
                index,
                seq,
                kept,
            )
        if prev != prev_hash:
            raise _error(
                JournalTampered,
                f"journal entry {seq} (line {index + 1}) does not link to entry {seq - 1}: "
                "an entry was removed, replaced or reordered",
                index,
                seq,
                kept,
            )
        try:
            at = fromiso(at_text)
        except ValueError:
            raise _format(index, f"bad time {at_text!r}", seq, journal) from None
        if at.tzinfo is None:
            raise _format(index, "time without offset", seq, journal)
        if prev_at is not None and at < prev_at:
            raise _error(
                JournalOutOfOrder,
                f"journal entry {seq} (line {index + 1}) is dated {at_text}, "
                f"before entry {seq - 1}",
                index,
                seq,
                kept,
            )
        try:
            if index:
                assert state is not None
                assert d is not None
                ctx = _CONTEXTS.get(data_text) or _parse_context(data_text)
                role_ = roles.get(role)
                if role_ is None:
                    raise _format(index, f"unknown role {role!r}", seq, journal)
                t = transitions.get((state.state, event))
                if t is None or t.guards or role_ not in t.roles:
                    # Anything but a plain allowed step: the full check (and its refusal).
                    t = find_transition(d, state, event, role_, at, ctx, policy)
                state = advance_state(state, t, at, ctx)
            else:
                data = _json_object(data_text)
                if event != "open":
                    raise _format(index, "line 0 must be the 'open' entry", seq, journal)
                which = data.get("kind") or data.get("graph")
                if not isinstance(which, str) or (
                    data.get("kind") is None and which != SIGNATURE_KEY
                ):
                    raise _format(index, "the 'open' entry names no kind", seq, journal)
                state = start(which, at=at)
                d = definition(state.kind if state.kind is not None else state.graph)
                transitions = d.transitions
        except TransitionRefused as refusal:
            raise JournalEventRefused(
                f"journal entry {seq} (line {index + 1}): {refusal.message}",
                index=index,
                seq=seq,
                refusal=refusal,
                valid_entries=tuple(kept),
            ) from None
        except (InvalidInputError, UnknownProcedureError) as exc:
            # UnknownProcedureError (a NotFoundError): line 0 names a kind we do not know
            if isinstance(exc, JournalError):
                raise
            raise _format(index, exc.message, seq, journal) from None
        kept.append(line)
        hashes.append(claimed)
        journal._state = state
        prev_hash = claimed
        prev_at = at
    if state is None:
        raise _format(0, "the journal is empty")
    return state


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise InvalidInputError("data is not valid JSON") from None
    if not isinstance(value, dict):
        raise InvalidInputError("data is not a JSON object")
    return value


def _parse_context(data_text: str) -> Context:
    ctx = Context.from_dict(_json_object(data_text))
    if len(_CONTEXTS) > 4096:
        _CONTEXTS.clear()
    _CONTEXTS[data_text] = ctx
    return ctx


def replay(lines: Iterable[bytes | str], *, policy: ClockPolicy | None = None) -> ProcedureState:
    """Verify and replay journal lines; return the final state (raises :class:`JournalError`)."""
    return Journal.from_lines(lines, policy=policy).state


def verify(
    lines: Iterable[bytes | str], *, policy: ClockPolicy | None = None
) -> JournalError | None:
    """The first problem of a journal (verification + replay), or ``None`` when sound.

    Besides what replay checks (hash chain, sequence, time order, every event accepted
    by the engine), this also checks each ``payload_hash`` against its ``data`` and
    requires every line to be in canonical form (the exact bytes :class:`Journal`
    writes).
    """
    materialised = [ln.encode() if isinstance(ln, str) else bytes(ln) for ln in lines]
    journal = Journal.from_lines(materialised, policy=policy, on_error="truncate")
    if journal.problem is not None:
        return journal.problem
    for index, line in enumerate(materialised):
        line = line.rstrip(b"\r\n")
        try:
            obj = json.loads(line)
        except ValueError:
            return JournalFormatError(
                f"journal line {index + 1} is not valid JSON",
                index=index,
                valid_entries=tuple(materialised[:index]),
            )
        data_bytes = line[line.find(_DATA_KEY) + 8 : len(line) - _TAIL]
        if not hmac.compare_digest(
            hashlib.sha256(data_bytes).hexdigest(), str(obj.get("payload_hash", ""))
        ):
            return JournalTampered(
                f"journal entry {obj['seq']} (line {index + 1}): payload_hash does not match data",
                index=index,
                seq=obj["seq"],
                valid_entries=tuple(materialised[:index]),
            )
        expected = _line(
            obj["seq"],
            dt.datetime.fromisoformat(obj["at"]),
            obj["actor"],
            obj["role"],
            obj["event"],
            obj["data"],
            obj["prev"],
        )
        if expected != line:
            return JournalFormatError(
                f"journal entry {obj['seq']} (line {index + 1}) is not in canonical form",
                index=index,
                seq=obj["seq"],
                valid_entries=tuple(materialised[:index]),
            )
    return None
