"""Delay targets and counting rules, as data (``data/rules.json``).

Targets (10/25 days RGC, 15/30 days 2023 order) and every counting choice (which event
starts the clock, what pauses it, calendar or working days) are rows with their legal
text, source and confidence tag. Rows tagged ``I`` or ``U`` are defaults: build your own
:class:`CountingRules` (``rules.model_copy(update=...)``) to count differently.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from importlib import resources
from typing import Literal

from pydantic import Field, model_validator

from .._errors import DataFileError, InvalidInputError
from ..models import ProjectScale, ValueObject

__all__ = ["CountingRules", "DelayTarget", "RuleSource", "default_rules"]

Confidence = Literal["C", "S", "I", "U"]


class RuleSource(ValueObject):
    """Where a counting rule comes from: our paraphrase, the source, its confidence."""

    id: str
    legal_text: str
    source_url: str
    confidence: Confidence


class DelayTarget(ValueObject):
    """A legal delay target for one scale of project, in force between two dates."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    scale: ProjectScale
    days: int = Field(gt=0, le=3650)
    regime: str
    legal_text: str
    article: str | None = None
    effective_from: dt.date
    effective_to: dt.date | None = None
    source_url: str
    confidence: Confidence

    def applies_on(self, day: dt.date) -> bool:
        """True when a dossier filed on ``day`` falls under this target."""
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)


class CountingRules(ValueObject):
    """How a processing delay is counted, with where each choice comes from.

    ``complement_effect`` "suspend" excludes the time a complement request was pending;
    "restart" starts the clock again when the complement is provided. ``day_basis``
    "working" counts Monday to Friday less Moroccan public holidays. ``journal_events``
    maps the procedure journal's event names (``submit``, ``issue``...) to the state
    names counted here; ``scales`` maps procedure kinds to petits or grands projets.
    """

    clock_start_events: tuple[str, ...] = Field(min_length=1)
    decision_events: dict[str, Literal["issued", "refused", "tacit"]] = Field(min_length=1)
    pause_start_events: tuple[str, ...] = ()
    pause_end_events: tuple[str, ...] = ()
    complement_effect: Literal["suspend", "restart"] = "suspend"
    day_basis: Literal["calendar", "working"] = "calendar"
    quarter_of: Literal["decision"] = "decision"
    targets: tuple[DelayTarget, ...] = ()
    scales: dict[str, ProjectScale] = Field(default_factory=dict)
    journal_events: dict[str, str] = Field(default_factory=dict)
    sources: tuple[RuleSource, ...] = ()
    version: str = "custom"

    def targets_for(self, scale: ProjectScale | str) -> tuple[DelayTarget, ...]:
        """The targets that concern one scale, in file order."""
        s = ProjectScale(scale)
        return tuple(t for t in self.targets if t.scale is s)

    @model_validator(mode="after")
    def _one_role_per_event(self) -> CountingRules:
        overlap = set(self.pause_start_events) & (
            set(self.pause_end_events) | set(self.decision_events)
        )
        if overlap:
            raise ValueError(
                f"events {sorted(overlap)} both start a pause and end it or decide: "
                "give each event one role in CountingRules"
            )
        ids = [t.id for t in self.targets]
        if len(ids) != len(set(ids)):
            raise ValueError(f"duplicate target ids in {ids}: give each DelayTarget its own id")
        return self


@functools.cache
def default_rules() -> CountingRules:
    """The bundled rules (``data/rules.json``), validated once and cached."""
    name = "data/rules.json"
    try:
        raw = json.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))
        counting = {row["id"]: row for row in raw["counting"]}
        return CountingRules(
            clock_start_events=tuple(counting["clock_start_events"]["value"]),
            decision_events=counting["decision_events"]["value"],
            pause_start_events=tuple(counting["pause_start_events"]["value"]),
            pause_end_events=tuple(counting["pause_end_events"]["value"]),
            complement_effect=counting["complement_effect"]["value"],
            day_basis=counting["day_basis"]["value"],
            quarter_of=counting["quarter_of"]["value"],
            targets=tuple(DelayTarget(**row) for row in raw["targets"]),
            scales={row["kind"]: ProjectScale(row["scale"]) for row in raw["scales"]},
            journal_events=raw["journal_events"]["map"],
            sources=tuple(
                RuleSource(
                    id=r["id"],
                    legal_text=r["legal_text"],
                    source_url=r["source_url"],
                    confidence=r["confidence"],
                )
                for r in raw["counting"]
            ),
            version=raw["version"],
        )
    except (KeyError, TypeError, ValueError, InvalidInputError) as exc:
        raise DataFileError(
            f"analytics {name} is invalid: {exc}; fix the file or reinstall rokhas-sdk"
        ) from None
