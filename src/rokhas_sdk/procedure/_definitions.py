"""Procedure definitions: one state graph per family, compiled from the data tables.

The tables (``data/graphs.json`` + ``data/vocabulary.json``) are the single source; the
Mermaid diagrams and the (state, event, role) matrix in docs/ are generated from them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from ..models import CommissionBody, ProcedureFamily, ProcedureKind, Role
from . import _data
from ._errors import ProcedureDataError, UnknownProcedureError

__all__ = [
    "SIGNATURE_KEY",
    "EventInfo",
    "KindInfo",
    "ProcedureDefinition",
    "StateInfo",
    "Transition",
    "definition",
    "definitions",
    "graph_names",
    "kind_info",
]

_KINDS: dict[str, ProcedureKind] = {k.value: k for k in ProcedureKind}

#: ``"to"`` value of a table row whose event leaves the state unchanged (a self-loop).
SAME = "="

#: Name of the graph of the 2020 circular's signature-key delivery (not a dossier family).
SIGNATURE_KEY = "signature_key"


@dataclass(frozen=True, slots=True)
class StateInfo:
    """A state of a graph with its French and Arabic labels."""

    id: str
    label_fr: str
    label_ar: str
    terminal: bool


@dataclass(frozen=True, slots=True)
class EventInfo:
    """An event with its French and Arabic labels."""

    id: str
    label_fr: str
    label_ar: str


@dataclass(frozen=True, slots=True)
class Transition:
    """``source --event--> target``, allowed to ``roles`` when every guard holds."""

    source: str
    event: str
    target: str
    roles: frozenset[Role]
    guards: tuple[str, ...]
    evidence: str
    confidence: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class KindInfo:
    """Per-kind facts: family, commission composition, whether an inquiry is needed."""

    kind: ProcedureKind
    family: str
    commission_bodies: frozenset[CommissionBody]
    required_opinions: tuple[CommissionBody, ...]
    requires_commission: bool
    requires_inquiry: bool


@dataclass(frozen=True)
class ProcedureDefinition:
    """The compiled graph of one family (or of the signature-key machine).

    ``transitions`` maps ``(state, event)`` to its :class:`Transition`; every other
    pair is refused. Use :func:`definition` to get one.
    """

    name: str
    label_fr: str
    label_ar: str
    initial: str
    states: dict[str, StateInfo]
    events: dict[str, EventInfo]
    transitions: dict[tuple[str, str], Transition]
    kinds: tuple[ProcedureKind, ...] = ()
    _by_state: dict[str, tuple[Transition, ...]] = field(default_factory=dict, repr=False)

    def outgoing(self, state: str) -> tuple[Transition, ...]:
        """Transitions leaving ``state``, in table order."""
        return self._by_state.get(state, ())

    def is_terminal(self, state: str) -> bool:
        """True when no event leaves ``state``."""
        return not self._by_state.get(state)

    @property
    def roles(self) -> tuple[Role, ...]:
        """Every role that appears on at least one transition, in enum order."""
        used = {r for t in self.transitions.values() for r in t.roles}
        return tuple(r for r in Role if r in used)


def graph_names() -> tuple[str, ...]:
    """Names of every bundled graph (the family values, plus ``signature_key``)."""
    return tuple(_data.graphs())


@functools.cache
def _compile(name: str) -> ProcedureDefinition:
    graphs = _data.graphs()
    if name not in graphs:
        raise UnknownProcedureError(
            f"no procedure graph named {name!r}; known graphs: {', '.join(graphs)}"
        )
    vocab = _data.vocabulary()
    graph, rows = graphs[name]
    transitions: dict[tuple[str, str], Transition] = {}
    order: list[str] = [graph.initial]
    for row in rows:
        for src in row.from_:
            if src not in order:
                order.append(src)
        if row.to != SAME and row.to not in order:
            order.append(row.to)
    for row in rows:
        bad_guards = [g for g in row.guards if g not in _data.GUARDS]
        if bad_guards:
            raise ProcedureDataError(
                f"procedure/data/graphs.json: graph {name!r} event {row.event!r} "
                f"uses unknown guards {bad_guards}"
            )
        if row.event not in vocab.events:
            raise ProcedureDataError(
                f"procedure/data/graphs.json: event {row.event!r} has no labels in vocabulary.json"
            )
        for src in row.from_:
            if (src, row.event) in transitions:
                raise ProcedureDataError(
                    f"procedure/data/graphs.json: graph {name!r} defines ({src}, {row.event}) twice"
                )
            transitions[(src, row.event)] = Transition(
                source=src,
                event=row.event,
                target=src if row.to == SAME else row.to,
                roles=frozenset(row.roles),
                guards=tuple(row.guards),
                evidence=row.source,
                confidence=row.confidence,
                note=row.note,
            )
    by_state: dict[str, list[Transition]] = {}
    for t in transitions.values():
        by_state.setdefault(t.source, []).append(t)
    states: dict[str, StateInfo] = {}
    for sid in order:
        if sid not in vocab.states:
            raise ProcedureDataError(
                f"procedure/data/graphs.json: state {sid!r} has no labels in vocabulary.json"
            )
        lab = vocab.states[sid]
        states[sid] = StateInfo(sid, lab.label_fr, lab.label_ar, terminal=sid not in by_state)
    event_ids: list[str] = []
    for row in rows:
        if row.event not in event_ids:
            event_ids.append(row.event)
    events = {
        e: EventInfo(e, vocab.events[e].label_fr, vocab.events[e].label_ar) for e in event_ids
    }
    kinds = tuple(
        k
        for k in ProcedureKind
        if _data.kinds().get(k.value, None) is not None and _data.kinds()[k.value].family == name
    )
    return ProcedureDefinition(
        name=name,
        label_fr=graph.label_fr,
        label_ar=graph.label_ar,
        initial=graph.initial,
        states=states,
        events=events,
        transitions=transitions,
        kinds=kinds,
        _by_state={k: tuple(v) for k, v in by_state.items()},
    )


def definition(which: ProcedureKind | ProcedureFamily | str) -> ProcedureDefinition:
    """The graph for a kind, a family, or a graph name (``"signature_key"``).

    >>> definition(ProcedureKind.URB_PERMIS_DEMOLITION).name
    'demolition'
    """
    if isinstance(which, ProcedureKind):
        return _compile(kind_info(which).family)
    if isinstance(which, ProcedureFamily):
        return _compile(which.value)
    if isinstance(which, str):
        kind = _KINDS.get(which)
        return _compile(kind_info(kind).family if kind is not None else which)
    raise UnknownProcedureError(
        f"expected a ProcedureKind, ProcedureFamily or graph name, got {which!r}"
    )


def definitions() -> tuple[ProcedureDefinition, ...]:
    """Every bundled graph, compiled."""
    return tuple(_compile(n) for n in graph_names())


def kind_info(kind: ProcedureKind | str) -> KindInfo:
    """Per-kind facts from ``data/kinds.json`` (a kind or its string value)."""
    if not isinstance(kind, ProcedureKind):
        try:
            kind = ProcedureKind(kind)
        except ValueError:
            raise UnknownProcedureError(
                f"unknown procedure kind {kind!r}; the kinds are listed in "
                "rokhas_sdk.models.ProcedureKind"
            ) from None
    return _kind_info(kind)


@functools.cache
def _kind_info(kind: ProcedureKind) -> KindInfo:
    row = _data.kinds().get(kind.value)
    if row is None:
        raise UnknownProcedureError(f"procedure kind {kind.value!r} has no row in kinds.json")
    if row.family not in _data.graphs():
        raise ProcedureDataError(
            f"procedure/data/kinds.json: kind {kind.value!r} names unknown family {row.family!r}"
        )
    return KindInfo(
        kind=kind,
        family=row.family,
        commission_bodies=frozenset(_body(kind, b) for b in row.commission_bodies),
        required_opinions=tuple(_body(kind, b) for b in row.required_opinions),
        requires_commission=row.requires_commission,
        requires_inquiry=row.requires_inquiry,
    )


_BODIES: dict[str, CommissionBody] = {b.value: b for b in CommissionBody}


def _body(kind: ProcedureKind, value: str) -> CommissionBody:
    body = _BODIES.get(value)
    if body is None:
        raise ProcedureDataError(
            f"procedure/data/kinds.json: kind {kind.value!r} names "
            f"unknown commission body {value!r}"
        )
    return body
