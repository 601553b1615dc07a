"""The immutable state of one procedure, and the facts an event brings with it.

Neither is a pydantic model: ``apply`` and journal replay create a state per event, and
this is the hot path of ``bench/procedure.py``. Their JSON
forms (``to_dict`` / ``from_dict``) are validated by hand, strictly: unknown fields are
refused, so nothing unexpected (a PIN, a passphrase) can ride along into a journal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from .._errors import InvalidInputError
from ..models import CommissionBody, Dossier, Opinion, ProcedureKind, ProjectScale

__all__ = ["FLAG_FIELDS", "Context", "ProcedureState", "context_for"]

#: Context fields recorded as dossier flags when the dossier is submitted.
FLAG_FIELDS = ("investment", "multi_commune", "in_lotissement", "grand_projet")


@dataclass(frozen=True, slots=True)
class Context:
    """Facts an event carries, checked by the transition's guards and kept in the journal.

    Everything defaults to "not stated". A guard that needs a fact refuses when it is
    not stated (e.g. ``fees_paid`` must be ``True`` before delivery), except
    ``signer_key_active`` where only an explicit ``False`` refuses.

    - ``missing_pieces``: pieces still missing (``Dossier.missing_for_submission()``).
    - ``fees_paid``: the fees owed before delivery are paid.
    - ``signer_key_active``: the signer's e-signature key is active (see the
      ``signature_key`` graph); ``False`` blocks signing events.
    - ``reason``: the motive of a refusal, a dismissed appeal or a revocation.
    - ``opinion`` and ``body``: a commission member's opinion and the body they sit for.
    - ``investment``, ``multi_commune``, ``in_lotissement``, ``grand_projet``: filing
      facts, recorded as flags at ``submit`` (they select clock rules and authorities).
    - ``provisional_acceptance``: the lotissement's réception provisoire is pronounced.
    - ``architect_attestation``: the architect's end-of-works attestation is on file.
    """

    missing_pieces: tuple[str, ...] = ()
    fees_paid: bool | None = None
    signer_key_active: bool | None = None
    reason: str | None = None
    opinion: Opinion | None = None
    body: CommissionBody | None = None
    investment: bool | None = None
    multi_commune: bool | None = None
    in_lotissement: bool | None = None
    grand_projet: bool | None = None
    provisional_acceptance: bool | None = None
    architect_attestation: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """The stated facts only, JSON-ready (enums as their values)."""
        out: dict[str, Any] = {}
        if self.missing_pieces:
            out["missing_pieces"] = list(self.missing_pieces)
        for name in _SCALARS:
            value = getattr(self, name)
            if value is not None:
                out[name] = value.value if isinstance(value, Opinion | CommissionBody) else value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Context:
        """Parse the JSON form, strictly (unknown fields and wrong types are refused)."""
        if not data:
            return EMPTY_CONTEXT
        if not isinstance(data, Mapping):
            raise InvalidInputError(
                f"an event's data must be a JSON object, got {type(data).__name__}"
            )
        unknown = set(data) - _ALL_FIELDS
        if unknown:
            raise InvalidInputError(
                f"unknown event data fields {sorted(unknown)}; allowed: {sorted(_ALL_FIELDS)}"
            )
        kwargs: dict[str, Any] = {}
        for name, value in data.items():
            if name == "missing_pieces":
                if not isinstance(value, list | tuple) or not all(
                    isinstance(p, str) for p in value
                ):
                    raise InvalidInputError(
                        "missing_pieces must be a list of piece codes (strings)"
                    )
                kwargs[name] = tuple(value)
            elif name == "reason":
                if value is not None and not isinstance(value, str):
                    raise InvalidInputError("reason must be a string")
                kwargs[name] = value
            elif name == "opinion":
                kwargs[name] = _enum(Opinion, value, name)
            elif name == "body":
                kwargs[name] = _enum(CommissionBody, value, name)
            else:
                if value is not None and not isinstance(value, bool):
                    raise InvalidInputError(f"{name} must be true, false or null")
                kwargs[name] = value
        return cls(**kwargs)


def _aware(value: Any) -> dt.datetime:
    at = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(at, dt.datetime) or at.tzinfo is None:
        raise InvalidInputError(f"{value!r} is not an ISO 8601 instant with an offset")
    return at


def _enum(enum: Any, value: Any, name: str) -> Any:
    if value is None or isinstance(value, enum):
        return value
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise InvalidInputError(f"{name} {value!r} is not one of: {allowed}") from None


_SCALARS = (
    "fees_paid",
    "signer_key_active",
    "reason",
    "opinion",
    "body",
    "investment",
    "multi_commune",
    "in_lotissement",
    "grand_projet",
    "provisional_acceptance",
    "architect_attestation",
)
_ALL_FIELDS = frozenset(("missing_pieces", *_SCALARS))
EMPTY_CONTEXT = Context()


class ProcedureState(NamedTuple):
    """Where one procedure stands: its graph, current state and the facts clocks need.

    Immutable (a named tuple, the cheapest immutable record in CPython: replay builds
    one per event): :func:`rokhas_sdk.procedure.apply` returns a new one. ``marks`` is
    the list of applied events with their instants (what the legal clocks are computed
    from); ``seq`` counts them.
    """

    graph: str
    kind: ProcedureKind | None
    state: str
    seq: int = 0
    last_at: dt.datetime | None = None
    marks: tuple[tuple[str, dt.datetime], ...] = ()
    complement_requests: int = 0
    appeals: int = 0
    opinions: tuple[tuple[CommissionBody, Opinion], ...] = ()
    flags: frozenset[str] = frozenset()

    def opinion_of(self, body: CommissionBody) -> Opinion | None:
        """The latest opinion entered for ``body``, if any."""
        for b, o in self.opinions:
            if b is body:
                return o
        return None

    def first(self, event: str) -> dt.datetime | None:
        """Instant of the first occurrence of ``event``."""
        for e, at in self.marks:
            if e == event:
                return at
        return None

    def evolve(self, **changes: Any) -> ProcedureState:
        """A copy with some fields changed (what ``apply`` uses)."""
        return self._replace(**changes)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProcedureState:
        """Rebuild a state from :meth:`to_dict` output (strictly validated).

        Prefer storing the journal: a state read back this way is trusted as given.
        """
        try:
            kind = data["kind"]
            marks = tuple((str(e), _aware(t)) for e, t in data["history"])
            return cls(
                graph=str(data["graph"]),
                kind=_enum(ProcedureKind, kind, "kind") if kind is not None else None,
                state=str(data["state"]),
                seq=int(data["seq"]),
                last_at=_aware(data["last_at"]) if data.get("last_at") else None,
                marks=marks,
                complement_requests=int(data.get("complement_requests", 0)),
                appeals=int(data.get("appeals", 0)),
                opinions=tuple(
                    (_enum(CommissionBody, b, "body"), _enum(Opinion, o, "opinion"))
                    for b, o in dict(data.get("opinions", {})).items()
                ),
                flags=frozenset(str(f) for f in data.get("flags", ())),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, InvalidInputError):
                raise
            raise InvalidInputError(
                f"not a procedure state ({exc}); use ProcedureState.to_dict()"
            ) from None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (for ``--json`` and API payloads); see :meth:`from_dict`."""
        return {
            "graph": self.graph,
            "kind": self.kind.value if self.kind else None,
            "state": self.state,
            "seq": self.seq,
            "last_at": self.last_at.isoformat() if self.last_at else None,
            "complement_requests": self.complement_requests,
            "appeals": self.appeals,
            "opinions": {b.value: o.value for b, o in self.opinions},
            "flags": sorted(self.flags),
            "history": [[e, at.isoformat()] for e, at in self.marks],
        }


def context_for(dossier: Dossier, **facts: Any) -> Context:
    """A :class:`Context` for an event on ``dossier``: its missing items and its scale.

    ``missing_pieces`` lists the codes of ``dossier.missing_for_submission()`` (pieces,
    parties, fields, signatures); ``grand_projet`` follows ``dossier.scale``. Other facts
    (``fees_paid=True``, ``investment=True``...) are passed as keyword arguments.
    """
    base: dict[str, Any] = {
        "missing_pieces": tuple(item.code for item in dossier.missing_for_submission()),
        "grand_projet": dossier.scale is ProjectScale.GRAND if dossier.kind.is_urban else None,
    }
    base.update(facts)
    try:
        return Context(**base)
    except TypeError as exc:
        raise InvalidInputError(f"unknown context fact: {exc}") from None
