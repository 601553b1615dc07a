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

Because both hashes are taken over the bytes as written, checking them needs no
re-serialisation: the replay hot path is ``json.loads`` + two SHA-256 + ``apply``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .._errors import InvalidInputError
from ..models import ProcedureKind, Role
from ._calendar import fixed
from ._clocks import DEFAULT_POLICY, ClockPolicy
from ._definitions import SIGNATURE_KEY, definition
from ._engine import _advance, _role, _transition, start
from ._errors import (
    JournalDuplicateEntry,
    JournalError,
    JournalEventRefused,
    JournalFormatError,
    JournalOutOfOrder,
    JournalTampered,
    TransitionRefused,
)
from ._state import EMPTY_CONTEXT, Context, ProcedureState

__all__ = ["GENESIS", "Journal", "JournalEntry", "replay", "verify"]

#: ``prev`` of the first line.
GENESIS = "0" * 64
_TAIL = len(',"hash":"') + 64 + len('"}')
_HASH_KEY = b',"hash":"'
_DATA_KEY = b',"data":'


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


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


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
        line = _line(0, _as_local(at), str(actor), _role(role).value, "open", data, GENESIS)
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
        role_ = _role(role)
        at = _as_local(at)
        d = definition(state.kind if state.kind is not None else state.graph)
        t = _transition(d, state, event, role_, at, ctx, self.policy)
        new = _advance(state, t, at, ctx)
        line = _line(
            len(self._lines), at, str(actor), role_.value, event, ctx.to_dict(), self._hashes[-1]
        )
        self._push(line, new)
        return new

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


def _replay_into(journal: Journal, lines: Iterable[bytes | str]) -> None:
    sha256 = hashlib.sha256
    compare = hmac.compare_digest
    loads = json.loads
    fromiso = dt.datetime.fromisoformat
    from_dict = Context.from_dict
    policy = journal.policy
    state: ProcedureState | None = None
    d = None
    prev_hash = GENESIS
    prev_at: dt.datetime | None = None
    hashes = journal._hashes
    kept = journal._lines
    for index, raw in enumerate(lines):
        line = raw.encode() if isinstance(raw, str) else bytes(raw)
        line = line.rstrip(b"\r\n")
        if not line:
            raise _format(index, "empty line", journal=journal)
        if len(line) <= _TAIL or line[-_TAIL : -_TAIL + 9] != _HASH_KEY or not line.endswith(b'"}'):
            raise _format(index, "the line does not end with its hash field", journal=journal)
        try:
            obj = loads(line)
            seq = obj["seq"]
            claimed = obj["hash"]
            event = obj["event"]
        except (ValueError, KeyError, TypeError):
            raise _format(
                index, "not a JSON object with seq, event and hash", journal=journal
            ) from None
        if type(seq) is not int:
            raise _format(index, "seq is not an integer", journal=journal)
        if seq != index:
            if 0 <= seq < index and compare(hashes[seq], claimed):
                raise JournalDuplicateEntry(
                    f"journal line {index + 1} duplicates entry {seq} (line {seq + 1})",
                    index=index,
                    seq=seq,
                    valid_entries=tuple(kept),
                )
            raise JournalOutOfOrder(
                f"journal line {index + 1} carries seq {seq} where seq {index} was expected"
                + (f" (entries {index}..{seq - 1} are missing)" if seq > index else ""),
                index=index,
                seq=seq,
                valid_entries=tuple(kept),
            )
        body = line[:-_TAIL]
        if not compare(sha256(body).hexdigest(), claimed):
            raise JournalTampered(
                f"journal entry {seq} (line {index + 1}) was altered: "
                "its hash does not match its content",
                index=index,
                seq=seq,
                valid_entries=tuple(kept),
            )
        if obj.get("prev") != prev_hash:
            raise JournalTampered(
                f"journal entry {seq} (line {index + 1}) does not link to entry {seq - 1}: "
                "an entry was removed, replaced or reordered",
                index=index,
                seq=seq,
                valid_entries=tuple(kept),
            )
        cut = body.find(_DATA_KEY)
        if cut < 0 or not compare(sha256(body[cut + 8 :]).hexdigest(), obj.get("payload_hash", "")):
            raise JournalTampered(
                f"journal entry {seq} (line {index + 1}): payload_hash does not match data",
                index=index,
                seq=seq,
                valid_entries=tuple(kept),
            )
        try:
            at = fromiso(obj["at"])
            role = obj["role"]
            data = obj["data"]
        except (KeyError, TypeError, ValueError):
            raise _format(index, "bad at, role or data", seq, journal) from None
        if at.tzinfo is None:
            raise _format(index, "time without offset", seq, journal)
        if prev_at is not None and at < prev_at:
            raise JournalOutOfOrder(
                f"journal entry {seq} (line {index + 1}) is dated {obj['at']}, "
                f"before entry {seq - 1}",
                index=index,
                seq=seq,
                valid_entries=tuple(kept),
            )
        try:
            if index == 0:
                if event != "open" or not isinstance(data, dict):
                    raise _format(index, "line 0 must be the 'open' entry", seq, journal)
                which = data.get("kind") or data.get("graph")
                if which is None or (data.get("kind") is None and which != SIGNATURE_KEY):
                    raise _format(index, "the 'open' entry names no kind", seq, journal)
                state = start(which, at=at)
                d = definition(state.kind if state.kind is not None else state.graph)
            else:
                assert state is not None
                assert d is not None
                ctx = from_dict(data) if data else EMPTY_CONTEXT
                t = _transition(d, state, event, _role(role), at, ctx, policy)
                state = _advance(state, t, at, ctx)
        except TransitionRefused as refusal:
            raise JournalEventRefused(
                f"journal entry {seq} (line {index + 1}): {refusal.message}",
                index=index,
                seq=seq,
                refusal=refusal,
                valid_entries=tuple(kept),
            ) from None
        except InvalidInputError as exc:
            if isinstance(exc, JournalError):
                raise
            raise _format(index, exc.message, seq, journal) from None
        kept.append(line)
        hashes.append(claimed)
        prev_hash = claimed
        prev_at = at
        journal._state = state
    if state is None:
        raise _format(0, "the journal is empty")


def replay(lines: Iterable[bytes | str], *, policy: ClockPolicy | None = None) -> ProcedureState:
    """Verify and replay journal lines; return the final state (raises :class:`JournalError`)."""
    return Journal.from_lines(lines, policy=policy).state


def verify(
    lines: Iterable[bytes | str], *, policy: ClockPolicy | None = None
) -> JournalError | None:
    """The first problem of a journal (verification + replay), or ``None`` when sound.

    Besides what replay checks, this also requires every line to be in canonical form
    (the exact bytes :class:`Journal` writes).
    """
    materialised = [ln.encode() if isinstance(ln, str) else bytes(ln) for ln in lines]
    journal = Journal.from_lines(materialised, policy=policy, on_error="truncate")
    if journal.problem is not None:
        return journal.problem
    for index, line in enumerate(materialised):
        line = line.rstrip(b"\r\n")
        obj = json.loads(line)
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
