"""A decision's machine-readable data: what rides inside a signed permit PDF."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ._base import ValueObject
from ._enums import ProcedureKind
from ._money import SquareMetres
from ._territory import CommuneCode

__all__ = ["Permit", "PermitSignatory", "PermitSurfaces"]

Text = Annotated[str, Field(min_length=1, max_length=2000)]


class PermitSignatory(ValueObject):
    """Who signs the decision: the commune president or their delegate."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    title_fr: Annotated[str, Field(min_length=1, max_length=200)]
    title_ar: Annotated[str, Field(min_length=1, max_length=200)]


class PermitSurfaces(ValueObject):
    """Surfaces the permit authorises."""

    land_area: SquareMetres | None = None
    covered_area: SquareMetres | None = None
    floor_area: SquareMetres | None = None
    levels: Annotated[int, Field(ge=0, le=200)] | None = None


class Permit(ValueObject):
    """The data of a delivered decision (permit, authorisation or licence).

    Serialised as JSON and embedded in the signed PDF, so that a verifier gets it back
    exactly; ``number`` is the reference printed on the document.
    """

    schema_version: Literal[1] = 1
    number: Annotated[
        str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-/.]*$")
    ]
    dossier_reference: Annotated[str, Field(min_length=1, max_length=64)]
    kind: ProcedureKind
    commune: CommuneCode
    commune_name_fr: Text
    commune_name_ar: Text
    beneficiary_name: Text
    beneficiary_id: Annotated[
        str, Field(min_length=1, max_length=40, description="CIN or ICE of the beneficiary")
    ]
    object_fr: Text
    object_ar: Text
    address: Text
    land_reference: str | None = None
    architect_name: str | None = None
    surfaces: PermitSurfaces = Field(default_factory=PermitSurfaces)
    decision: Literal["granted", "tacit"] = "granted"
    issued_on: date
    valid_until: date | None = None
    conditions_fr: tuple[Text, ...] = ()
    conditions_ar: tuple[Text, ...] = ()
    signatory: PermitSignatory

    @model_validator(mode="after")
    def _dates(self) -> Permit:
        if self.valid_until is not None and self.valid_until < self.issued_on:
            raise ValueError(
                f"valid_until ({self.valid_until}) is before issued_on ({self.issued_on})"
            )
        if len(self.conditions_fr) != len(self.conditions_ar):
            raise ValueError(
                "each condition needs both its French and its Arabic text (same count in "
                "conditions_fr and conditions_ar)"
            )
        return self
