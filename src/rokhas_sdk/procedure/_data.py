"""Loading and validating the bundled tables (``procedure/data/*.json``).

Each file is read and validated once, at first use (``functools.cache``), never at
import. A bad row raises :class:`ProcedureDataError` naming the file and the row.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from importlib import resources
from typing import Any, Literal

from pydantic import Field

from .._errors import InvalidInputError
from ..models import RokhasModel, Role
from ._errors import ProcedureDataError

Confidence = Literal["C", "S", "I", "U", "X"]
Unit = Literal["calendar_days", "working_days", "months"]
Purpose = Literal["step", "maximum", "target", "tacit_approval", "validity"]

GUARDS = frozenset(
    {
        "no_missing_pieces",
        "first_complement_request",
        "not_after_tacit_approval",
        "fees_paid",
        "signer_key_active",
        "reason_given",
        "opinion_given",
        "body_sits_on_commission",
        "required_opinions_entered",
        "tacit_deadline_passed",
        "decision_deadline_passed",
        "validity_not_expired",
        "validity_expired",
        "within_filing_window",
        "first_appeal",
        "inquiry_required",
        "commission_required",
        "commission_not_required",
        "inquiry_done_if_required",
        "architect_attestation",
        "provisional_acceptance_if_lotissement",
        "authority_for_territory",
    }
)


class LabelRow(RokhasModel):
    """French and Arabic labels of a state or an event."""

    label_fr: str
    label_ar: str


class VocabularyFile(RokhasModel):
    """``vocabulary.json``: labels of every state and event."""

    version: str
    note: str = ""
    states: dict[str, LabelRow]
    events: dict[str, LabelRow]


class TransitionRow(RokhasModel):
    """One row of a graph: from states, event, target (``"="``: unchanged), roles, guards."""

    from_: list[str]
    event: str
    to: str
    roles: list[Role]
    guards: list[str] = Field(default_factory=list)
    source: str = ""
    confidence: Confidence
    note: str | None = None

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> TransitionRow:
        data = dict(raw)
        data["from_"] = data.pop("from", None)
        return cls.model_validate(data)


class GraphRow(RokhasModel):
    """One graph (a procedure family or the signature-key machine)."""

    label_fr: str
    label_ar: str
    initial: str
    transitions: list[dict[str, Any]]


class GraphsFile(RokhasModel):
    """``graphs.json``."""

    version: str
    graphs: dict[str, GraphRow]


class KindRow(RokhasModel):
    """Per-kind facts the guards need: family, commission bodies, inquiry."""

    family: str
    commission_bodies: list[str]
    required_opinions: list[str]
    requires_commission: bool
    requires_inquiry: bool
    source: str
    confidence: Confidence
    note: str | None = None


class KindsFile(RokhasModel):
    """``kinds.json``."""

    version: str
    kinds: dict[str, KindRow]


class ClockRuleRow(RokhasModel):
    """One versioned clock rule: what starts, pauses, resumes and stops it, and its length."""

    id: str
    clock: str
    label_fr: str
    label_ar: str
    kinds: list[str]
    when: dict[str, bool] = Field(default_factory=dict)
    regime: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    length: int
    unit: Unit
    start_on: list[str]
    pause_on: list[str] = Field(default_factory=list)
    resume_on: list[str] = Field(default_factory=list)
    stop_on: list[str]
    restartable: bool = False
    purpose: Purpose
    tacit_approval: bool = False
    enabled: bool = True
    legal_text: str
    article: str | None = None
    source: str
    source_url: str | None = None
    confidence: Confidence
    note: str | None = None


class FilingWindowRow(RokhasModel):
    """A period during which a kind may be filed (régularisation amnesty windows)."""

    id: str
    kinds: list[str]
    from_: dt.date
    to: dt.date
    legal_text: str
    source: str
    source_url: str | None = None
    confidence: Confidence
    note: str | None = None

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> FilingWindowRow:
        data = dict(raw)
        data["from_"] = data.pop("from", None)
        return cls.model_validate(data)


class ClocksFile(RokhasModel):
    """``clocks.json``."""

    version: str
    units: list[str]
    rules: list[ClockRuleRow]
    filing_windows: list[dict[str, Any]]


class HolidayOverrideRow(RokhasModel):
    """Officially announced dates replacing the estimate for one holiday in one year."""

    holiday: str
    year: int
    dates: list[dt.date]
    announced_first_day: dt.date | None = None
    source_url: str
    confidence: Confidence
    note: str | None = None


class HolidaysFile(RokhasModel):
    """``holidays_ma.json``."""

    version: str
    note: str = ""
    overrides: list[HolidayOverrideRow]


def _read(name: str) -> Any:
    try:
        text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
        return json.loads(text)
    except (OSError, ValueError) as exc:
        raise ProcedureDataError(
            f"bundled table procedure/data/{name} cannot be read ({exc}); reinstall rokhas-sdk"
        ) from None


def _wrap(name: str, exc: InvalidInputError) -> ProcedureDataError:
    return ProcedureDataError(f"procedure/data/{name} is invalid: {exc.message}")


@functools.cache
def vocabulary() -> VocabularyFile:
    """The labels table."""
    try:
        return VocabularyFile.model_validate(_read("vocabulary.json"))
    except InvalidInputError as exc:
        raise _wrap("vocabulary.json", exc) from None


@functools.cache
def graphs() -> dict[str, tuple[GraphRow, list[TransitionRow]]]:
    """Every graph with its parsed transition rows."""
    try:
        raw = GraphsFile.model_validate(_read("graphs.json"))
    except InvalidInputError as exc:
        raise _wrap("graphs.json", exc) from None
    out: dict[str, tuple[GraphRow, list[TransitionRow]]] = {}
    for name, graph in raw.graphs.items():
        rows = []
        for i, t in enumerate(graph.transitions):
            try:
                rows.append(TransitionRow.parse(t))
            except InvalidInputError as exc:
                raise ProcedureDataError(
                    f"procedure/data/graphs.json: graph {name!r} transition #{i}: {exc.message}"
                ) from None
        out[name] = (graph, rows)
    return out


@functools.cache
def kinds() -> dict[str, KindRow]:
    """Per-kind facts."""
    try:
        return KindsFile.model_validate(_read("kinds.json")).kinds
    except InvalidInputError as exc:
        raise _wrap("kinds.json", exc) from None


@functools.cache
def clock_rules() -> tuple[tuple[ClockRuleRow, ...], tuple[FilingWindowRow, ...]]:
    """The clock rules and the filing windows."""
    try:
        raw = ClocksFile.model_validate(_read("clocks.json"))
        windows = tuple(FilingWindowRow.parse(w) for w in raw.filing_windows)
    except InvalidInputError as exc:
        raise _wrap("clocks.json", exc) from None
    seen: set[str] = set()
    for rule in raw.rules:
        if rule.id in seen:
            raise ProcedureDataError(f"procedure/data/clocks.json: duplicate rule id {rule.id!r}")
        seen.add(rule.id)
        if rule.length <= 0:
            raise ProcedureDataError(
                f"procedure/data/clocks.json: rule {rule.id!r} has length {rule.length}; "
                "lengths are positive"
            )
    return tuple(raw.rules), windows


@functools.cache
def holiday_overrides() -> tuple[HolidayOverrideRow, ...]:
    """Officially announced Hijri holiday dates."""
    try:
        return tuple(HolidaysFile.model_validate(_read("holidays_ma.json")).overrides)
    except InvalidInputError as exc:
        raise _wrap("holidays_ma.json", exc) from None
