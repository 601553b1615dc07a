"""JSON Schema of every public model, as committed under docs/schema/ (one file each)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

__all__ = ["PUBLIC_MODELS", "json_schemas", "render_schema"]

PUBLIC_MODELS: tuple[str, ...] = (
    "Activity",
    "Address",
    "Architect",
    "CommissionMember",
    "CommissionOpinion",
    "Contact",
    "Dossier",
    "Engineer",
    "KeyDeliveryRecord",
    "LegalPerson",
    "Level",
    "MissingItem",
    "NaturalPerson",
    "Official",
    "Parcel",
    "Permit",
    "PermitSignatory",
    "PermitSurfaces",
    "PermitVisa",
    "Piece",
    "Professional",
    "Project",
    "ProvinceSignatureContact",
    "SignatureOnPiece",
    "Surveyor",
)
"""Names of the models whose JSON form is a public contract (design.md §3)."""


def _model(name: str) -> type[BaseModel]:
    from .. import models

    cls = getattr(models, name)
    if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
        raise TypeError(f"{name} is not a model: fix PUBLIC_MODELS")
    return cls


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema (draft 2020-12, validation mode: what may be sent) of each public model."""
    out: dict[str, dict[str, Any]] = {}
    for name in PUBLIC_MODELS:
        schema = _model(name).model_json_schema(mode="validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"urn:rokhas-sdk:schema:{name}"
        out[name] = schema
    return out


def render_schema(schema: dict[str, Any]) -> str:
    """The committed text form: sorted keys, two-space indent, UTF-8, final newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
