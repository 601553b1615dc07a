"""The land and what is to be built or operated on it."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, model_validator

from ._base import ValueObject
from ._enums import ConstructionUse, ProcedureKind, ProjectScale
from ._identifiers import Requisition, TitreFoncier
from ._money import Money, SquareMetres
from ._territory import CommuneCode

__all__ = ["Activity", "Level", "Parcel", "Project", "classify_scale"]


class Parcel(ValueObject):
    """The plot: its land reference (titre foncier, réquisition, or neither if unregistered)."""

    commune: CommuneCode
    address: Annotated[str, Field(min_length=1, max_length=300)]
    titre_foncier: TitreFoncier | None = None
    requisition: Requisition | None = None
    land_area: SquareMetres
    zoning: str | None = Field(
        default=None, description="Zone of the plan d'aménagement, e.g. 'R+4' or 'E3'"
    )

    @model_validator(mode="after")
    def _positive_area(self) -> Parcel:
        if self.land_area == 0:
            raise ValueError("land_area must be greater than 0 m²")
        return self


class Level(ValueObject):
    """One level of a building, with its floor area (surface de plancher)."""

    name: Annotated[
        str, Field(min_length=1, max_length=40, examples=["RDC", "1er étage", "Sous-sol"])
    ]
    floor_area: SquareMetres


class Project(ValueObject):
    """A building or subdivision project.

    ``covered_area`` is the surface couverte, the base of the construction tax;
    saillies are recorded apart because the tax counts some of them twice
    (a per-commune policy, fees-payments.md §1.1).
    """

    use: ConstructionUse
    description: Annotated[str, Field(min_length=1, max_length=2000)]
    covered_area: SquareMetres = Decimal(0)
    # 200 levels: above the tallest building on Earth, the same bound as PermitSurfaces.levels.
    levels: Annotated[tuple[Level, ...], Field(max_length=200)] = ()
    saillies_private_area: SquareMetres = Decimal(0)
    saillies_public_domain_area: SquareMetres = Decimal(0)
    works_cost_ht: Money | None = None
    housing_units: Annotated[int, Field(ge=0, le=100_000)] = 0
    lots_count: Annotated[int, Field(ge=0, le=100_000)] = 0
    subdivided_area: SquareMetres = Decimal(0)
    restoration: bool = False
    public_or_corporate_owner: bool = False

    @property
    def floor_area(self) -> Decimal:
        """Total surface de plancher: the sum over levels."""
        return sum((lv.floor_area for lv in self.levels), Decimal(0))

    @model_validator(mode="after")
    def _consistent(self) -> Project:
        if self.works_cost_ht is not None and self.works_cost_ht.is_negative():
            raise ValueError("works_cost_ht cannot be negative")
        names = [lv.name for lv in self.levels]
        if len(set(names)) != len(names):
            raise ValueError("each level must have a distinct name")
        return self


class Activity(ValueObject):
    """An economic activity (shop, café, classified establishment, public-domain occupation)."""

    label: Annotated[str, Field(min_length=1, max_length=300)]
    premises_address: Annotated[str, Field(min_length=1, max_length=300)]
    premises_area: SquareMetres | None = None
    public_domain_area: SquareMetres = Decimal(0)
    public_domain_days: Annotated[int, Field(ge=0, le=3660)] = 0
    sells_beverages: bool = False
    investment_related: bool = False


_ALWAYS_GRAND = {
    ProcedureKind.URB_AUTORISATION_LOTIR,
    ProcedureKind.URB_AUTORISATION_GROUPE_HABITATIONS,
    ProcedureKind.URB_AUTORISATION_MORCELER,
    ProcedureKind.URB_PERMIS_CONSTRUIRE_GRAND_PROJET,
}
_GRAND_USES = {ConstructionUse.ADMINISTRATIVE, ConstructionUse.EQUIPMENT}


def classify_scale(
    kind: ProcedureKind, project: Project | None, *, corporate_applicant: bool = False
) -> ProjectScale:
    """Petits or grands projets (RGC 2019, [C] for the listed cases, [I] for the rest).

    Grands projets are lotissements, groupes d'habitations, morcellements, and buildings
    by or for administrations, collectivities, public establishments and companies; the
    remainder are petits projets. The source's list "continues", so communes that route
    more projects to the grands-projets commission should pass the kind explicitly.
    """
    if kind in _ALWAYS_GRAND:
        return ProjectScale.GRAND
    if corporate_applicant:
        return ProjectScale.GRAND
    if project is not None and (project.public_or_corporate_owner or project.use in _GRAND_USES):
        return ProjectScale.GRAND
    return ProjectScale.PETIT
