"""The catalogue of procedure kinds: family, legal bases, required pieces (data)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources

from .._errors import DataFileError, NotFoundError
from ._enums import ProcedureFamily, ProcedureKind, Role
from ._pieces import PieceType

__all__ = ["ProcedureKindInfo", "procedure_kind_info"]


@dataclass(frozen=True, slots=True)
class ProcedureKindInfo:
    """What the law (as far as sourced) says about one procedure kind."""

    kind: ProcedureKind
    family: ProcedureFamily
    legal_basis: tuple[str, ...]
    required_pieces: tuple[PieceType, ...]
    plans_signed_by: tuple[Role, ...]
    confidence: str
    note: str = ""


@functools.cache
def _catalogue() -> dict[ProcedureKind, ProcedureKindInfo]:
    raw = json.loads(
        resources.files(__package__)
        .joinpath("data/procedure_kinds.json")
        .read_text(encoding="utf-8")
    )
    out: dict[ProcedureKind, ProcedureKindInfo] = {}
    for i, row in enumerate(raw["kinds"]):
        try:
            info = ProcedureKindInfo(
                kind=ProcedureKind(row["kind"]),
                family=ProcedureFamily(row["family"]),
                legal_basis=tuple(row["legal_basis"]),
                required_pieces=tuple(PieceType(p) for p in row["required_pieces"]),
                plans_signed_by=tuple(Role(r) for r in row["plans_signed_by"]),
                confidence=row["confidence"],
                note=row.get("note", ""),
            )
        except (KeyError, ValueError) as exc:
            raise DataFileError(f"procedure_kinds.json row {i}: {exc}") from None
        out[info.kind] = info
    missing = set(ProcedureKind) - set(out)
    if missing:
        raise DataFileError(f"procedure_kinds.json lacks kinds {sorted(k.value for k in missing)}")
    return out


def procedure_kind_info(kind: ProcedureKind | str) -> ProcedureKindInfo:
    """The catalogue entry of a kind; a string must be a ProcedureKind value."""
    try:
        key = ProcedureKind(kind)
    except ValueError:
        raise NotFoundError(
            f"unknown procedure kind {kind!r}; known kinds: "
            f"{', '.join(k.value for k in ProcedureKind)}"
        ) from None
    return _catalogue()[key]
