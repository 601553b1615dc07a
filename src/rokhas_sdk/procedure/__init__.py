"""What may HAPPEN to a dossier: states, transitions, roles, legal clocks and the journal.

The engine is pure and table-driven (``procedure/data/*.json``):

- :func:`definition` gives a family's graph (states, events, transitions with roles and
  guards, French and Arabic labels); :func:`mermaid` and :func:`matrix_markdown` render it.
- :func:`start` creates a :class:`ProcedureState`; :func:`apply` applies an event done by
  a role at an instant with a :class:`Context` of facts, returning the new state or
  raising :class:`TransitionRefused` (``reason`` code + ``message_fr`` / ``message_ar``);
  :func:`check` returns the refusal instead of raising; :func:`allowed_events` lists
  what a role may do next.
- :func:`deadlines` computes every legal clock at an instant (:class:`ClockReport`: due
  instants, elapsed/remaining days, overdue steps, tacit-approval instant), under a
  :class:`ClockPolicy` for the rules the law leaves open; :class:`WorkingCalendar` counts
  Moroccan working days; :func:`validity_end` is the last valid day of a delivered permit.
- :class:`Journal` records events in a hash-chained JSON Lines file; :func:`replay`
  and :func:`verify` read one back, naming the first bad entry.
"""

from __future__ import annotations

from .._lazy import set_public_module
from ._calendar import CASABLANCA as CASABLANCA
from ._calendar import WorkingCalendar as WorkingCalendar
from ._calendar import default_calendar as default_calendar
from ._clocks import ClockPolicy as ClockPolicy
from ._clocks import ClockReport as ClockReport
from ._clocks import ClockStatus as ClockStatus
from ._clocks import RuleOverride as RuleOverride
from ._clocks import deadlines as deadlines
from ._clocks import filing_windows as filing_windows
from ._clocks import rules_in_force as rules_in_force
from ._clocks import validity_end as validity_end
from ._definitions import SIGNATURE_KEY as SIGNATURE_KEY
from ._definitions import EventInfo as EventInfo
from ._definitions import KindInfo as KindInfo
from ._definitions import ProcedureDefinition as ProcedureDefinition
from ._definitions import StateInfo as StateInfo
from ._definitions import Transition as Transition
from ._definitions import definition as definition
from ._definitions import definitions as definitions
from ._definitions import graph_names as graph_names
from ._definitions import kind_info as kind_info
from ._engine import allowed_events as allowed_events
from ._engine import apply as apply
from ._engine import check as check
from ._engine import start as start
from ._errors import JournalDuplicateEntry as JournalDuplicateEntry
from ._errors import JournalError as JournalError
from ._errors import JournalEventRefused as JournalEventRefused
from ._errors import JournalFormatError as JournalFormatError
from ._errors import JournalOutOfOrder as JournalOutOfOrder
from ._errors import JournalTampered as JournalTampered
from ._errors import ProcedureDataError as ProcedureDataError
from ._errors import ProcedureError as ProcedureError
from ._errors import RefusalReason as RefusalReason
from ._errors import TransitionRefused as TransitionRefused
from ._errors import UnknownProcedureError as UnknownProcedureError
from ._journal import GENESIS as GENESIS
from ._journal import Journal as Journal
from ._journal import JournalEntry as JournalEntry
from ._journal import replay as replay
from ._journal import verify as verify
from ._render import clocks_markdown as clocks_markdown
from ._render import matrix_markdown as matrix_markdown
from ._render import mermaid as mermaid
from ._render import render_docs as render_docs
from ._state import Context as Context
from ._state import ProcedureState as ProcedureState
from ._state import context_for as context_for

__all__ = [
    "CASABLANCA",
    "GENESIS",
    "SIGNATURE_KEY",
    "ClockPolicy",
    "ClockReport",
    "ClockStatus",
    "Context",
    "EventInfo",
    "Journal",
    "JournalDuplicateEntry",
    "JournalEntry",
    "JournalError",
    "JournalEventRefused",
    "JournalFormatError",
    "JournalOutOfOrder",
    "JournalTampered",
    "KindInfo",
    "ProcedureDataError",
    "ProcedureDefinition",
    "ProcedureError",
    "ProcedureState",
    "RefusalReason",
    "RuleOverride",
    "StateInfo",
    "Transition",
    "TransitionRefused",
    "UnknownProcedureError",
    "WorkingCalendar",
    "allowed_events",
    "apply",
    "check",
    "clocks_markdown",
    "context_for",
    "deadlines",
    "default_calendar",
    "definition",
    "definitions",
    "filing_windows",
    "graph_names",
    "kind_info",
    "matrix_markdown",
    "mermaid",
    "render_docs",
    "replay",
    "rules_in_force",
    "start",
    "validity_end",
    "verify",
]

set_public_module(__name__, globals(), __all__)
