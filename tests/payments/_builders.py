"""Builders for the payments tests: real Dossier objects, real schedules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rokhas_sdk.models import (
    Activity,
    ConstructionUse,
    Dossier,
    Money,
    NaturalPerson,
    Parcel,
    ProcedureKind,
    Project,
)

CASABLANCA = "06.141.01.0"
RABAT = "04.421.01.0"


def person() -> NaturalPerson:
    return NaturalPerson(first_name="Amina", last_name="Alaoui", cin="BE123456")


def building(
    use: ConstructionUse = ConstructionUse.INDIVIDUAL_HOUSING,
    *,
    commune: str = CASABLANCA,
    kind: ProcedureKind | None = None,
    covered: str = "0",
    **project: Any,
) -> Dossier:
    if kind is None:
        grand = use in (ConstructionUse.ADMINISTRATIVE, ConstructionUse.EQUIPMENT)
        kind = (
            ProcedureKind.URB_PERMIS_CONSTRUIRE_GRAND_PROJET
            if grand
            else ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET
        )
    return Dossier(
        reference="D-1",
        kind=kind,
        commune=commune,
        applicant=person(),
        parcel=Parcel(commune=commune, address="1 rue Test", land_area=Decimal(500)),
        project=Project(
            use=use, description="test project", covered_area=Decimal(covered), **project
        ),
    )


def lotissement(estimated: str, *, commune: str = CASABLANCA) -> Dossier:
    return building(
        ConstructionUse.INDIVIDUAL_HOUSING,
        commune=commune,
        kind=ProcedureKind.URB_AUTORISATION_LOTIR,
        works_cost_ht=Money(estimated),
        lots_count=10,
    )


def cafe(*, commune: str = CASABLANCA) -> Dossier:
    return Dossier(
        reference="E-1",
        kind=ProcedureKind.ECO_ACTIVITE_COURANTE,
        commune=commune,
        applicant=person(),
        activity=Activity(label="Café", premises_address="2 bd Test", sells_beverages=True),
    )
