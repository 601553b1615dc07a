"""Dossier invariants, the petits/grands projets rule, and what is missing for submission."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings

from rokhas_sdk import InvalidInputError
from rokhas_sdk import models as m
from rokhas_sdk.models import (
    ConstructionUse,
    MissingKind,
    PieceType,
    ProcedureKind,
    ProjectScale,
    classify_scale,
)
from rokhas_sdk.testing import strategies as S

from .bad_inputs import DOSSIER, PERSON


def full_building_dossier(**changes: Any) -> dict[str, Any]:
    info = m.procedure_kind_info(ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET)
    sig = {"signer_name": "Youssef Alaoui", "role": "ARCHITECTE"}
    pieces = [
        {
            "type": p.value,
            "file_name": f"{p.value.lower()}.pdf",
            "size": 1000,
            "sha256": "c" * 64,
            "signed_by": [sig],
        }
        for p in info.required_pieces
    ]
    data = {
        **DOSSIER,
        "kind": "URB_PERMIS_CONSTRUIRE_PETIT_PROJET",
        "architect": {
            "person": {**PERSON, "cin": "BK1"},
            "order_number": "CA-1",
            "kind": "architect",
        },
        "parcel": {
            "commune": "06.141.01.0",
            "address": "Lot 3",
            "land_area": "200",
            "titre_foncier": "TF 1/63",
        },
        "project": {"use": "INDIVIDUAL_HOUSING", "description": "Villa R+1", "covered_area": "120"},
        "pieces": pieces,
    }
    data.update(changes)
    return data


def test_a_complete_dossier_is_ready() -> None:
    d = m.Dossier.model_validate(full_building_dossier())
    assert d.missing_for_submission() == []
    assert d.is_ready_for_submission()
    assert d.scale is ProjectScale.PETIT
    assert d.family is m.ProcedureFamily.BUILDING


def test_missing_items_name_pieces_parties_fields_and_signatures() -> None:
    data = full_building_dossier(architect=None, parcel=None)
    data["pieces"] = [
        p | {"signed_by": []} for p in data["pieces"] if p["type"] != "CONTRAT_ARCHITECTE"
    ]
    data["project"] = {**data["project"], "covered_area": "0"}
    missing = m.Dossier.model_validate(data).missing_for_submission()
    codes = {x.code for x in missing}
    assert "architect" in codes
    assert "parcel" in codes
    assert "project.covered_area" in codes
    assert "piece.CONTRAT_ARCHITECTE" in codes
    assert "signature.PLANS_ARCHITECTURAUX.ARCHITECTE" in codes
    assert {x.kind for x in missing} == set(MissingKind)
    assert all(x.label_fr and x.label_ar for x in missing)


def test_economic_dossier_needs_an_activity() -> None:
    d = m.Dossier.model_validate({**DOSSIER, "kind": "ECO_ACTIVITE_COURANTE"})
    assert "activity" in {x.code for x in d.missing_for_submission()}


@settings(max_examples=30)
@given(S.dossiers())
def test_missing_items_disappear_when_pieces_are_added(d: m.Dossier) -> None:
    info = m.procedure_kind_info(d.kind)
    before = {x.code for x in d.missing_for_submission() if x.kind is MissingKind.PIECE}
    assert before == {f"piece.{p.value}" for p in info.required_pieces} - {
        f"piece.{p.type.value}" for p in d.pieces
    }
    extra = [
        m.Piece(type=p, file_name="x.pdf", size=1, sha256="d" * 64) for p in info.required_pieces
    ]
    completed = d.model_copy(update={"pieces": [*d.pieces, *extra]})
    assert not [x for x in completed.missing_for_submission() if x.kind is MissingKind.PIECE]


def test_company_or_public_use_is_a_grand_projet() -> None:
    project = m.Project(use=ConstructionUse.INDIVIDUAL_HOUSING, description="x")
    assert (
        classify_scale(ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET, project)
        is ProjectScale.PETIT
    )
    assert (
        classify_scale(
            ProcedureKind.URB_PERMIS_CONSTRUIRE_PETIT_PROJET, project, corporate_applicant=True
        )
        is ProjectScale.GRAND
    )
    admin = m.Project(use=ConstructionUse.ADMINISTRATIVE, description="x")
    assert classify_scale(ProcedureKind.URB_PERMIS_MODIFIER, admin) is ProjectScale.GRAND
    for kind in (
        ProcedureKind.URB_AUTORISATION_LOTIR,
        ProcedureKind.URB_AUTORISATION_MORCELER,
        ProcedureKind.URB_AUTORISATION_GROUPE_HABITATIONS,
    ):
        assert classify_scale(kind, None) is ProjectScale.GRAND
    with pytest.raises(InvalidInputError, match="GRAND_PROJET"):
        m.Dossier.model_validate(
            full_building_dossier(
                project={"use": "EQUIPMENT", "description": "x", "covered_area": "1"}
            )
        )


def test_parcel_may_name_the_commune_by_alias() -> None:
    data = full_building_dossier(commune="141.01.01")
    dossier = m.Dossier.model_validate(data)
    assert dossier.commune == "06.141.01.0"  # the old seed code, normalised to HCP's
    assert dossier.parcel is not None
    assert dossier.parcel.commune in (None, "06.141.01.0")


def test_dossier_json_round_trip_keeps_decimals_as_strings() -> None:
    d = m.Dossier.model_validate(full_building_dossier())
    payload = json.loads(d.model_dump_json())
    assert payload["parcel"]["land_area"] == "200"
    assert m.Dossier.model_validate_json(d.model_dump_json()) == d


def test_every_kind_has_a_catalogue_entry_with_bilingual_labels() -> None:
    for kind in ProcedureKind:
        info = m.procedure_kind_info(kind.value)
        assert info.kind is kind
        assert info.legal_basis
        assert info.confidence in {"C", "S", "I", "U", "X"}
        assert kind.is_urban != kind.is_economic
    for enum_cls in (
        m.ProcedureKind,
        m.ProcedureFamily,
        m.Role,
        m.CommissionBody,
        m.Opinion,
        m.ConstructionUse,
        m.ProjectScale,
        m.LegalForm,
        PieceType,
        MissingKind,
        m.KeyDeliveryStatus,
    ):
        for member in enum_cls:
            assert member.label_fr.strip(), member
            assert member.label_ar.strip(), member
            assert member.label("fr") == member.label_fr
            assert member.label("ar") == member.label_ar
            assert str(member) == member.value
    with pytest.raises(ValueError, match="'fr' or 'ar'"):
        m.Role.ARCHITECTE.label("en")


def test_key_delivery_status_follows_the_steps() -> None:
    contact = {
        "province_code": "141",
        "full_name": "A",
        "title": "B",
        "phone": "0522000000",
        "address": "C",
        "email": "a@b.ma",
    }
    base = {"holder": PERSON, "commune": "141.01.01", "contact": contact}
    assert m.KeyDeliveryRecord.model_validate(base).status is m.KeyDeliveryStatus.PENDING
    steps = ["shipped_at", "handed_over_at", "pin_received_at", "pin_changed_at"]
    statuses = [
        m.KeyDeliveryStatus.SHIPPED,
        m.KeyDeliveryStatus.HANDED_OVER,
        m.KeyDeliveryStatus.PIN_RECEIVED,
        m.KeyDeliveryStatus.ACTIVE,
    ]
    data = dict(base)
    for i, (step, status) in enumerate(zip(steps, statuses, strict=True)):
        data[step] = f"2026-01-0{i + 1}T10:00:00+01:00"
        assert m.KeyDeliveryRecord.model_validate(data).status is status
    data["pin_changed_at"] = "2026-01-02T10:00:00+01:00"
    with pytest.raises(InvalidInputError, match="is before pin_received_at"):
        m.KeyDeliveryRecord.model_validate(data)


@settings(max_examples=10)
@given(S.permits())
def test_permit_needs_bilingual_conditions(permit: m.Permit) -> None:
    with pytest.raises(InvalidInputError, match="French and its Arabic"):
        m.Permit.model_validate(
            {**permit.model_dump(), "conditions_fr": ["a"], "conditions_ar": []}
        )
