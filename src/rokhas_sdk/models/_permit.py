"""A decision's machine-readable data: what rides inside a signed permit PDF."""

from __future__ import annotations

import functools
import json
from datetime import date
from importlib import resources
from typing import Annotated, Literal

from pydantic import Field, ValidationError, model_validator

from .._errors import DataFileError, NotFoundError
from ._base import ValueObject
from ._enums import Opinion, ProcedureKind
from ._money import SquareMetres
from ._territory import CommuneCode

__all__ = [
    "CommissionOpinion",
    "Permit",
    "PermitSignatory",
    "PermitSurfaces",
    "PermitVisa",
    "permit_visas",
]

Text = Annotated[str, Field(min_length=1, max_length=2000)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class PermitVisa(ValueObject):
    """One "Vu ..." line of the act: the legal text it rests on, in both languages.

    ``confidence`` is the tag of the legal reference (docs/legal-sources.md):
    ``C`` confirmed by the cited source, ``I`` our inference, ``U`` unverified (print it
    only if your commune's legal service agrees: it is configuration, not law).
    """

    id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]
    text_fr: Text
    text_ar: Text
    legal_text: Text
    article: str | None = None
    source: str | None = None
    source_url: str | None = None
    confidence: Literal["C", "I", "U"]
    note: str | None = None


class CommissionOpinion(ValueObject):
    """The instruction commission's overall opinion (its minutes, PV) and their date."""

    opinion: Opinion
    on: date
    minutes_reference: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class PermitSignatory(ValueObject):
    """Who signs the decision: the commune president or their delegate."""

    name: Name
    title_fr: Name
    title_ar: Name
    name_ar: Name | None = Field(
        default=None, description="The name in Arabic script, if known; never transliterated"
    )


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
    beneficiary_name_ar: Text | None = Field(
        default=None,
        description="The name in Arabic script as the dossier gives it (first_name_ar / "
        "last_name_ar, name_ar); the Arabic column shows the Latin name when it is absent",
    )
    beneficiary_id: Annotated[
        str, Field(min_length=1, max_length=40, description="CIN or ICE of the beneficiary")
    ]
    object_fr: Text
    object_ar: Text
    address: Text
    land_reference: str | None = None
    architect_name: str | None = None
    architect_name_ar: str | None = None
    surfaces: PermitSurfaces = Field(default_factory=PermitSurfaces)
    decision: Literal["granted", "tacit"] = "granted"
    issued_on: date
    valid_until: date | None = None
    conditions_fr: tuple[Text, ...] = ()
    conditions_ar: tuple[Text, ...] = ()
    visas: tuple[PermitVisa, ...] = Field(
        default=(),
        description="The act's legal visas in print order; permit_visas(kind) gives the "
        "bundled ones",
    )
    commission: CommissionOpinion | None = None
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
        if self.commission is not None:
            if self.commission.on > self.issued_on:
                raise ValueError(
                    f"the commission's opinion ({self.commission.on}) is dated after the "
                    f"permit ({self.issued_on}); fix commission.on"
                )
            if self.decision == "granted" and self.commission.opinion in (
                Opinion.UNFAVORABLE,
                Opinion.ADJOURNED,
            ):
                raise ValueError(
                    f"a permit is not granted on a {self.commission.opinion.value} opinion: "
                    "record the commission's final (favourable) opinion"
                )
        ids = [v.id for v in self.visas]
        if len(set(ids)) != len(ids):
            raise ValueError(
                f"each visa appears once; repeated: {sorted({i for i in ids if ids.count(i) > 1})}"
            )
        return self


@functools.cache
def _visa_table() -> dict[ProcedureKind, tuple[PermitVisa, ...]]:
    raw = json.loads(
        resources.files(__package__).joinpath("data/permit_visas.json").read_text("utf-8")
    )
    try:
        visas = {key: PermitVisa(id=key, **row) for key, row in raw["visas"].items()}
        table = {
            ProcedureKind(kind): tuple(visas[i] for i in ids) for kind, ids in raw["kinds"].items()
        }
    except (KeyError, ValueError, TypeError, ValidationError) as exc:
        raise DataFileError(f"permit_visas.json: {exc}") from None
    missing = set(ProcedureKind) - set(table)
    if missing:
        raise DataFileError(f"permit_visas.json lacks kinds {sorted(k.value for k in missing)}")
    return table


def permit_visas(
    kind: ProcedureKind | str, *, confidence: frozenset[str] = frozenset({"C", "I"})
) -> tuple[PermitVisa, ...]:
    """The bundled legal visas of a procedure kind, in print order.

    ``confidence`` keeps the visas whose tag is in it: by default confirmed (``C``) and
    inferred (``I``) references; pass ``frozenset({"C"})`` to print only what a source
    confirms.

    >>> [v.id for v in permit_visas("URB_AUTORISATION_MORCELER", confidence=frozenset({"C"}))]
    ['loi_25_90', 'decret_2_18_577', 'arrete_2023_delais']
    """
    try:
        key = ProcedureKind(kind)
    except ValueError:
        raise NotFoundError(
            f"unknown procedure kind {kind!r}; known kinds: "
            f"{', '.join(k.value for k in ProcedureKind)}"
        ) from None
    return tuple(v for v in _visa_table()[key] if v.confidence in confidence)
