"""What the sandbox keeps of a dossier: one typed, immutable record per dossier.

A :class:`DossierRecord` holds the filed :class:`~rokhas_sdk.models.Dossier`, the
platform's facts about it (who filed it, its pieces, the decision and the permit) and
its history as a :class:`rokhas_sdk.procedure.Journal`: the verifiable hash chain of
every procedure event, from which the state is read (``record.state`` is the
journal's state, never a field set by hand). A change makes a new record (see
``_unit``); :class:`DossierRecords` stores records in the sandbox's SQLite store and
keeps the parsed ones, so that a request does not validate a dossier or verify a
journal that an earlier request already did.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from ..models import Dossier, Permit
from ..procedure import Journal, ProcedureState
from ._errors import SandboxConfigurationError

if TYPE_CHECKING:
    from ._store import Store

__all__ = [
    "ActivityLine",
    "DecisionRecord",
    "DossierRecord",
    "DossierRecords",
    "PermitRecord",
    "WebhookEvent",
]

DecisionOutcome = Literal["granted", "refused", "tacit"]


@dataclass(frozen=True, slots=True)
class PermitRecord:
    """A delivered permit: its data, when it was issued, and its signed PDF once made."""

    data: Permit
    issued_at: datetime
    pdf_sha256: str | None = None

    @property
    def number(self) -> str:
        """The permit's number (unique in its commune)."""
        return self.data.number

    def to_json(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "data": self.data.model_dump(mode="json"),
            "issued_at": self.issued_at.isoformat(),
            "pdf_sha256": self.pdf_sha256,
            "number": self.data.number,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> PermitRecord:
        """Read the stored form back."""
        return cls(
            Permit.model_validate(raw["data"]),
            datetime.fromisoformat(raw["issued_at"]),
            raw.get("pdf_sha256"),
        )


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """The authority's decision (or the silence that became one)."""

    outcome: DecisionOutcome
    at: datetime
    reasons_fr: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "decision": self.outcome,
            "at": self.at.isoformat(),
            "reasons_fr": list(self.reasons_fr),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> DecisionRecord:
        """Read the stored form back."""
        return cls(
            raw["decision"], datetime.fromisoformat(raw["at"]), tuple(raw.get("reasons_fr", ()))
        )


@dataclass(frozen=True, slots=True)
class DossierRecord:
    """One dossier as the platform holds it (immutable: a change makes a new record)."""

    id: str
    dossier: Dossier
    journal: Journal
    version: int
    created_by: str
    commune: str
    province: str
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None
    piece_ids: tuple[str, ...] = ()
    permit: PermitRecord | None = None
    decision: DecisionRecord | None = None
    activity_lines: int = 0
    """How many lines the dossier's activity journal (``listDossierEvents``) has."""

    @property
    def procedure(self) -> ProcedureState:
        """The procedure state, replayed from the journal."""
        return self.journal.state

    @property
    def state(self) -> str:
        """The procedure graph's current state (also the state on the wire)."""
        return self.journal.state.state

    def to_json(self) -> dict[str, Any]:
        """The stored form. The journal's lines are stored apart, exactly as written
        (``Store.procedure_lines``); the record names their count and head hash."""
        return {
            "id": self.id,
            "state": self.state,
            "version": self.version,
            "dossier": self.dossier.model_dump(mode="json"),
            "journal_len": len(self.journal),
            "journal_head": self.journal.head,
            "created_by": self.created_by,
            "commune": self.commune,
            "province": self.province,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
            "piece_ids": list(self.piece_ids),
            "permit": self.permit.to_json() if self.permit else None,
            "decision": self.decision.to_json() if self.decision else None,
            "activity_lines": self.activity_lines,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any], journal: Journal) -> DossierRecord:
        """Read the stored form back, with its journal (already verified and replayed)."""
        return cls(
            id=raw["id"],
            dossier=Dossier.model_validate(raw["dossier"]),
            journal=journal,
            version=int(raw["version"]),
            created_by=raw["created_by"],
            commune=raw["commune"],
            province=raw["province"],
            created_at=datetime.fromisoformat(raw["created_at"]),
            updated_at=datetime.fromisoformat(raw["updated_at"]),
            submitted_at=(
                datetime.fromisoformat(raw["submitted_at"]) if raw.get("submitted_at") else None
            ),
            piece_ids=tuple(raw.get("piece_ids", ())),
            permit=PermitRecord.from_json(raw["permit"]) if raw.get("permit") else None,
            decision=DecisionRecord.from_json(raw["decision"]) if raw.get("decision") else None,
            activity_lines=int(raw.get("activity_lines", 0)),
        )


@dataclass(frozen=True, slots=True)
class ActivityLine:
    """One line of a dossier's activity journal, as ``listDossierEvents`` shows it.

    Procedure events carry the procedure journal line's ``hash`` and ``prev_hash`` in
    ``data``, so a reader can tie the line to the verifiable chain; uploads and edits
    of a draft are activity, not procedure, and carry none.
    """

    id: str
    dossier_id: str
    sequence: int
    event: str
    actor_role: str
    actor_name: str | None
    state_before: str
    state_after: str
    data: dict[str, Any]
    recorded_at: datetime

    def to_json(self) -> dict[str, Any]:
        """The contract's DossierEventRecord JSON."""
        return {
            "id": self.id,
            "dossier_id": self.dossier_id,
            "sequence": self.sequence,
            "event": self.event,
            "actor_role": self.actor_role,
            "actor_name": self.actor_name,
            "state_before": self.state_before,
            "state_after": self.state_after,
            "data": self.data,
            "recorded_at": self.recorded_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """An event to deliver to subscribers once its request is committed."""

    id: str
    type: str
    object_type: str
    object_id: str
    dossier_id: str | None
    data: dict[str, Any]
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        """The contract's WebhookEvent JSON."""
        return {
            "id": self.id,
            "type": self.type,
            "api_version": "v1",
            "created_at": self.created_at.isoformat(),
            "object_type": self.object_type,
            "object_id": self.object_id,
            "dossier_id": self.dossier_id,
            "data": self.data,
        }


@dataclass(slots=True)
class DossierRecords:
    """Dossier records in the store, with the parsed ones kept per version.

    Writes happen inside the request's transaction; a kept record is used only when its
    version is the stored one, so a rolled-back write never shows.
    """

    store: Store
    _kept: dict[str, tuple[DossierRecord, dict[str, Any]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, dossier_id: str) -> DossierRecord | None:
        """The stored record, or None."""
        raw = self.store.get("dossier", dossier_id)
        if raw is None:
            return None
        return self.parse(raw)

    def parse(self, raw: dict[str, Any]) -> DossierRecord:
        """The record of a stored body (kept while its version stays current)."""
        with self._lock:
            kept = self._kept.get(raw["id"])
        if kept is not None and kept[0].version == raw["version"]:
            return kept[0]
        # Every link of the journal is verified and every event replayed on this read.
        journal = Journal.from_lines(self.store.procedure_lines(raw["id"]))
        if (len(journal), journal.head) != (raw["journal_len"], raw["journal_head"]):
            raise SandboxConfigurationError(
                f"dossier {raw['id']}: its record names journal line {raw['journal_len']} "
                f"with hash {raw['journal_head']}, its journal has {len(journal)} lines ending "
                f"with {journal.head}; the database was changed outside the sandbox"
            )
        record = DossierRecord.from_json(raw, journal)
        self._keep(record, raw["dossier"])
        return record

    def dossier_json(self, record: DossierRecord) -> dict[str, Any]:
        """The dossier's JSON (as stored: dumped once per version, not per read)."""
        with self._lock:
            kept = self._kept.get(record.id)
        if kept is not None and kept[0] is record:
            return kept[1]
        return record.dossier.model_dump(mode="json")

    def put(self, record: DossierRecord) -> None:
        """Write a record (in the caller's transaction)."""
        body = record.to_json()
        with self.store.transaction():
            self.store.procedure_lines_extend(record.id, record.journal.lines)
            self.store.put(
                "dossier",
                record.id,
                body,
                owner=record.created_by,
                scope=record.commune,
                state=record.state,
            )
        self._keep(record, body["dossier"])

    def scan(
        self,
        *,
        owner: str | None = None,
        scope: str | None = None,
        state: str | None = None,
    ) -> list[DossierRecord]:
        """Records, oldest change first (filters as ``Store.scan``)."""
        rows = self.store.scan("dossier", owner=owner, scope=scope, state=state, limit=10**9)
        return [self.parse(raw) for _, raw in rows]

    def forget(self, dossier_id: str) -> None:
        """Drop a kept record (the next read parses the stored one)."""
        with self._lock:
            self._kept.pop(dossier_id, None)

    def _keep(self, record: DossierRecord, dossier_json: dict[str, Any]) -> None:
        with self._lock:
            if len(self._kept) > 20_000:
                self._kept.clear()
            self._kept[record.id] = (record, dossier_json)
